package io.verdant.internal.sched;

import io.verdant.Config;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import io.verdant.internal.GreenThread;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two green threads spawned from outside the runtime that can only finish
 * together (each spins, with no safepoint, until both have arrived) on two
 * carriers with spare carriers off, and with Sysmon's rescue of injected work
 * (the safety net that wakes an idle carrier a tick later) turned off: the
 * second carrier must be woken by the submission protocol itself.
 *
 * <p>The missed wake-up this catches (Scheduler, "Search and parking", step 5):
 * carrier 0 held the last search token, so the platform thread's signalWork
 * for both tasks woke nobody; carrier 0 then found nothing, gave the token back,
 * and its park() re-check saw the injected pair. It took one task and ran it,
 * and nobody woke carrier 1 for the other. Before the fix, 1-3 of 40
 * repetitions of 40 rounds failed that way on a loaded 2-core machine.
 */
@Timeout(120)
class OutsideSpawnWakeTest {
    /** Spins until {@code n} threads arrived; false after 2 s. */
    private static boolean meet(AtomicInteger arrived, int n) {
        arrived.incrementAndGet();
        long t0 = System.nanoTime();
        while (arrived.get() < n) {
            if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(2)) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    @RepeatedTest(40)
    void aPairSpawnedFromOutsideRunsTogetherWithoutTheSafetyNet() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).maxSpareCarriers(0).name("meet")
                .shutdownTimeout(Duration.ofSeconds(2)).build())) {
            Scheduler s = rt.run(() -> GreenThread.current().runtime().scheduler);
            s.sysmon().rescueInjected(false);
            for (int round = 0; round < 60; round++) {
                AtomicInteger arrived = new AtomicInteger();
                GreenHandle<Boolean> a = rt.spawn(() -> meet(arrived, 2));
                GreenHandle<Boolean> b = rt.spawn(() -> meet(arrived, 2));
                assertThat(a.join(Duration.ofSeconds(20))).as("round %d, first", round).isTrue();
                assertThat(b.join(Duration.ofSeconds(20))).as("round %d, second", round).isTrue();
            }
        }
    }
}
