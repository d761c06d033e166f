package io.verdant;

import io.verdant.internal.sched.SchedulerTestAccess;
import io.verdant.internal.sched.Ticker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A carrier held (descheduled under load) between the end of a dispatch in which
 * its thread parked and the clock read that ends the slice: meanwhile the thread
 * was woken and ran on the other carrier. The read came after that slice began, so
 * the trace showed the thread running on two carriers at once (its slice on the
 * first carrier ended after its slice on the second began). A fault hook holds the
 * carrier there until the ticker's coarse clock has moved, so the end is a clock read.
 */
@Timeout(60)
class TraceLateSliceEndTest {

    @AfterEach
    void unhook() {
        SchedulerTestAccess.onSliceEnding(null);
    }

    @Test
    void aThreadsSliceOnANewCarrierBeginsAfterItsSliceOnTheOldOneEnded() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).maxSpareCarriers(0).name("late-end").build())) {
            TraceRecording trace = rt.startTrace();
            AtomicReference<Thread> parked = new AtomicReference<>();
            AtomicBoolean armed = new AtomicBoolean();
            AtomicBoolean ranElsewhere = new AtomicBoolean();
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch released = new CountDownLatch(1);
            SchedulerTestAccess.onSliceEnding(() -> {
                // The hook is global: only this runtime's carriers (a runtime another test
                // left behind may still end slices in this JVM).
                if (Thread.currentThread().getName().startsWith("late-end-carrier-") && armed.compareAndSet(true, false)) {
                    held.countDown();
                    // This carrier: the first park's dispatch over, its end not read. The test
                    // wakes the thread; the other carrier takes it, and it parks again there.
                    Thread t = parked.get();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (!"second park".equals(LockSupport.getBlocker(t)) && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    ranElsewhere.set("second park".equals(LockSupport.getBlocker(t)));
                    // Until the coarse clock moves: the slice then ends at a clock read, now.
                    long coarse = Ticker.coarseNanos;
                    while (Ticker.coarseNanos == coarse && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    released.countDown();
                }
            });
            GreenHandle<Void> h = rt.spawn(() -> {
                parked.set(Thread.currentThread());
                armed.set(true);
                LockSupport.park("first park");
                LockSupport.park("second park");
            });
            assertThat(held.await(20, TimeUnit.SECONDS)).as("the carrier ended the first park's dispatch").isTrue();
            LockSupport.unpark(parked.get());
            assertThat(released.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(ranElsewhere).as("the thread ran on the other carrier while the first was held").isTrue();
            LockSupport.unpark(parked.get());
            h.join(Duration.ofSeconds(20));
            trace.stop();
            List<TraceCostTest.Slice> mine = TraceCostTest.slices(trace).stream()
                    .filter(s -> s.pid().equals(h.pid().toString()))
                    .sorted(Comparator.comparingLong(TraceCostTest.Slice::begin)).toList();
            assertThat(mine).extracting(TraceCostTest.Slice::ended).containsExactly("park", "park", "exit");
            assertThat(mine.get(0).tid()).as("the first two slices ran on different carriers").isNotEqualTo(mine.get(1).tid());
            assertThat(mine.get(0).end()).as("the end of the thread's slice on the first carrier")
                    .isLessThanOrEqualTo(mine.get(1).begin());
        }
    }
}
