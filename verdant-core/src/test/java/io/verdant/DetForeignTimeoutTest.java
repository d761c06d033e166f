package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Verdant timeout in a virtual thread started inside a green thread of a
 * deterministic runtime (an executor's task, a structured fork) runs on the
 * virtual clock, as a green thread's does: it fires at its virtual deadline
 * at once in real time, the same way on every run, instead of being waited
 * for in real time (and taken for a deadlock meanwhile).
 */
@Timeout(60)
class DetForeignTimeoutTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void aTimedReceiveInAnExecutorsTaskTimesOutInVirtualTime() {
        long t0 = System.nanoTime();
        String result = DetRuns.runDet(Determinism.seed(1), () -> {
            Channel<Integer> empty = Channel.unbounded();
            try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
                long start = Green.nanoTime();
                String got = ex.submit(() -> {
                    try {
                        return "received " + empty.receive(WAIT);
                    } catch (TimedOutException expected) {
                        return "timed out";
                    }
                }).get();
                return got + " after " + (Green.nanoTime() - start);
            }
        }, null);
        assertThat(result).isEqualTo("timed out after " + WAIT.toNanos());
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("real time").isLessThan(WAIT);
    }

    @Test
    void aTimedLockInAVirtualThreadTimesOutInVirtualTimeAndTheTraceRepeats() {
        String[] runs = new String[2];
        for (int i = 0; i < runs.length; i++) {
            java.util.List<ScheduleTrace> trace = new java.util.ArrayList<>();
            String r = DetRuns.runDet(Determinism.seed(3), () -> {
                Mutex<int[]> m = new Mutex<>(new int[1]);
                try (Mutex.Guard<int[]> held = m.lock(WAIT)) {
                    String[] out = new String[1];
                    Thread t = Thread.ofVirtual().start(() -> {
                        try (Mutex.Guard<int[]> g = m.lock(WAIT)) {
                            out[0] = "locked " + g.get()[0];
                        } catch (TimedOutException expected) {
                            out[0] = "timed out";
                        }
                    });
                    t.join();
                    return out[0] + " at " + Green.nanoTime() + " (held " + held.get().length + ")";
                }
            }, trace);
            runs[i] = r + " " + trace.getFirst();
        }
        assertThat(runs[0]).startsWith("timed out at " + WAIT.toNanos());
        assertThat(runs[1]).isEqualTo(runs[0]);
    }
}
