package io.verdant;

import static org.assertj.core.api.Assertions.assertThat;

import io.verdant.internal.sched.SchedulerTestAccess;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A trace started while a carrier searches for work. The carrier reads its
 * trace ring once at the top of its turn; a search that then found a thread
 * spawned after startTrace() returned ran that thread's first slice untraced,
 * so a one-slice thread was missing from the trace (seen once in
 * TraceStopTest under load). A fault hook holds the carrier inside its search
 * while the trace starts and the thread is spawned.
 */
@Timeout(60)
class TraceStartRaceTest {

    @AfterEach
    void unhook() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aThreadSpawnedAfterTheStartAndFoundByASearchBegunBeforeItIsTraced() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name("trace-start-race").build())) {
            AtomicBoolean armed = new AtomicBoolean();
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            SchedulerTestAccess.atSites((w, site) -> {
                if (site.equals("SEARCH") && armed.compareAndSet(true, false)) {
                    held.countDown();
                    try {
                        release.await(); // the carrier, its turn begun with no trace, searching
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            TraceRecording trace;
            GreenHandle<Integer> h;
            try {
                rt.spawn(() -> armed.set(true)).join(Duration.ofSeconds(20));
                assertThat(held.await(20, TimeUnit.SECONDS)).as("the carrier searches").isTrue();
                trace = rt.startTrace();
                h = rt.spawn(() -> 42);
            } finally {
                release.countDown();
            }
            assertThat(h.join(Duration.ofSeconds(20))).isEqualTo(42);
            trace.stop();
            List<TraceCostTest.Slice> mine = TraceCostTest.slices(trace).stream()
                    .filter(s -> s.pid().equals(h.pid().toString())).toList();
            assertThat(mine).extracting(TraceCostTest.Slice::ended).containsExactly("exit");
        }
    }
}
