package io.verdant.internal.sched;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import io.verdant.internal.GreenThread;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The wake-up protocol's cost in counts, not time (the machine may be loaded):
 * how many times an idle carrier is unparked (Scheduler.wakeupsIssued) and how
 * many times carriers park, while one green thread spawns many short children on
 * a two-carrier runtime. The other carrier steals and runs the children; each
 * time it runs out of work it searches, spins (Scheduler.SPIN_NANOS) holding its
 * search token, and only then parks. Without the spin phase it parked after every
 * child or two and every next spawn unparked it again.
 */
@Timeout(120)
class SpawnWakeCountTest {

    /** Spawns {@code n} no-op children, busy-waiting {@code gapNanos} after each, then joins them. */
    private static void spawnAll(int n, long gapNanos) {
        @SuppressWarnings("unchecked")
        GreenHandle<Void>[] hs = (GreenHandle<Void>[]) new GreenHandle<?>[n];
        for (int i = 0; i < n; i++) {
            hs[i] = Green.spawn(() -> { });
            long t0 = System.nanoTime();
            while (System.nanoTime() - t0 < gapNanos) {
                Thread.onSpinWait();
            }
        }
        for (GreenHandle<Void> h : hs) {
            h.join(Duration.ofSeconds(30));
        }
    }

    /** Wake-ups issued and parks during {@code spawnAll(n, gapNanos)} on {@code rt}, after a warm-up. */
    private static long[] counts(Verdant rt, Scheduler s, int n, long gapNanos) throws Exception {
        rt.run(() -> {
            spawnAll(n, gapNanos);
            return null;
        });
        long w0 = s.wakeupsIssued();
        long p0 = rt.metrics().parks();
        rt.run(() -> {
            spawnAll(n, gapNanos);
            return null;
        });
        return new long[] {s.wakeupsIssued() - w0, rt.metrics().parks() - p0};
    }

    /**
     * Spawns {@code n} children one at a time; after each, keeps its own carrier
     * busy until the other carrier has stolen and run the child, and then for
     * {@code gapNanos} more: long enough for a carrier without a spin phase to
     * have parked again before the next spawn.
     */
    private static void handOffOneByOne(int n, long gapNanos) {
        for (int i = 0; i < n; i++) {
            java.util.concurrent.atomic.AtomicBoolean ran = new java.util.concurrent.atomic.AtomicBoolean();
            GreenHandle<Void> h = Green.spawn(() -> ran.set(true));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!ran.get() && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
            }
            long t0 = System.nanoTime();
            while (System.nanoTime() - t0 < gapNanos) {
                Thread.onSpinWait();
            }
            h.join(Duration.ofSeconds(30));
        }
    }

    /** Wake-ups issued during {@code handOffOneByOne(n, gapNanos)} with the spin phase set to {@code spinNanos}. */
    private static long handOffWakeups(int n, long gapNanos, long spinNanos) throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).maxSpareCarriers(0).name("handoff").build())) {
            Scheduler s = rt.run(() -> GreenThread.current().runtime().scheduler);
            s.spinNanos(spinNanos);
            long w0 = s.wakeupsIssued();
            rt.run(() -> {
                handOffOneByOne(n, gapNanos);
                return null;
            });
            return s.wakeupsIssued() - w0;
        }
    }

    /**
     * The mechanism of the spin phase, shown with counts: while the other carrier
     * spins holding its search token, a spawn finds a searcher and unparks nobody;
     * the searcher steals the child itself. The spin is set longer than the gap
     * between spawns (100 us) so that the result does not depend on how the OS
     * schedules a loaded machine; without the spin phase the other carrier parks
     * in every gap and nearly every spawn unparks it.
     */
    @Test
    void aSpinningSearcherAbsorbsTheWakeUpsOfSpawnsThatFollowEachOther() throws Exception {
        int n = 300;
        long gap = 100_000;
        long off = handOffWakeups(n, gap, 0);
        long on = handOffWakeups(n, gap, Duration.ofSeconds(1).toNanos());
        System.out.printf("hand-off n=%d gap=100us: wakeups without spin=%d, with a spin longer than the gap=%d%n",
                n, off, on);
        assertThat(on).as("idle carriers unparked for %d spawns while a searcher spins", n).isLessThanOrEqualTo(n / 10);
    }

    /** A burst of spawns from one carrier: the other carrier is unparked for a small fraction of them. */
    @Test
    void aSpawnBurstUnparksTheOtherCarrierRarely() throws Exception {
        int n = 50_000;
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("burst").build())) {
            Scheduler s = rt.run(() -> GreenThread.current().runtime().scheduler);
            long[] on = counts(rt, s, n, 0);
            System.out.printf("spawn burst n=%d: wakeups=%d parks=%d%n", n, on[0], on[1]);
            // The bound of AdaptiveSpinTest's burst, the same experiment: every time the OS
            // deschedules the spawning carrier for longer than the other's spin phase, that one
            // parks and the next spawn wakes it, so the count grows with the machine's load
            // (216-2,174 seen on a loaded 2-core machine; n/20 is 2,500). A carrier that parked
            // between spawns would be woken for most of the 50,000.
            assertThat(on[0]).as("idle carriers unparked for a burst of %d spawns", n).isLessThanOrEqualTo(n / 5);
        }
    }
}
