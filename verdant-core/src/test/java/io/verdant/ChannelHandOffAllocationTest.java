package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rendezvous hand-off between green threads allocates nothing of Verdant's:
 * the node a parked operation waits on is reused through its carrier (see
 * ChannelImpl, "Node reuse"). Counted in bytes, not timed, so the machine's
 * load does not matter. Before node reuse every hand-off allocated its node
 * (56 bytes, then 40).
 */
@Timeout(60)
class ChannelHandOffAllocationTest {
    /** Round trips per phase: each is two hand-offs, each of which parks its sender's partner. */
    private static final int ROUNDS = 50_000;

    @Test
    void aPingPongOnOneCarrierAllocatesNoNodePerHandOff() throws Exception {
        // com.sun.management's getTotalThreadAllocatedBytes, by reflection: the module
        // under test does not read jdk.management (reflection needs no read edge).
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Class<?> hotspot = Class.forName("com.sun.management.ThreadMXBean");
        Method total = hotspot.getMethod("getTotalThreadAllocatedBytes");
        if (!hotspot.isInstance(mx) || (long) total.invoke(mx) < 0) {
            return; // nothing to count on this JVM
        }
        Object ball = new Object();
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("alloc").build())) {
            long[] bytes = rt.run(() -> {
                Channel<Object> ping = Channel.rendezvous();
                Channel<Object> pong = Channel.rendezvous();
                GreenHandle<Void> echo = Green.spawn(() -> {
                    for (int i = 0; i < 2 * ROUNDS; i++) {
                        pong.send(ping.receive());
                    }
                    return null;
                });
                long[] out = new long[2];
                for (int phase = 0; phase < 2; phase++) {
                    // Phase 0 warms the JIT up; phase 1 is counted. The carrier is one
                    // platform thread: green threads' allocations are counted on it.
                    long before = allocated(total, mx);
                    for (int i = 0; i < ROUNDS; i++) {
                        ping.send(ball);
                        pong.receive();
                    }
                    out[phase] = allocated(total, mx) - before;
                }
                echo.join();
                return out;
            });
            double perHandOff = bytes[1] / (2.0 * ROUNDS);
            // A node was 40 bytes (56 before that); what is left is noise from other
            // threads (ticker, JUnit) and the JDK's occasional stack chunk.
            assertThat(perHandOff).as("bytes allocated per hand-off (all threads)").isLessThan(16.0);
        }
    }

    private static long allocated(Method total, ThreadMXBean mx) {
        try {
            return (long) total.invoke(mx);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
