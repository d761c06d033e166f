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
import java.util.function.BooleanSupplier;

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
        HeldPass race = new HeldPass();
        AtomicLong aStarted = new AtomicLong();
        try {
            // A has held the carrier for three slices (Sysmon's hold is at least two) with B queued.
            race.install(rt, () -> System.nanoTime() - aStarted.get() >= 3 * sliceNanos, () -> { });
            CountDownLatch aRunning = new CountDownLatch(1);
            GreenThread<Object> a = rt.spawn(() -> {
                aStarted.set(System.nanoTime());
                aRunning.countDown();
                return race.holdCarrier();
            }, "observe-a", Priority.NORMAL);
            race.a.set(a);
            assertThat(aRunning.await(20, TimeUnit.SECONDS)).isTrue();
            GreenThread<Object> b = rt.spawn(race::spinWithCheckpoints, "observe-b", Priority.NORMAL);
            race.b.set(b);
            assertThat(race.requestsInHeldPass(rt))
                    .as("requests in the pass that saw B mount (B has run for no slice)").isZero();
            race.stopB.set(true);
            assertThat(b.join(Duration.ofSeconds(20))).isNull();
            assertThat(a.join(Duration.ofSeconds(20))).isNull();
        } finally {
            race.release(rt);
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
        HeldPass race = new HeldPass();
        AtomicReference<GreenThread<Object>> hRef = new AtomicReference<>();
        try {
            // HIGH work injected while the ticker is held (it is a platform thread), before rule b looks.
            race.install(rt, () -> true, () -> hRef.set(rt.spawn(() -> null, "observe-h", Priority.HIGH)));
            CountDownLatch aRunning = new CountDownLatch(1);
            GreenThread<Object> a = rt.spawn(() -> {
                // B waits in this carrier's queue; it runs when A leaves (CRITICAL, ahead of
                // the HIGH work injected meanwhile).
                race.b.set(rt.spawn(race::spinWithCheckpoints, "observe-b", Priority.CRITICAL));
                aRunning.countDown();
                return race.holdCarrier();
            }, "observe-a", Priority.LOW);
            race.a.set(a);
            assertThat(aRunning.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(race.requestsInHeldPass(rt))
                    .as("requests in the pass that saw B mount (B, CRITICAL, outranks the HIGH work)").isZero();
            race.stopB.set(true);
            assertThat(hRef.get().join(Duration.ofSeconds(20))).isNull();
            assertThat(a.join(Duration.ofSeconds(20))).isNull();
        } finally {
            race.release(rt);
        }
    }

    /**
     * What both tests share: A holds the only carrier (no safepoint) until the ticker,
     * held at SYSMON_OBSERVING between its two reads of the carrier, lets it leave and
     * waits there until B has taken the carrier; then the pass goes on and the test
     * counts the preemption requests it made.
     */
    private static final class HeldPass {
        final AtomicReference<GreenThread<?>> a = new AtomicReference<>();
        final AtomicReference<GreenThread<?>> b = new AtomicReference<>();
        final AtomicBoolean leaveA = new AtomicBoolean();
        final AtomicBoolean stopB = new AtomicBoolean();
        private final AtomicBoolean armed = new AtomicBoolean(true);
        private final AtomicLong requestsBefore = new AtomicLong();
        private final AtomicLong requestsAfter = new AtomicLong();
        private final AtomicBoolean bMounted = new AtomicBoolean();
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch passDone = new CountDownLatch(1);

        /**
         * Holds the first ticker pass that finds A running once {@code ready} says so:
         * A leaves, the hook waits for B to mount, runs {@code whileHeld}, and lets the
         * pass go on; the next pass marks the held one over.
         */
        void install(RuntimeCore rt, BooleanSupplier ready, Runnable whileHeld) {
            SchedulerTestAccess.atSites((carrier, site) -> {
                // The hook is JVM-wide: only this runtime's ticker, observing its own carrier. Another
                // runtime's ticker passing here after the hook let the held pass go on could mark
                // that pass over before its rules ran: the test would read the count before a
                // request the pass made, and pass with the defect in place.
                if (!site.equals("SYSMON_OBSERVING") || carrier.scheduler() != rt.scheduler) {
                    return;
                }
                if (held.getCount() == 0) {
                    if (passDone.getCount() != 0) {
                        // The next pass: the held one is over. Its requests are counted here,
                        // before this pass's rules: later passes may ask B to yield (its slice
                        // ends while work waits), and the test thread may read only after them.
                        requestsAfter.set(rt.scheduler.sysmon().preemptionsRequested());
                        passDone.countDown();
                    }
                    return;
                }
                GreenThread<?> ga = a.get();
                if (ga != null && b.get() != null && carrier.currentTask() == ga && ready.getAsBoolean()
                        && armed.compareAndSet(true, false)) {
                    requestsBefore.set(rt.scheduler.sysmon().preemptionsRequested());
                    leaveA.set(true);
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (carrier.currentTask() != b.get() && System.nanoTime() < end) {
                        LockSupport.parkNanos(50_000);
                    }
                    bMounted.set(carrier.currentTask() == b.get());
                    whileHeld.run();
                    held.countDown();
                }
            });
        }

        /** A's body: holds the only carrier, with no safepoint, until the held pass lets it leave. */
        Object holdCarrier() {
            while (!leaveA.get()) {
                Thread.onSpinWait();
            }
            return null;
        }

        /** B's body: runs with safepoints until the test stops it. */
        Object spinWithCheckpoints() {
            while (!stopB.get()) {
                Green.checkpoint();
                Thread.onSpinWait();
            }
            return null;
        }

        /** Waits for the held pass to end; the preemption requests it made, counted as the next pass began. */
        long requestsInHeldPass(RuntimeCore rt) throws InterruptedException {
            assertThat(held.await(30, TimeUnit.SECONDS)).as("the ticker was held between its reads").isTrue();
            assertThat(bMounted.get()).as("B took the carrier while the ticker was held").isTrue();
            assertThat(passDone.await(30, TimeUnit.SECONDS)).as("the held pass ended").isTrue();
            return requestsAfter.get() - requestsBefore.get();
        }

        void release(RuntimeCore rt) {
            SchedulerTestAccess.atSites(null);
            stopB.set(true);
            leaveA.set(true);
            rt.close();
        }
    }
}
