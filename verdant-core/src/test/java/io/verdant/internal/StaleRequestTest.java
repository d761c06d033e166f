package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.Priority;
import io.verdant.internal.sched.CarrierProbe;
import io.verdant.internal.sched.Worker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sysmon's stale requests (Sysmon, "Stale requests"): a request that reached a thread
 * just after it unmounted, to end a slice that is already over, is withdrawn once its
 * carrier has moved on, even if the thread runs again on another carrier. It used to be
 * left pending there and forgotten: a thread that then ran without a safepoint kept
 * Safepoints.pending above 0, and every checkpoint in the JVM on its slow path, for as
 * long as it ran.
 *
 * <p>The race (Sysmon reads the carrier's task; the task unmounts and runs again on
 * another carrier; Sysmon requests) is made certain with a carrier probe: Sysmon samples
 * the held carrier's CPU time at each pass until the probe answers (from the hold's first
 * tick), in the same pass and before it requests; once the hold is past the time slice
 * the probe has the thread park there and run again elsewhere.
 */
@Timeout(90)
class StaleRequestTest {

    @Test
    void aRequestForASliceThatEndedIsWithdrawnThoughTheThreadRunsOnElsewhere() throws Exception {
        RuntimeCore rt = new RuntimeCore(Config.builder().workers(2).name("stale-request").maxSpareCarriers(0)
                .timeslice(Duration.ofMillis(5)).stallThreshold(Duration.ofMillis(40)).build());
        AtomicBoolean parkNow = new AtomicBoolean();
        AtomicBoolean stopB = new AtomicBoolean();
        AtomicBoolean stopS = new AtomicBoolean();
        AtomicBoolean stopT = new AtomicBoolean();
        AtomicLong requestsBefore = new AtomicLong();
        AtomicReference<GreenThread<?>> sRef = new AtomicReference<>();
        CountDownLatch sResumed = new CountDownLatch(1);
        CountDownLatch fired = new CountDownLatch(1);
        CountDownLatch tQueued = new CountDownLatch(1);
        AtomicBoolean armed = new AtomicBoolean();
        AtomicInteger heldPasses = new AtomicInteger();
        try {
            rt.scheduler.sysmon().probe(new CarrierProbe() {
                @Override
                public long cpuNanos(Worker carrier) {
                    GreenThread<?> g = sRef.get();
                    if (fired.getCount() != 0 && g != null && carrier.currentTask() == g && !armed.get()) {
                        // Sysmon requests only if work was waiting when its pass began (T must
                        // have been queued before this pass) and S has held its carrier past
                        // the 5 ms slice: each pass adds at least a tick to the hold, so ten
                        // passes after T was queued. Long.MIN_VALUE is Sysmon's "not
                        // sampled": it asks again at the next pass.
                        armed.set(tQueued.getCount() == 0 && heldPasses.incrementAndGet() >= 10);
                        return Long.MIN_VALUE;
                    }
                    if (fired.getCount() != 0 && g != null && carrier.currentTask() == g) {
                        // Sysmon has read S as this carrier's task, held past its slice. Before
                        // it requests: S parks, T takes this carrier, B ends, and S, woken,
                        // runs on B's carrier.
                        parkNow.set(true);
                        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                        while (carrier.currentTask() == g && System.nanoTime() < end) {
                            LockSupport.parkNanos(100_000);
                        }
                        stopB.set(true);
                        LockSupport.unpark(g.vthread());
                        try {
                            sResumed.await(20, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        requestsBefore.set(rt.scheduler.sysmon().preemptionsRequested());
                        fired.countDown();
                    }
                    return CarrierProbe.JVM.cpuNanos(carrier);
                }

                @Override
                public boolean blocked(Worker carrier) {
                    return CarrierProbe.JVM.blocked(carrier);
                }
            });
            // B holds one carrier (no safepoint) so that T, spawned by S, waits in S's carrier's queue.
            CountDownLatch bRunning = new CountDownLatch(1);
            GreenThread<Object> b = rt.spawn(() -> {
                bRunning.countDown();
                while (!stopB.get()) {
                    Thread.onSpinWait();
                }
                return null;
            }, "stale-b", Priority.NORMAL);
            assertThat(bRunning.await(20, TimeUnit.SECONDS)).isTrue();
            CountDownLatch sReady = new CountDownLatch(1);
            GreenThread<Object> s = rt.spawn(() -> {
                sReady.await();
                // T runs when S parks, and then holds S's old carrier (no safepoint).
                Green.spawn(() -> {
                    while (!stopT.get()) {
                        Thread.onSpinWait();
                    }
                    return null;
                });
                tQueued.countDown();
                while (!parkNow.get()) {
                    Thread.onSpinWait();
                }
                while (!stopB.get()) {
                    LockSupport.park();
                }
                sResumed.countDown();
                while (!stopS.get()) {
                    Thread.onSpinWait(); // runs on with no safepoint
                }
                return null;
            }, "stale-s", Priority.NORMAL);
            sRef.set(s);
            sReady.countDown();
            assertThat(fired.await(30, TimeUnit.SECONDS)).as("the probe saw S held").isTrue();
            assertThat(sResumed.getCount()).as("S runs again, on B's carrier").isZero();
            // Sysmon goes on with the pass the probe held up: it asks S to end the slice
            // S has already left (a request counted and flagged while S runs elsewhere).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (rt.scheduler.sysmon().preemptionsRequested() == requestsBefore.get()) {
                assertThat(System.nanoTime()).as("Sysmon asked S to yield").isLessThan(deadline);
                Thread.sleep(1);
            }
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (s.preemptRequested()) {
                assertThat(System.nanoTime()).as("the stale request is withdrawn while S runs on").isLessThan(deadline);
                Thread.sleep(1);
            }
            assertThat(s.isDone()).isFalse();
            stopS.set(true);
            stopT.set(true);
            s.join(Duration.ofSeconds(20));
            b.join(Duration.ofSeconds(20));
        } finally {
            stopB.set(true);
            stopS.set(true);
            stopT.set(true);
            rt.close();
        }
    }
}
