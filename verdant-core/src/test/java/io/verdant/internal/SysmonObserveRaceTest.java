package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.Priority;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sysmon reads two values per carrier at each pass, its dispatch count and its
 * current task (Sysmon, "Observation"). A carrier that moved on between the two
 * reads (A, which held it past its time slice, left, and B was dispatched) must
 * not have B judged by A's hold. It was: the count read first was A's, so the
 * hold looked unbroken, and the task read second was B, so B, just mounted, was
 * asked to yield for A's slice (and, past the stall threshold, reported as the
 * stalled thread). The fault site SYSMON_OBSERVING holds the ticker between the
 * two reads while A leaves and B takes the carrier.
 */
@Timeout(60)
class SysmonObserveRaceTest {

    @AfterEach
    void uninstall() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aTaskMountedBetweenSysmonsTwoReadsIsNotJudgedByThePreviousTasksHold() throws Exception {
        long sliceNanos = TimeUnit.MILLISECONDS.toNanos(20);
        RuntimeCore rt = new RuntimeCore(Config.builder().workers(1).name("observe-race").maxSpareCarriers(0)
                .timeslice(Duration.ofNanos(sliceNanos)).stallThreshold(Duration.ofSeconds(30))
                .shutdownTimeout(Duration.ofSeconds(2)).build());
        AtomicReference<GreenThread<?>> aRef = new AtomicReference<>();
        AtomicReference<GreenThread<?>> bRef = new AtomicReference<>();
        AtomicLong aStarted = new AtomicLong();
        AtomicBoolean leaveA = new AtomicBoolean();
        AtomicBoolean stopB = new AtomicBoolean();
        AtomicBoolean armed = new AtomicBoolean(true);
        AtomicLong requestsBefore = new AtomicLong();
        AtomicBoolean bMounted = new AtomicBoolean();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch passDone = new CountDownLatch(1);
        try {
            SchedulerTestAccess.atSites((carrier, site) -> {
                if (!site.equals("SYSMON_OBSERVING")) {
                    return;
                }
                if (held.getCount() == 0) {
                    passDone.countDown(); // the next pass: the held one is over
                    return;
                }
                GreenThread<?> a = aRef.get();
                // A has held the carrier for three slices (Sysmon's hold is at least two) with B queued.
                if (a != null && bRef.get() != null && carrier.currentTask() == a
                        && System.nanoTime() - aStarted.get() >= 3 * sliceNanos && armed.compareAndSet(true, false)) {
                    requestsBefore.set(rt.scheduler.sysmon().preemptionsRequested());
                    leaveA.set(true);
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (carrier.currentTask() != bRef.get() && System.nanoTime() < end) {
                        LockSupport.parkNanos(50_000);
                    }
                    bMounted.set(carrier.currentTask() == bRef.get());
                    held.countDown();
                }
            });
            CountDownLatch aRunning = new CountDownLatch(1);
            GreenThread<Object> a = rt.spawn(() -> {
                aStarted.set(System.nanoTime());
                aRunning.countDown();
                while (!leaveA.get()) {
                    Thread.onSpinWait(); // no safepoint: holds the only carrier
                }
                return null;
            }, "observe-a", Priority.NORMAL);
            aRef.set(a);
            assertThat(aRunning.await(20, TimeUnit.SECONDS)).isTrue();
            GreenThread<Object> b = rt.spawn(() -> {
                while (!stopB.get()) {
                    Green.checkpoint();
                    Thread.onSpinWait();
                }
                return null;
            }, "observe-b", Priority.NORMAL);
            bRef.set(b);
            assertThat(held.await(30, TimeUnit.SECONDS)).as("the ticker was held between its reads").isTrue();
            assertThat(bMounted.get()).as("B took the carrier while the ticker was held").isTrue();
            assertThat(passDone.await(30, TimeUnit.SECONDS)).as("the held pass ended").isTrue();
            assertThat(rt.scheduler.sysmon().preemptionsRequested() - requestsBefore.get())
                    .as("requests in the pass that saw B mount (B has run for no slice)").isZero();
            stopB.set(true);
            assertThat(b.join(Duration.ofSeconds(20))).isNull();
            assertThat(a.join(Duration.ofSeconds(20))).isNull();
        } finally {
            SchedulerTestAccess.atSites(null);
            stopB.set(true);
            leaveA.set(true);
            rt.close();
        }
    }

