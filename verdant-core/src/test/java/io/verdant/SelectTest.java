package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class SelectTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("select").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void aReadyReceiveCaseFiresImmediately() {
        Channel<Integer> a = Channel.bounded(1);
        Channel<Integer> b = Channel.bounded(1);
        b.send(7);
        String r = Select.<String>create()
                .onReceive(a, v -> "a" + v)
                .onReceive(b, v -> "b" + v)
                .select();
        assertThat(r).isEqualTo("b7");
        assertThat(b.tryReceive()).isEmpty();
    }

    @Test
    void theDefaultRunsWhenNothingIsReadyAndNothingIsConsumed() {
        Channel<Integer> a = Channel.rendezvous();
        Channel<Integer> out = Channel.rendezvous();
        String r = Select.<String>create()
                .onReceive(a, v -> "a")
                .onSend(out, 1, () -> "sent")
                .orElse(() -> "none")
                .select();
        assertThat(r).isEqualTo("none");
        assertThat(TestAccess.queuedNodes(a) + TestAccess.queuedNodes(out)).isZero();
    }

    @Test
    void theTimeoutBodyRunsWhenTimeIsUpAndLeavesNothingQueued() {
        Channel<Integer> a = Channel.rendezvous();
        rt.run(() -> {
            long s = System.nanoTime();
            String r = Select.<String>create()
                    .onReceive(a, v -> "a")
                    .onTimeout(Duration.ofMillis(40), () -> "late")
                    .select();
            assertThat(r).isEqualTo("late");
            assertThat(System.nanoTime() - s).isGreaterThanOrEqualTo(Duration.ofMillis(40).toNanos());
            return null;
        });
        assertThat(TestAccess.queuedNodes(a)).isZero();
        assertThat(TestAccess.timers(rt)).isZero();
    }

    @Test
    void aWaitingSelectIsCompletedByASenderOnAnyOfItsChannels() {
        Channel<Integer> a = Channel.rendezvous();
        Channel<String> b = Channel.rendezvous();
        Channel<Integer> c = Channel.rendezvous();
        rt.run(() -> {
            GreenHandle<String> h = Green.spawn(() -> Select.<String>create()
                    .onReceive(a, v -> "a" + v)
                    .onReceive(b, v -> "b" + v)
                    .onSend(c, 5, () -> "c")
                    .select());
            while (TestAccess.queuedNodes(b) == 0) {
                Green.sleep(Duration.ofMillis(1));
            }
            b.send("x");
            assertThat(h.join()).isEqualTo("bx");
            assertThat(TestAccess.queuedNodes(a) + TestAccess.queuedNodes(b) + TestAccess.queuedNodes(c)).isZero();
            assertThat(c.tryReceive()).isEmpty();
            return null;
        });
    }

    @Test
    void aWaitingSendCaseDeliversToALateReceiver() {
        Channel<Integer> out = Channel.rendezvous();
        rt.run(() -> {
            GreenHandle<String> h = Green.spawn(() -> Select.<String>create()
                    .onSend(out, 11, () -> "delivered")
                    .select());
            assertThat(out.receive()).isEqualTo(11);
            assertThat(h.join()).isEqualTo("delivered");
            return null;
        });
    }

    @Test
    void isFairAmongReadyCases() {
        Channel<Integer> a = Channel.unbounded();
        Channel<Integer> b = Channel.unbounded();
        Channel<Integer> c = Channel.unbounded();
        int rounds = 3000;
        for (int i = 0; i < rounds; i++) {
            a.send(i);
            b.send(i);
            c.send(i);
        }
        int[] hits = new int[3];
        Select<Integer> s = Select.<Integer>create()
                .onReceive(a, v -> 0)
                .onReceive(b, v -> 1)
                .onReceive(c, v -> 2);
        for (int i = 0; i < rounds; i++) {
            hits[s.select()]++;
        }
        // Each should get ~1000; a fixed-order select would give 3000/0/0.
        for (int h : hits) {
            assertThat(h).isBetween(800, 1200);
        }
    }

    @Test
    void aClosedChannelMakesItsCaseThrow() {
        Channel<Integer> a = Channel.rendezvous();
        a.close();
        assertThatThrownBy(() -> Select.<String>create().onReceive(a, v -> "a").select())
                .isInstanceOf(ChannelClosedException.class);
    }

    @Test
    void closeWakesAWaitingSelect() {
        Channel<Integer> a = Channel.rendezvous();
        rt.run(() -> {
            GreenHandle<String> h = Green.spawn(() -> Select.<String>create().onReceive(a, v -> "a").select());
            while (TestAccess.queuedNodes(a) == 0) {
                Green.sleep(Duration.ofMillis(1));
            }
            a.close();
            assertThatThrownBy(h::join).hasCauseInstanceOf(ChannelClosedException.class);
            return null;
        });
    }

    @Test
    void aCancelledSelectThrowsAndLeavesNothingQueued() {
        Channel<Integer> a = Channel.rendezvous();
        Channel<Integer> b = Channel.rendezvous();
        rt.run(() -> {
            CountDownLatch in = new CountDownLatch(1);
            GreenHandle<String> h = Green.spawn(() -> {
                in.countDown();
                return Select.<String>create().onReceive(a, v -> "a").onSend(b, 1, () -> "b").select();
            });
            in.await();
            while (TestAccess.queuedNodes(a) == 0) {
                Green.sleep(Duration.ofMillis(1));
            }
            h.cancel();
            assertThatThrownBy(h::join).hasCauseInstanceOf(CancelledException.class);
            return null;
        });
        assertThat(TestAccess.queuedNodes(a) + TestAccess.queuedNodes(b)).isZero();
    }

    @Test
    void aCancelledThreadCanStillSelectWithADefaultInItsCleanUpButNotWait() {
        Channel<Integer> a = Channel.bounded(4);
        a.trySend(7);
        rt.run(() -> {
            Thread.currentThread().interrupt(); // cancelled, as far as blocking operations go
            try {
                String got = Select.<String>create().onReceive(a, v -> "got " + v).orElse(() -> "none").select();
                assertThat(got).as("a non-blocking select does not check, as trySend/tryReceive").isEqualTo("got 7");
                assertThat(Select.<String>create().onReceive(a, v -> "got " + v).orElse(() -> "none").select())
                        .isEqualTo("none");
                assertThatThrownBy(() -> Select.<String>create().onReceive(a, v -> "got " + v)
                        .onTimeout(Duration.ofSeconds(10), () -> "timed out").select())
                        .as("a select that may wait checks").isInstanceOf(CancelledException.class);
            } finally {
                Thread.interrupted();
            }
            return null;
        });
    }

    /**
     * A select whose wait fails (here a StackOverflowError in park, as in a deep
     * recursion) must withdraw its cases: a case left queued would take a later
     * sender's value for a select nobody runs any more.
     */
    @Test
    void aSelectWhoseWaitFailsLeavesNoCaseBehindToSwallowAValue() {
        Channel<Integer> ch = Channel.rendezvous();
        Channel<Integer> out = Channel.rendezvous();
        // Near the end of the stack a select's park overflows (the JDK's freeze of a virtual
        // thread needs more stack than the select's own code). The case bodies are made here:
        // a lambda first linked near the end of the stack may fail its linkage for good.
        Function<Integer, String> received = v -> "received";
        Supplier<String> sent = () -> "sent";
        Supplier<String> timedOut = () -> "timed out";
        IntConsumer select = i -> Select.<String>create()
                .onReceive(ch, received)
                .onSend(out, i, sent)
                .onTimeout(Duration.ofMillis(1), timedOut)
                .select();
        NearStackEnd.Counts ends = rt.run(() -> NearStackEnd.call(select));
        assertThat(ends.firstOther).isNull();
        assertThat(ends.overflows).as("selects that overflowed").isPositive();
        assertThat(ch.trySend(1)).as("a value handed to a select that is gone").isFalse();
        assertThat(out.tryReceive()).as("a value taken from a select that is gone").isEmpty();
        assertThat(TestAccess.queuedNodes(ch) + TestAccess.queuedNodes(out)).as("cases left queued").isZero();
    }

    @Test
    void aSelectWithoutCasesIsRejected() {
        assertThatThrownBy(() -> Select.create().select()).isInstanceOf(IllegalStateException.class);
    }

    /** A default never waits, so a timeout beside it could never run: the select is refused, not half-run. */
    @Test
    void aSelectWithBothATimeoutAndADefaultIsRejected() {
        Channel<Integer> ch = Channel.bounded(1);
        ch.trySend(7);
        Select<String> both = Select.<String>create()
                .onReceive(ch, v -> "got " + v)
                .onTimeout(Duration.ofSeconds(1), () -> "timed out")
                .orElse(() -> "none");
        assertThatThrownBy(both::select).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not both");
        assertThat(ch.tryReceive()).as("nothing taken by the refused select").contains(7);
    }
}
