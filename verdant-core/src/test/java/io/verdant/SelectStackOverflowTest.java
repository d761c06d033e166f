package io.verdant;

import io.verdant.internal.chan.ChannelImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Selects that overflow the stack at every depth near the end of a runaway
 * recursion (in their registration, their wait or their clean-up, also at the
 * entry of a call there) leave no case queued in a channel and no channel's
 * lock held: afterwards no value goes to a select that is gone, none is taken
 * from one, and every channel works from a fresh thread.
 */
@Timeout(120)
class SelectStackOverflowTest {

    /**
     * A select over three channels (two receive cases and a send case, nobody on
     * the other side, a 1 ms timeout), called at every frame from the deepest
     * point up to 2000 frames above it. Eight rounds, each with new channels on a
     * new runtime of two carriers, as the depths at which the calls overflow move
     * with what is compiled.
     */
    @Test
    void selectsThatOverflowAtEveryDepthLeaveNoCaseQueuedAndNoChannelLocked() {
        for (int round = 0; round < 8; round++) {
            Channel<Integer> a = Channel.rendezvous();
            Channel<Integer> b = Channel.rendezvous();
            Channel<Integer> c = Channel.rendezvous();
            List<Channel<Integer>> all = List.of(a, b, c);
            // The case bodies are made here: a lambda first linked near the end of the
            // stack may fail its linkage for good (NearStackEnd).
            Function<Integer, String> received = v -> "received";
            Supplier<String> sent = () -> "sent";
            Supplier<String> timedOut = () -> "timed out";
            IntConsumer select = i -> Select.<String>create()
                    .onReceive(a, received)
                    .onReceive(b, received)
                    .onSend(c, i, sent)
                    .onTimeout(Duration.ofMillis(1), timedOut)
                    .select();
            try (Verdant two = Verdant.start(Config.builder().workers(2).name("select-soe").build())) {
                NearStackEnd.Counts ends = two.spawn(() -> NearStackEnd.call(1, 1, 2000, select))
                        .join(Duration.ofSeconds(60));
                assertThat(ends.overflows).as("round %d: selects that overflowed", round).isPositive();
                assertThat(ends.firstOther).as("round %d: other failure", round).isNull();
                // Every select has ended (join returned): nobody holds a channel's lock
                // legitimately; a plain try, which never spins, tells.
                for (Channel<Integer> ch : all) {
                    ChannelImpl<?> impl = (ChannelImpl<?>) ch;
                    boolean free = impl.tryLock();
                    if (free) {
                        impl.unlock();
                    }
                    assertThat(free).as("round %d: %s's lock is free", round, ch).isTrue();
                }
                // No live case: nothing goes to or comes from a select that is gone. The
                // tries drop dead cases, so none may be queued afterwards either.
                boolean[] live = two.spawn(() -> new boolean[] {
                        a.trySend(1), b.trySend(2), c.tryReceive().isPresent()}).join(Duration.ofSeconds(20));
                assertThat(live).as("round %d: a value handed to or taken from a select that is gone", round)
                        .containsExactly(false, false, false);
                for (Channel<Integer> ch : all) {
                    assertThat(TestAccess.queuedNodes(ch)).as("round %d: cases left queued in %s", round, ch)
                            .isZero();
                }
                for (Channel<Integer> ch : all) {
                    assertThat(freshThreadsPassAValue(two, ch)).as("round %d: %s carries a value", round, ch)
                            .isEqualTo(7);
                    assertThat(two.spawn(() -> ch.close()).join(Duration.ofSeconds(20))).as("round %d: close", round)
                            .isTrue();
                }
            }
        }
    }

    /** A fresh receiver and a fresh sender of {@code rt} pass 7 over {@code ch}, with timeouts. */
    private static int freshThreadsPassAValue(Verdant rt, Channel<Integer> ch) {
        GreenHandle<Integer> receiver = rt.spawn(() -> ch.receive(Duration.ofSeconds(20)));
        rt.spawn(() -> {
            ch.send(7, Duration.ofSeconds(20));
            return null;
        }).join(Duration.ofSeconds(30));
        return receiver.join(Duration.ofSeconds(30));
    }
}
