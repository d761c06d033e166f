package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bounded mailboxes: each overflow policy, dead letters, signals never refused. */
@Timeout(60)
class BoundedMailboxTest {
    private static final Duration LONG = Duration.ofSeconds(20);
    private final ConcurrentLinkedQueue<Object> deadLetters = new ConcurrentLinkedQueue<>();
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("bounded")
                .deadLetterHandler((pid, msg) -> deadLetters.add(msg)).build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    /** A receiver that waits for "go", then returns everything else it receives until "end". */
    private static List<Object> drainAfterGo() {
        Green.receive(m -> m.equals("go"));
        List<Object> out = new ArrayList<>();
        for (Object m = Green.receive(); !m.equals("end"); m = Green.receive()) {
            out.add(m);
        }
        return out;
    }

    /** Spawns a receiver with {@code mailbox} that is parked waiting for "go" (its selective receive skips the rest). */
    private GreenHandle<List<Object>> receiver(Mailbox mailbox) {
        return Green.spawner().mailbox(mailbox).spawn(BoundedMailboxTest::drainAfterGo);
    }

    @Test
    void dropNewestRefusesWhenFull() {
        List<Object> got = rt.run(() -> {
            long before = Green.runtime().deadLetterCount();
            GreenHandle<List<Object>> r = receiver(Mailbox.bounded(3, Mailbox.Overflow.DROP_NEWEST));
            assertThat(Green.send(r.pid(), 1)).isTrue();
            assertThat(Green.send(r.pid(), 2)).isTrue();
            assertThat(Green.send(r.pid(), 3)).isTrue();
            assertThat(Green.send(r.pid(), 4)).as("full: dropped").isFalse();
            assertThat(Green.runtime().deadLetterCount() - before).isEqualTo(1);
            assertThat(Green.send(r.pid(), "go")).as("still full").isFalse();
            r.cancel();
            return List.of(deadLetters.size());
        });
        assertThat(deadLetters).containsExactly(4, "go");
        assertThat(got).containsExactly(2);
    }

    @Test
    void dropOldestKeepsTheNewest() {
        List<Object> got = rt.run(() -> {
            GreenHandle<List<Object>> r = Green.spawner().mailbox(Mailbox.bounded(3, Mailbox.Overflow.DROP_OLDEST))
                    .spawn(() -> {
                        Green.receive(m -> m.equals("go")); // waits; the rest stays queued
                        List<Object> out = new ArrayList<>();
                        for (Object m = Green.receive(); !m.equals("end"); m = Green.receive()) {
                            out.add(m);
                        }
                        return out;
                    });
            for (int i = 1; i <= 5; i++) {
                assertThat(Green.send(r.pid(), i)).isTrue();
            }
            Green.send(r.pid(), "go");
            Green.send(r.pid(), "end");
            return r.join();
        });
        // Seven messages sent into a box of three: the oldest ones were dropped as dead letters
        // on the receiver's receives; it never saw more than three queued.
        // At least 1, 2, 3 were dropped (six messages were queued before "go" could be taken).
        assertThat(got.size()).isLessThanOrEqualTo(2);
        assertThat(deadLetters).startsWith(1, 2, 3).doesNotContain("go", "end");
        List<Object> all = new ArrayList<>(deadLetters);
        all.addAll(got);
        assertThat(all).containsExactly(1, 2, 3, 4, 5);
    }

    /**
     * DROP_OLDEST: Green.mailboxSize() counts no more than the capacity, as receives see
     * (before: the excess not yet dropped was counted, so a loop receiving mailboxSize()
     * messages hung after the capacity's worth).
     */
    @Test
    void dropOldestMailboxSizeNeverExceedsTheCapacity() throws InterruptedException {
        CountDownLatch sent = new CountDownLatch(1);
        GreenHandle<List<Object>> r = rt.spawner().mailbox(Mailbox.bounded(2, Mailbox.Overflow.DROP_OLDEST))
                .spawn(() -> {
                    sent.await();
                    List<Object> out = new ArrayList<>();
                    out.add(Green.mailboxSize());
                    for (Object m; (m = Green.tryReceive().orElse(null)) != null; ) {
                        out.add(m);
                    }
                    return out;
                });
        for (int i = 1; i <= 5; i++) {
            assertThat(Green.send(r.pid(), i)).isTrue();
        }
        sent.countDown();
        assertThat(r.join()).as("mailboxSize, then every message").containsExactly(2, 4, 5);
        assertThat(deadLetters).containsExactly(1, 2, 3);
    }

