package io.verdant;

import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A slice that ended in a park without a blocker, whose thread was woken, ran on
 * the other carrier and ended there before the first carrier wrote the slice (a
 * carrier descheduled at that point under load). The carrier told "exit" from
 * "park" by the thread's state alone, so it wrote that slice as an exit too: the
 * trace held two exits of one thread (MXBeanTest counted 52 exit slices for 51
 * threads in CI). A fault hook holds the carrier at that point.
 */
@Timeout(60)
class TraceParkThenExitElsewhereTest {

    @AfterEach
    void unhook() {
        SchedulerTestAccess.onSliceEnding(null);
    }

    @Test
    void aParkedSliceWhoseThreadEndedOnAnotherCarrierIsAParkNotASecondExit() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).maxSpareCarriers(0).name("park-exit").build())) {
            TraceRecording trace = rt.startTrace();
            AtomicReference<Thread> parked = new AtomicReference<>();
            AtomicBoolean armed = new AtomicBoolean();
            AtomicBoolean endedElsewhere = new AtomicBoolean();
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch released = new CountDownLatch(1);
            SchedulerTestAccess.onSliceEnding(() -> {
                // The hook is global: only this runtime's carriers (a runtime another test
                // left behind may still end slices in this JVM).
                if (Thread.currentThread().getName().startsWith("park-exit-carrier-") && armed.compareAndSet(true, false)) {
                    held.countDown();
                    // This carrier: the park's dispatch over, its SLICE not written. The test
                    // wakes the thread; the other carrier takes it, and it ends there.
                    Thread t = parked.get();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (t.getState() != Thread.State.TERMINATED && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    endedElsewhere.set(t.getState() == Thread.State.TERMINATED);
                    released.countDown();
                }
            });
            GreenHandle<Void> h = rt.spawn(() -> {
                parked.set(Thread.currentThread());
                armed.set(true);
                LockSupport.park(); // no blocker; the hook's unpark ends it (a spurious return ends it too)
            });
            assertThat(held.await(20, TimeUnit.SECONDS)).as("the carrier ended the park's dispatch").isTrue();
            LockSupport.unpark(parked.get());
            h.join(Duration.ofSeconds(20));
            assertThat(released.await(30, TimeUnit.SECONDS)).as("the hook let the carrier go").isTrue();
            assertThat(endedElsewhere).as("the thread ended on the other carrier while the first was held").isTrue();
            trace.stop();
            List<TraceCostTest.Slice> mine = TraceCostTest.slices(trace).stream()
                    .filter(s -> s.pid().equals(h.pid().toString()))
                    .sorted(java.util.Comparator.comparingLong(TraceCostTest.Slice::begin)).toList();
            assertThat(mine).extracting(TraceCostTest.Slice::ended).containsExactly("park", "exit");
            assertThat(mine.get(0).tid()).as("the two slices ran on different carriers").isNotEqualTo(mine.get(1).tid());
        }
    }
}
