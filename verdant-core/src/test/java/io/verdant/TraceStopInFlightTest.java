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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A trace stopped while a carrier is between the end of a slice (its SLICE event
 * written) and the end of its turn. The stop asks which slices are in flight;
 * the carrier's current task used to be cleared only after the SLICE was
 * published, so the stop took the ended slice for a running one, waited its
 * whole bound for a second SLICE and cut a phantom "running" slice of the task
 * to the stop time (seen under load in TraceViewTest: the task "running" on two
 * carriers at once). A fault hook holds the carrier at that point.
 */
@Timeout(60)
class TraceStopInFlightTest {

    @AfterEach
    void unhook() {
        SchedulerTestAccess.onSliceWritten(null);
    }

    /**
     * The other side: a carrier whose dispatch returned (current cleared) and whose
     * SLICE is not written yet, as a carrier descheduled there under load. The stop
     * must wait for that SLICE: it used to see neither a current task nor the SLICE,
     * drained without it, and the slice (the last of a thread that exited, whose
     * join() had returned) was missing (TraceSearchingCarrierTest, TraceWakeSourcesTest).
     */
    @Test
    void aSliceWhoseDispatchReturnedButWhoseSliceIsNotWrittenYetIsWaitedFor() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name("stop-ending").build())) {
            TraceRecording trace = rt.startTrace();
            AtomicBoolean armed = new AtomicBoolean();
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            SchedulerTestAccess.onSliceEnding(() -> {
                // The hook is global: only this runtime's carriers (a runtime another test
                // left behind may still end slices in this JVM).
                if (Thread.currentThread().getName().startsWith("stop-ending-carrier-") && armed.compareAndSet(true, false)) {
                    held.countDown();
                    try {
                        release.await(); // the carrier, h's dispatch over, h's SLICE not written
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            GreenHandle<Void> h = rt.spawn(() -> armed.set(true)); // one slice, ended by its exit
            Thread stopper = new Thread(trace::stop, "stopper");
            try {
                assertThat(held.await(20, TimeUnit.SECONDS)).as("the carrier ended h's dispatch").isTrue();
                stopper.start();
                // Until the stop waits (it parks between looks) or has returned without waiting.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (stopper.getState() != Thread.State.TIMED_WAITING && stopper.getState() != Thread.State.TERMINATED) {
                    assertThat(System.nanoTime()).as("the stop runs").isLessThan(deadline);
                    Thread.onSpinWait();
                }
            } finally {
                release.countDown();
            }
            stopper.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(stopper.isAlive()).isFalse();
            h.join(Duration.ofSeconds(20));
            List<TraceCostTest.Slice> mine = TraceCostTest.slices(trace).stream()
                    .filter(s -> s.pid().equals(h.pid().toString())).toList();
            assertThat(mine).extracting(TraceCostTest.Slice::ended).containsExactly("exit");
        }
    }

    @Test
    void aSliceThatEndedBeforeTheStopIsNotCutAgainAsStillRunning() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name("stop-inflight").build())) {
            TraceRecording trace = rt.startTrace();
            AtomicBoolean armed = new AtomicBoolean();
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            SchedulerTestAccess.onSliceWritten(() -> {
                if (Thread.currentThread().getName().startsWith("stop-inflight-carrier-") && armed.compareAndSet(true, false)) {
                    held.countDown();
                    try {
                        release.await(); // the carrier, past h's SLICE, in the same turn
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            GreenHandle<Void> h = rt.spawn(() -> armed.set(true)); // one slice, ended by its exit
            try {
                assertThat(held.await(20, TimeUnit.SECONDS)).as("the carrier wrote h's slice").isTrue();
                trace.stop();
            } finally {
                release.countDown();
            }
            h.join(Duration.ofSeconds(20));
            List<TraceCostTest.Slice> mine = TraceCostTest.slices(trace).stream()
                    .filter(s -> s.pid().equals(h.pid().toString())).toList();
            assertThat(mine).extracting(TraceCostTest.Slice::ended).containsExactly("exit");
        }
    }
}