    /**
     * A call whose request DROP_OLDEST drops is failed at once with MailboxFullException,
     * as DROP_NEWEST's refusal is, not left to wait out its timeout (before: 3 of 3 runs
     * still waiting after 10 s); the request is a dead letter. Calls that are not dropped
     * are answered as usual.
     */
    @Test
    void dropOldestFailsADroppedCallAtOnce() throws Exception {
        record Ask(String q, ReplyTo<String> replyTo) {}
        CountDownLatch go = new CountDownLatch(1);
        GreenHandle<Object> callee = rt.spawner().mailbox(Mailbox.bounded(1, Mailbox.Overflow.DROP_OLDEST)).spawn(() -> {
            go.await();
            Object first = Green.receive(); // the excess oldest (the first call's request) is dropped here
            if (Green.receive() instanceof Ask(String q, ReplyTo<String> replyTo)) {
                replyTo.reply("re: " + q);
            }
            return first;
        });
        GreenHandle<String> caller = rt.spawn(() -> Green.call(callee.pid(), (ReplyTo<String> r) -> new Ask("one", r),
                Duration.ofMinutes(2)));
        while (caller.state() != GreenState.WAITING) { // its request is queued; it waits for the reply
            assertThat(caller.isDone()).as("the caller ended instead of waiting").isFalse();
            Thread.onSpinWait();
        }
        assertThat(Green.send(callee.pid(), "newer")).isTrue(); // one more than the capacity: the request is the oldest
        go.countDown();
        assertThatThrownBy(() -> caller.join(Duration.ofSeconds(10))).isInstanceOf(GreenFailedException.class)
                .cause().isInstanceOf(MailboxFullException.class).hasMessageContaining("dropped");
        assertThat(deadLetters).hasSize(1).first().isInstanceOf(Ask.class);
        assertThat(callee.isDone()).isFalse();
        String answer = rt.run(() -> Green.call(callee.pid(), (ReplyTo<String> r) -> new Ask("two", r), LONG));
        assertThat(answer).isEqualTo("re: two");
        assertThat(callee.join(LONG)).isEqualTo("newer");
    }

    @Test
    void failThrowsMailboxFull() {
        rt.run(() -> {
            GreenHandle<List<Object>> r = receiver(Mailbox.bounded(2, Mailbox.Overflow.FAIL));
            Green.send(r.pid(), 1);
            Green.send(r.pid(), 2);
            long before = Green.runtime().deadLetterCount();
            assertThatThrownBy(() -> Green.send(r.pid(), 3))
                    .isInstanceOf(MailboxFullException.class)
                    .hasMessageContaining("capacity 2")
                    .satisfies(e -> assertThat(((MailboxFullException) e).pid()).isEqualTo(r.pid()));
            assertThat(Green.runtime().deadLetterCount()).as("not a dead letter: the sender has it").isEqualTo(before);
            r.cancel();
        });
    }