    /**
     * Priority rule b asks the carrier running the lowest-priority task to yield to
     * injected work of a higher priority. It chose the carrier by the task it saw
     * there (A, LOW), but asked whatever ran there at the end of the pass: B, a
     * CRITICAL thread that took the carrier meanwhile, was asked to yield to HIGH
     * work. Now only the task judged is asked.
     */
    @Test
    void priorityRuleBAsksOnlyTheTaskItJudged() throws Exception {
        RuntimeCore rt = new RuntimeCore(Config.builder().workers(1).name("observe-rule-b").maxSpareCarriers(0)
                .timeslice(Duration.ofMillis(200)).stallThreshold(Duration.ofSeconds(30))
                .shutdownTimeout(Duration.ofSeconds(2)).build());
        AtomicReference<GreenThread<?>> aRef = new AtomicReference<>();
        AtomicReference<GreenThread<?>> bRef = new AtomicReference<>();
        AtomicReference<GreenThread<Object>> hRef = new AtomicReference<>();
        AtomicBoolean leaveA = new AtomicBoolean();
        AtomicBoolean stopB = new AtomicBoolean();
        AtomicBoolean armed = new AtomicBoolean(true);
        AtomicLong requestsBefore = new AtomicLong();
        AtomicBoolean bMounted = new AtomicBoolean();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch passDone = new CountDownLatch(1);
        try {
            SchedulerTestAccess.atSites((carrier, site) -> {
                if (!site.equals("SYSMON_OBSERVING")) {
                    return;
                }
                if (held.getCount() == 0) {
                    passDone.countDown();
                    return;
                }
                GreenThread<?> a = aRef.get();
                if (a != null && bRef.get() != null && carrier.currentTask() == a && armed.compareAndSet(true, false)) {
                    requestsBefore.set(rt.scheduler.sysmon().preemptionsRequested());
                    leaveA.set(true);
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (carrier.currentTask() != bRef.get() && System.nanoTime() < end) {
                        LockSupport.parkNanos(50_000);
                    }
                    bMounted.set(carrier.currentTask() == bRef.get());
                    // HIGH work injected now (the ticker is a platform thread), before rule b looks.
                    hRef.set(rt.spawn(() -> null, "observe-h", Priority.HIGH));
                    held.countDown();
                }
            });
            CountDownLatch aRunning = new CountDownLatch(1);
            GreenThread<Object> a = rt.spawn(() -> {
                // B waits in this carrier's queue; it runs when A leaves (CRITICAL, ahead of
                // the HIGH work injected meanwhile).
                bRef.set(rt.spawn(() -> {
                    while (!stopB.get()) {
                        Green.checkpoint();
                        Thread.onSpinWait();
                    }
                    return null;
                }, "observe-b", Priority.CRITICAL));
                aRunning.countDown();
                while (!leaveA.get()) {
                    Thread.onSpinWait(); // no safepoint: holds the only carrier
                }
                return null;
            }, "observe-a", Priority.LOW);
            aRef.set(a);
            assertThat(aRunning.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(held.await(30, TimeUnit.SECONDS)).as("the ticker was held between its reads").isTrue();
            assertThat(bMounted.get()).as("B took the carrier while the ticker was held").isTrue();
            assertThat(passDone.await(30, TimeUnit.SECONDS)).as("the held pass ended").isTrue();
            assertThat(rt.scheduler.sysmon().preemptionsRequested() - requestsBefore.get())
                    .as("requests in the pass that saw B mount (B, CRITICAL, outranks the HIGH work)").isZero();
            stopB.set(true);
            assertThat(hRef.get().join(Duration.ofSeconds(20))).isNull();
            assertThat(a.join(Duration.ofSeconds(20))).isNull();
        } finally {
            SchedulerTestAccess.atSites(null);
            stopB.set(true);
            leaveA.set(true);
            rt.close();
        }
    }
}
