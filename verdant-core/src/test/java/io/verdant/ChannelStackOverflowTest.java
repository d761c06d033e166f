package io.verdant;

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
 * receiver takes the value of a send that threw.
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
}
