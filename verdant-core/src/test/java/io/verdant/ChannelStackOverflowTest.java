package io.verdant;

import io.verdant.internal.chan.ChannelImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.function.IntConsumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A green thread whose stack overflows inside a plain channel operation (a
 * receive or send near the end of a runaway recursion, whose park needs more
 * stack than is left) fails on its own: its waiting node does not stay queued,
 * so no later sender's value goes to a receiver that is gone, and no later
 * receiver takes the value of a send that threw; and it leaves the channel's
 * lock free.
 */
@Timeout(60)
class ChannelStackOverflowTest {

    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(1).name("channel-soe").build());
    }

    @AfterEach
    void close() {
        rt.close();
    }

    @Test
    void aReceiveThatOverflowsLeavesNoNodeToSwallowALaterValue() {
        Channel<Integer> ch = Channel.rendezvous();
        IntConsumer receive = i -> ch.receive(Duration.ofMillis(1));
        NearStackEnd.Counts ends = rt.run(() -> NearStackEnd.call(receive));
        assertThat(ends.overflows).as("receives that overflowed").isPositive();
        assertThat(ends.firstOther).isNull();
        assertThat(ch.trySend(1)).as("a value handed to a receiver that is gone").isFalse();
        assertThat(TestAccess.queuedNodes(ch)).as("nodes left queued").isZero();
    }

    @Test
    void aSendThatOverflowsLeavesNoNodeForALaterReceiverToTake() {
        Channel<Integer> ch = Channel.rendezvous();
        IntConsumer send = i -> ch.send(i, Duration.ofMillis(1));
        NearStackEnd.Counts ends = rt.run(() -> NearStackEnd.call(send));
        assertThat(ends.overflows).as("sends that overflowed").isPositive();
        assertThat(ends.firstOther).isNull();
        assertThat(ch.tryReceive()).as("a value taken from a send that threw").isEmpty();
        assertThat(TestAccess.queuedNodes(ch)).as("nodes left queued").isZero();
    }

    /**
     * Receives that overflow at every depth near the end of the stack leave the
     * channel's lock free and no receive node queued. The call releasing the lock can overflow where the one
     * taking it did not (SpinLock, "Overflow"); the lock then stayed held for ever
     * and every later operation on the channel spun. Thirty rounds, each with a
     * new channel on a new runtime of two carriers, as the depths at which the
     * release overflows move with what is compiled.
     */
    @Test
    void receivesThatOverflowAtEveryDepthLeaveTheChannelsLockFree() {
        for (int round = 0; round < 30; round++) {
            Channel<Integer> ch = Channel.rendezvous();
            IntConsumer receive = i -> ch.receive(Duration.ofMillis(1));
            NearStackEnd.Counts ends;
            try (Verdant two = Verdant.start(Config.builder().workers(2).name("channel-soe-2").build())) {
                ends = two.run(() -> NearStackEnd.call(1, 1, 2000, receive));
            }
            assertThat(ends.overflows).as("round %d: receives that overflowed", round).isPositive();
            assertThat(ends.firstOther).isNull();
            // Every receive has ended (run returned), so nobody holds the lock
            // legitimately; a plain try, which never spins, tells.
            ChannelImpl<?> impl = (ChannelImpl<?>) ch;
            boolean free = impl.tryLock();
            if (free) {
                impl.unlock();
            }
            assertThat(free).as("round %d: the channel's lock is free after the overflows", round).isTrue();
            // Nor may a receive node stay queued live: a send would hand its value to a
            // receiver that is gone (the try drops dead nodes, so none may be left after it).
            assertThat(ch.trySend(1)).as("round %d: a value handed to a receiver that is gone", round).isFalse();
            assertThat(TestAccess.queuedNodes(ch)).as("round %d: nodes left queued", round).isZero();
        }
    }
}
