package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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

    /**
     * Reused nodes deliver every value to the right thread: a ring of green threads
     * on one carrier (so they share its spare node) passing a counter, receiving in
     * turn plainly, with a timeout that expires first (an aborted node, not reused),
     * with a timeout that does not, and through a select (whose nodes are never
     * reused); each thread checks it sees every lap's value in order.
     */
    @Test
    void reusedNodesDeliverEveryValueToTheRightThread() {
        int size = 50;
        int laps = 200;
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("reuse").build())) {
            long last = rt.run(() -> {
                List<Channel<Long>> links = new ArrayList<>();
                for (int i = 0; i <= size; i++) {
                    links.add(Channel.rendezvous());
                }
                List<GreenHandle<Void>> ring = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    int me = i;
                    Channel<Long> in = links.get(i);
                    Channel<Long> out = links.get(i + 1);
                    ring.add(Green.spawn(() -> {
                        for (int lap = 0; lap < laps; lap++) {
                            long v = switch (lap % 4) {
                                case 0 -> in.receive();
                                case 1 -> {
                                    try {
                                        yield in.receive(Duration.ofMillis(1));
                                    } catch (TimedOutException e) {
                                        yield in.receive();
                                    }
                                }
                                case 2 -> in.receive(Duration.ofSeconds(30));
                                default -> Select.<Long>create().onReceive(in, x -> x).select();
                            };
                            if (v != (long) lap * (size + 1) + me) {
                                throw new AssertionError("thread " + me + " lap " + lap + " got " + v);
                            }
                            out.send(v + 1);
                        }
                        return null;
                    }));
                }
                long got = 0;
                for (int lap = 0; lap < laps; lap++) {
                    links.get(0).send((long) lap * (size + 1));
                    got = links.get(size).receive();
                    if (got != (long) lap * (size + 1) + size) {
                        throw new AssertionError("lap " + lap + " came back as " + got);
                    }
                }
                Green.joinAll(ring);
                return got;
            });
            assertThat(last).isEqualTo((long) (laps - 1) * (size + 1) + size);
        }
    }
}
