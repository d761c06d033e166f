package io.verdant.internal;

import io.verdant.Config;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A green thread whose exit empties its pid slot and then fails to make the
 * index available again (an OutOfMemoryError while the pid table moves a full
 * carrier cache to its pool, injected at the fault site POOL_GROWING; sending a
 * batch home allocates likewise) still ends: its join returns its value, and the
 * live count drops. Before the fix the error escaped PidTable.free after the
 * slot was emptied, so the thread's end was never written: it stayed alive for
 * ever and its join hung. Needs -Dio.verdant.internal.faults=true.
 */
@Timeout(60)
class ExitIndexReleaseOutOfMemoryTest {

    @AfterEach
    void removeHook() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aThreadWhoseIndexCannotBeReleasedStillEnds() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("exit-release-oom")
                .shutdownTimeout(Duration.ofSeconds(2)).build())) {
            // Spawned from this platform thread (indices from the pool, no home), they all
            // end on the one carrier: its cache fills to LOCAL_MAX, and the next exit moves
            // a batch to the pool, which must grow (it starts with room for 64).
            int n = PidTable.LOCAL_MAX + 8;
            CountDownLatch go = new CountDownLatch(1);
            List<GreenHandle<Integer>> handles = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int v = i;
                handles.add(rt.spawn(() -> {
                    go.await();
                    return v;
                }));
            }
            AtomicBoolean armed = new AtomicBoolean(true);
            SchedulerTestAccess.atSites((w, site) -> {
                // The hook is JVM-wide: only this runtime's carriers (its threads end there).
                if (site.equals("POOL_GROWING") && w != null && w.getName().startsWith("exit-release-oom-carrier-")
                        && armed.compareAndSet(true, false)) {
                    throw new OutOfMemoryError("injected: the pool's growth failed");
                }
            });
            go.countDown();
            // One deadline for all the joins: a loaded machine may hold the one carrier for
            // seconds between two exits, which a limit per join mistook for a hang.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int ended = 0;
            for (int i = 0; i < n; i++) {
                GreenHandle<Integer> h = handles.get(i);
                long left = Math.max(1, deadline - System.nanoTime());
                if (h.join(Duration.ofNanos(left)) == i) { // throws TimedOutException if it hangs
                    ended++;
                }
            }
            assertThat(armed).as("the growth was reached").isFalse();
            assertThat(ended).isEqualTo(n);
            assertThat(rt.liveThreads()).isZero();
        }
    }
}
