package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.function.Consumer;

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

    /** Recurses until the stack overflows, then runs {@code op} on the way back near the end of the stack. */
    private static int overflowingIn(Consumer<Integer> op) {
        int[] overflows = new int[1];
        new Object() {
            int deepest = -1;

            void dive(int depth) {
                try {
                    dive(depth + 1);
                } catch (StackOverflowError e) {
                    deepest = Math.max(deepest, depth);
                }
                // Near the end of the stack the park overflows (the JDK's freeze of a virtual
                // thread needs more stack than the channel's own code); not at the very end,
                // where the operation overflows in its own code before it queues a node.
                if (depth > deepest - 100 || depth < deepest - 2000 || (deepest - depth) % 20 != 0) {
                    return;
                }
                try {
                    op.accept(depth);
                } catch (StackOverflowError e) {
                    overflows[0]++;
                } catch (TimedOutException expected) {
                    // the operation's normal end here: nobody is on the other side
                }
            }
        }.dive(0);
        return overflows[0];
    }

    @Test
    void aReceiveThatOverflowsLeavesNoNodeToSwallowALaterValue() {
        Channel<Integer> ch = Channel.rendezvous();
        int overflows = rt.run(() -> overflowingIn(depth -> ch.receive(Duration.ofMillis(1))));
        assertThat(overflows).as("receives that overflowed").isPositive();
        assertThat(ch.trySend(1)).as("a value handed to a receiver that is gone").isFalse();
        assertThat(TestAccess.queuedNodes(ch)).as("nodes left queued").isZero();
    }

    @Test
    void aSendThatOverflowsLeavesNoNodeForALaterReceiverToTake() {
        Channel<Integer> ch = Channel.rendezvous();
        int overflows = rt.run(() -> overflowingIn(depth -> ch.send(depth, Duration.ofMillis(1))));
        assertThat(overflows).as("sends that overflowed").isPositive();
        assertThat(ch.tryReceive()).as("a value taken from a send that threw").isEmpty();
        assertThat(TestAccess.queuedNodes(ch)).as("nodes left queued").isZero();
    }
}
