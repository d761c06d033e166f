package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Request–reply: Green.call, ReplyTo, CalleeExitedException. */
@Timeout(60)
class CallTest {
    private static final Duration LONG = Duration.ofSeconds(20);

    private final ConcurrentLinkedQueue<Object> deadLetters = new ConcurrentLinkedQueue<>();
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("call")
                .deadLetterHandler((pid, msg) -> deadLetters.add(msg)).build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    record Add(int a, int b, ReplyTo<Integer> replyTo) {
    }

    record Crash(ReplyTo<Integer> replyTo) {
    }

    record Ignore(ReplyTo<Integer> replyTo) {
    }

    /** Adds; crashes on Crash; keeps Ignore's reply address to answer late on "late". */
    private static Void adder() {
        ReplyTo<Integer> kept = null;
        for (;;) {
            Object m = Green.receive();
            switch (m) {
                case Add(int a, int b, ReplyTo<Integer> r) -> r.reply(a + b);
                case Crash c -> throw new IllegalStateException("adder crashed");
                case Ignore(ReplyTo<Integer> r) -> kept = r;
                case String s when s.equals("late") -> {
                    boolean delivered = kept.reply(-1);
                    Green.send(Green.self(), delivered ? "late-delivered" : "late-dropped");
                }
                case String s when s.equals("stop") -> {
                    return null;
                }
                default -> {
                }
            }
        }
    }

    @Test
    void callReturnsTheReplyAndLeavesTheCallersMailboxAlone() {
        List<Object> got = rt.run(() -> {
            GreenHandle<Void> adder = Green.spawn(CallTest::adder);
            // Messages already in the caller's mailbox, including an Integer like the reply.
            Green.send(Green.self(), 42);
            Green.send(Green.self(), "other");
            int sum = Green.call(adder.pid(), (ReplyTo<Integer> r) -> new Add(2, 3, r), LONG);
            assertThat(Green.mailboxSize()).isEqualTo(2);
            Object first = Green.receive();
            Object second = Green.receive();
            Green.send(adder.pid(), "stop");
            return List.of(sum, first, second);
        });
        assertThat(got).containsExactly(5, 42, "other");
    }

