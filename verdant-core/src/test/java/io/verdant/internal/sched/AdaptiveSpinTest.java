package io.verdant.internal.sched;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import io.verdant.internal.GreenThread;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The adaptive spin (Scheduler, "Adaptive spin"), in budgets and counts: work
 * that comes from outside at long intervals (far longer than SPIN_NANOS, as
 * HTTP requests reach an idle carrier) shrinks every carrier's spin to the
 * floor, and a spawn burst afterwards still unparks the other carrier only
 * rarely: its spins find the spawns, or a park ended soon after a spin grows
 * the budget back.
 */
@Timeout(120)
class AdaptiveSpinTest {

    @Test
    void spinsThatExpireShrinkToTheFloorAndABurstStillUnparksRarely() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("adaptive").build())) {
            Scheduler s = rt.run(() -> GreenThread.current().runtime().scheduler);
            // Work from a platform thread every 2 ms: each carrier that runs it searches,
            // spins to the end of its budget (nothing else comes within 20 us) and parks.
            for (int i = 0; i < 120; i++) {
                rt.run(() -> 1);
                Thread.sleep(2); // the gap between two pieces of outside work
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!s.allIdle() && System.nanoTime() - deadline < 0) {
                Thread.sleep(1);
            }
            long spins = 0;
            for (Worker w : s.workers()) {
                spins += w.counters.spinPhases;
            }
            assertThat(spins).as("spin phases").isGreaterThan(0);
            for (Worker w : s.workers()) {
                if (w.counters.spinPhases >= 40) { // 17 expiries in a row take 20 us down to the floor
                    // Read after the carrier parked (allIdle: its registration under the idle
                    // lock, after its last search wrote the budget).
                    // At the floor, or twice it if the last spin happened to find work.
                    assertThat(w.spinBudget).as("spin budget of %s", w.getName())
                            .isLessThanOrEqualTo(2 * Scheduler.SPIN_FLOOR_NANOS);
                }
            }
            int n = 50_000;
            long w0 = s.wakeupsIssued();
            rt.run(() -> {
                @SuppressWarnings("unchecked")
                GreenHandle<Void>[] hs = (GreenHandle<Void>[]) new GreenHandle<?>[n];
                for (int i = 0; i < n; i++) {
                    hs[i] = Green.spawn(() -> { });
                }
                for (GreenHandle<Void> h : hs) {
                    h.join(Duration.ofSeconds(30));
                }
                return null;
            });
            long wakeups = s.wakeupsIssued() - w0;
            System.out.printf("after outside work every 2 ms: spin phases=%d; spawn burst n=%d: wakeups=%d%n",
                    spins, n, wakeups);
            // Loaded machines saw 1,061-5,827 (a descheduled carrier's spin ends without work);
            // a carrier that parked between spawns would be woken for most of the 50,000.
            assertThat(wakeups).as("idle carriers unparked for a burst of %d spawns", n).isLessThanOrEqualTo(n / 5);
        }
    }
}
