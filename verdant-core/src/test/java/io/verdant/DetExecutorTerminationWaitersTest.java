package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import static io.verdant.DetRuns.runDet;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Green threads waiting in an executor's {@code awaitTermination} are woken,
 * when its last task ends, in the order they began to wait: the same seed
 * gives the same schedule. Before, the executor kept its waiters in a map
 * keyed by thread and woke them in its iteration order, which follows the
 * threads' identity hashes (they depend on what the JVM did before: here,
 * threads made between the runs), so the runnable set they joined, and with
 * it the schedule, changed from run to run.
 */
@Timeout(120)
class DetExecutorTerminationWaitersTest {
    private static final int WAITERS = 6;
    private static final int RUNS = 20;

    /** The order the waiters woke in (their indices, as one string). */
    private static String wakeOrder() throws Exception {
        ExecutorService ex = Green.spawner().executor();
        ex.submit(() -> {
            Green.sleep(Duration.ofHours(1));
            return null;
        });
        ex.shutdown();
        StringBuilder order = new StringBuilder();
        List<GreenHandle<Void>> waiters = new ArrayList<>();
        for (int i = 0; i < WAITERS; i++) {
            int index = i;
            waiters.add(Green.spawn(() -> {
                if (!ex.awaitTermination(1, TimeUnit.DAYS)) {
                    throw new AssertionError("waiter " + index + " timed out");
                }
                order.append(index);
                return null;
            }));
        }
        Green.joinAll(waiters);
        return order.toString();
    }

    @Test
    void theSameSeedWakesTheWaitersInTheSameOrder() {
        for (Determinism d : List.of(Determinism.seed(5).natural(), Determinism.seed(5))) {
            Set<String> orders = new HashSet<>();
            List<ScheduleTrace> out = new ArrayList<>();
            for (int run = 0; run < RUNS; run++) {
                // Other threads made in the JVM between runs (by other tests, a pool, a logger)
                // change the identity hashes of the threads made after them.
                for (int i = 0; i < run % 16; i++) {
                    Thread.ofPlatform().unstarted(() -> { });
                }
                orders.add(runDet(d, DetExecutorTerminationWaitersTest::wakeOrder, out));
            }
            Set<ScheduleTrace> traces = new HashSet<>(out);
            assertThat(orders).as("wake orders of %s over %d runs", d, RUNS).hasSize(1);
            assertThat(traces).as("traces of %s over %d runs", d, RUNS).hasSize(1);
            if (d.strategy().equals("natural")) {
                // natural runs the woken threads in the order they were woken: the order they began to wait
                assertThat(orders).containsExactly("012345");
            }
        }
    }
}