    @Test
    void concurrentCallersEachGetTheirOwnReply() {
        int total = rt.run(() -> {
            GreenHandle<Void> adder = Green.spawn(CallTest::adder);
            List<GreenHandle<Integer>> callers = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int n = i;
                callers.add(Green.spawn(() -> {
                    int s = 0;
                    for (int i2 = 0; i2 < 20; i2++) {
                        int k = i2;
                        int r = Green.call(adder.pid(), (ReplyTo<Integer> rt) -> new Add(n, k, rt), LONG);
                        assertThat(r).isEqualTo(n + k);
                        s += r;
                    }
                    return s;
                }));
            }
            int sum = 0;
            for (int s : Green.joinAll(callers)) {
                sum += s;
            }
            Green.send(adder.pid(), "stop");
            return sum;
        });
        // sum over n<50, k<20 of (n + k) = 20 * 1225 + 50 * 190
        assertThat(total).isEqualTo(20 * 1225 + 50 * 190);
    }

    @Test
    void aCalleeThatDiesFailsTheCallAtOnceWithItsReason() {
        Throwable thrown = rt.run(() -> {
            GreenHandle<Void> adder = Green.spawn(CallTest::adder);
            long t0 = System.nanoTime();
            try {
                Green.call(adder.pid(), (ReplyTo<Integer> r) -> new Crash(r), Duration.ofSeconds(30));
                return null;
            } catch (CalleeExitedException e) {
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
                assertThat(e.pid()).isEqualTo(adder.pid());
                return e;
            }
        });
        assertThat(thrown).isInstanceOf(CalleeExitedException.class);
        assertThat(thrown.getCause()).isInstanceOf(IllegalStateException.class).hasMessage("adder crashed");
    }

    @Test
    void aCalleeThatEndsNormallyWithoutReplyingFailsTheCall() {
        Throwable thrown = rt.run(() -> {
            GreenHandle<Object> quitter = Green.spawn(() -> Green.receive());
            try {
                Green.call(quitter.pid(), (ReplyTo<Integer> r) -> new Ignore(r), LONG);
                return null;
            } catch (CalleeExitedException e) {
                return e;
            }
        });
        assertThat(thrown).isInstanceOf(CalleeExitedException.class).hasMessageContaining("without replying");
        assertThat(thrown.getCause()).isNull();
    }

    @Test
    void aStalePidFailsTheCallWithNoSuchGreenThread() {
        Pid stale = rt.spawn(() -> 1).pid();
        rt.handle(stale).ifPresent(GreenHandle::join);
        assertThatThrownBy(() -> rt.run(() -> Green.call(stale, (ReplyTo<Integer> r) -> new Ignore(r), LONG)))
                .cause().isInstanceOf(CalleeExitedException.class)
                .cause().isInstanceOf(NoSuchGreenThreadException.class);
    }

    @Test
    void aTimedOutCallDropsTheLateReplyAsADeadLetter() {
        List<Object> got = rt.run(() -> {
            GreenHandle<Void> adder = Green.spawn(CallTest::adder);
            long before = Green.runtime().deadLetterCount();
            try {
                Green.call(adder.pid(), (ReplyTo<Integer> r) -> new Ignore(r), Duration.ofMillis(50));
                throw new AssertionError("no timeout");
            } catch (TimedOutException expected) {
                // the callee keeps the reply address and answers now, too late
            }
            Green.send(adder.pid(), "late");
            // The adder reports to itself whether the late reply was delivered; ask it by a call.
            Green.send(adder.pid(), "stop");
            adder.join();
            return List.of(Green.mailboxSize(), Green.runtime().deadLetterCount() - before);
        });
        assertThat(got).containsExactly(0, 1L);
        assertThat(deadLetters).containsExactly(-1);
    }

    @Test
    void aPlatformThreadCanCall() throws Exception {
        CountDownLatch up = new CountDownLatch(1);
        GreenHandle<Void> adder = rt.spawn(() -> {
            up.countDown();
            return adder();
        });
        assertThat(up.await(20, TimeUnit.SECONDS)).isTrue();
        int sum = Green.call(adder.pid(), (ReplyTo<Integer> r) -> new Add(20, 22, r), LONG);
        assertThat(sum).isEqualTo(42);
        Green.send(adder.pid(), "stop");
        adder.join();
    }

    @Test
    void aCancelledCallerStopsWaitingAndTheReplyIsDropped() throws Exception {
        GreenHandle<Void> adder = rt.spawn(CallTest::adder);
        CountDownLatch calling = new CountDownLatch(1);
        GreenHandle<Object> caller = rt.spawn(() -> {
            calling.countDown();
            return Green.call(adder.pid(), (ReplyTo<Integer> r) -> new Ignore(r), LONG);
        });
        assertThat(calling.await(20, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(50); // not a correctness wait: the cancel may come before or during the call; both must cancel it
        caller.cancel();
        assertThatThrownBy(caller::join).isInstanceOf(GreenFailedException.class)
                .cause().isInstanceOf(CancelledException.class);
        Green.send(adder.pid(), "stop");
        adder.join();
    }

    @Test
    void replyToAnswersOnce() {
        List<Boolean> got = rt.run(() -> {
            GreenHandle<List<Boolean>> server = Green.spawn(() -> {
                Ignore m = Green.receive(Ignore.class);
                boolean waitingBefore = m.replyTo().isWaiting();
                boolean first = m.replyTo().reply(1);
                boolean second = m.replyTo().reply(2);
                return List.of(waitingBefore, first, second, m.replyTo().isWaiting());
            });
            assertThat(Green.<Integer>call(server.pid(), (ReplyTo<Integer> r) -> new Ignore(r), LONG)).isEqualTo(1);
            return server.join();
        });
        assertThat(got).containsExactly(true, true, false, false);
    }

    @Test
    void aRequestDroppedByAFullMailboxFailsTheCallAtOnce() {
        rt.run(() -> {
            GreenHandle<Object> full = Green.spawner().mailbox(Mailbox.bounded(1, Mailbox.Overflow.DROP_NEWEST))
                    .spawn(() -> Green.receive(m -> m.equals("never")));
            Green.send(full.pid(), "filler");
            assertThatThrownBy(() -> Green.call(full.pid(), (ReplyTo<Integer> r) -> new Ignore(r), LONG))
                    .isInstanceOf(MailboxFullException.class).hasMessageContaining("dropped");
            GreenHandle<Object> failing = Green.spawner().mailbox(Mailbox.bounded(1, Mailbox.Overflow.FAIL))
                    .spawn(() -> Green.receive(m -> m.equals("never")));
            Green.send(failing.pid(), "filler");
            assertThatThrownBy(() -> Green.call(failing.pid(), (ReplyTo<Integer> r) -> new Ignore(r), LONG))
                    .isInstanceOf(MailboxFullException.class);
            full.cancel();
            failing.cancel();
        });
    }

    @Test
    void badInput() {
        rt.run(() -> {
            Pid self = Green.self();
            assertThatThrownBy(() -> Green.call(null, (ReplyTo<Integer> r) -> new Ignore(r), LONG))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("pid");
            assertThatThrownBy(() -> Green.call(self, null, LONG))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("request");
            assertThatThrownBy(() -> Green.call(self, (ReplyTo<Integer> r) -> new Ignore(r), null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("timeout");
            assertThatThrownBy(() -> Green.call(self, (ReplyTo<Integer> r) -> new Ignore(r), Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
            assertThatThrownBy(() -> Green.call(self, (ReplyTo<Integer> r) -> new Ignore(r), LONG))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot call itself");
            GreenHandle<Void> adder = Green.spawn(CallTest::adder);
            assertThatThrownBy(() -> Green.call(adder.pid(), r -> null, LONG))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("returned null");
            Green.send(adder.pid(), "stop");
        });
    }
}