    @Test
    void blockParksTheSenderUntilTheOwnerMakesRoom() {
        List<Object> got = rt.run(() -> {
            CountDownLatch go = new CountDownLatch(1);
            GreenHandle<List<Object>> r = Green.spawner().mailbox(Mailbox.blocking(2, LONG)).spawn(() -> {
                go.await();
                List<Object> out = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    out.add(Green.receive());
                }
                return out;
            });
            GreenHandle<Void> producer = Green.spawn(() -> {
                for (int i = 1; i <= 6; i++) {
                    Green.send(r.pid(), i);
                }
            });
            awaitBlocked(producer); // it sent 1 and 2; 3 finds the mailbox full
            assertThat(producer.isDone()).as("producer blocked on the full mailbox").isFalse();
            go.countDown();
            producer.join(LONG);
            return r.join();
        });
        assertThat(got).containsExactly(1, 2, 3, 4, 5, 6);
    }

    @Test
    void blockedSendersProceedAsTheOwnerReceives() {
        List<Object> got = rt.run(() -> {
            GreenHandle<List<Object>> r = Green.spawner().mailbox(Mailbox.blocking(2, LONG)).spawn(() -> {
                List<Object> out = new ArrayList<>();
                for (Object m = Green.receive(); !m.equals("end"); m = Green.receive()) {
                    out.add(m);
                    Green.sleep(Duration.ofMillis(1)); // slow consumer
                }
                return out;
            });
            for (int i = 1; i <= 20; i++) {
                assertThat(Green.send(r.pid(), i)).isTrue();
            }
            Green.send(r.pid(), "end");
            return r.join();
        });
        List<Object> expected = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            expected.add(i);
        }
        assertThat(got).isEqualTo(expected);
        assertThat(deadLetters).isEmpty();
    }

    @Test
    void blockTimesOutWithMailboxFull() {
        rt.run(() -> {
            GreenHandle<List<Object>> r = receiver(Mailbox.blocking(1, Duration.ofMillis(50)));
            Green.send(r.pid(), 1);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> Green.send(r.pid(), 2)).isInstanceOf(MailboxFullException.class)
                    .hasMessageContaining("no room within");
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
            r.cancel();
        });
    }

    @Test
    void theOwnerNeverBlocksOnItsOwnMailbox() {
        GreenHandle<Object> h = rt.spawner().mailbox(Mailbox.blocking(1, LONG)).spawn(() -> {
            Green.send(Green.self(), 1);
            assertThatThrownBy(() -> Green.send(Green.self(), 2)).isInstanceOf(MailboxFullException.class)
                    .hasMessageContaining("owner");
            return Green.receive();
        });
        assertThat(h.join()).isEqualTo(1);
    }

    @Test
    void aBlockedSenderIsReleasedWhenTheOwnerEnds() {
        boolean delivered = rt.run(() -> {
            CountDownLatch go = new CountDownLatch(1);
            GreenHandle<Boolean> r = Green.spawner().mailbox(Mailbox.blocking(1, LONG)).spawn(() -> go.await(20, TimeUnit.SECONDS));
            Green.send(r.pid(), 1);
            GreenHandle<Boolean> sender = Green.spawn(() -> Green.send(r.pid(), 2));
            awaitBlocked(sender);
            long t0 = System.nanoTime();
            go.countDown();
            boolean d = sender.join();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
            return d;
        });
        assertThat(delivered).isFalse();
        assertThat(deadLetters).contains(2);
    }

    @Test
    void aBlockedSenderCanBeCancelled() {
        rt.run(() -> {
            GreenHandle<List<Object>> r = receiver(Mailbox.blocking(1, LONG));
            Green.send(r.pid(), 1);
            GreenHandle<Boolean> sender = Green.spawn(() -> Green.send(r.pid(), 2));
            awaitBlocked(sender);
            sender.cancel();
            assertThatThrownBy(sender::join).isInstanceOf(GreenFailedException.class)
                    .cause().isInstanceOf(CancelledException.class);
            r.cancel();
        });
    }

    @Test
    void signalsAreNeverRefused() {
        Object got = rt.run(() -> {
            GreenHandle<Object> r = Green.spawner().mailbox(Mailbox.bounded(1, Mailbox.Overflow.FAIL)).spawn(() -> {
                Green.trapExits(true);
                GreenHandle<Integer> child = Green.spawner().link().spawn(() -> 7);
                child.join();
                Green.send(Green.self(), "filler"); // the box is now full of user messages
                Signal.Exit exit = Green.receive(Signal.Exit.class, LONG);
                return exit.result();
            });
            return r.join();
        });
        assertThat(got).isEqualTo(7);
    }

    @Test
    void timersNeverWaitOnAFullMailbox() {
        rt.run(() -> {
            GreenHandle<List<Object>> r = receiver(Mailbox.blocking(1, LONG));
            Green.send(r.pid(), 1);
            SendTimer t = Green.sendAfter(r.pid(), "tick", Duration.ZERO);
            assertThat(t.isActive()).isFalse();
            r.cancel();
        });
        assertThat(deadLetters).containsExactly("tick");
    }

    /**
     * A timer to a full DROP_OLDEST mailbox is queued and the oldest message dropped, as for any send:
     * only BLOCK, FAIL and DROP_NEWEST drop the timer's own message (the docs said every policy did).
     */
    @Test
    @Timeout(20)
    void aTimerToAFullDropOldestMailboxIsQueuedAndTheOldestDropped() {
        List<Object> got = rt.run(() -> {
            GreenHandle<List<Object>> r = receiver(Mailbox.bounded(3, Mailbox.Overflow.DROP_OLDEST));
            for (int i = 1; i <= 3; i++) {
                assertThat(Green.send(r.pid(), i)).isTrue();
            }
            SendTimer t = Green.sendAfter(r.pid(), "tick", Duration.ZERO);
            assertThat(t.isActive()).isFalse();
            Green.send(r.pid(), "go");
            Green.send(r.pid(), "end");
            return r.join();
        });
        // "tick" is among the newest three, so it is never the one dropped; at least 1 was dropped for it.
        assertThat(got).contains("tick");
        assertThat(deadLetters).startsWith(1).doesNotContain("tick", "go", "end");
        List<Object> all = new ArrayList<>(deadLetters);
        all.addAll(got);
        assertThat(all).containsExactly(1, 2, 3, "tick");
    }

    @Test
    void badInput() {
        assertThatThrownBy(() -> Mailbox.bounded(0, Mailbox.Overflow.FAIL)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("capacity");
        assertThatThrownBy(() -> Mailbox.bounded(-1, Mailbox.Overflow.DROP_NEWEST)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Mailbox.bounded(1, null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("overflow");
        assertThatThrownBy(() -> Mailbox.bounded(1, Mailbox.Overflow.BLOCK)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Mailbox.blocking");
        assertThatThrownBy(() -> Mailbox.blocking(1, Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> Mailbox.blocking(1, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> rt.spawner().mailbox(null)).isInstanceOf(NullPointerException.class);
        assertThat(Mailbox.unbounded().isUnbounded()).isTrue();
        assertThat(Mailbox.bounded(4, Mailbox.Overflow.FAIL)).isEqualTo(Mailbox.bounded(4, Mailbox.Overflow.FAIL));
        assertThat(Mailbox.blocking(4, Duration.ofSeconds(1)).toString()).contains("BLOCK");
    }

    /**
     * Waits (green) until {@code sender} has parked: its only blocking step is a send
     * to a full mailbox, so it is blocked there. A fixed sleep let a slow carrier
     * reach the assertion, or the release, before the sender had even run.
     */
    private static void awaitBlocked(GreenHandle<?> sender) {
        while (sender.state() != GreenState.WAITING) {
            assertThat(sender.isDone()).as("the sender ended instead of blocking").isFalse();
            Green.sleep(Duration.ofMillis(1));
        }
    }
}
