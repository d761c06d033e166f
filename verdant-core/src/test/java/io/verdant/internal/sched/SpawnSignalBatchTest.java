package io.verdant.internal.sched;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import io.verdant.internal.GreenThread;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Signals per spawn (Scheduler, "Signals per spawn"): a spawn signals other
 * carriers only when its push made the ring non-empty or overflowed it. Asserted
 * in counts (WorkerCounters.spawnSignals), not time: while the other carrier is
 * held by a busy thread, a loop of spawns that stays within one ring signals once,
 * where every spawn signalled before; and the children all run.
 */
@Timeout(120)
class SpawnSignalBatchTest {

    @AfterEach
    void restoreSwitch() {
        Scheduler.spawnSignalBatch = true;
    }

    private static long spawnSignals(Scheduler s) {
        long n = 0;
        for (Worker w : s.workers()) {
            n += w.counters.spawnSignals;
        }
        return n;
    }

    /**
     * Holds one carrier with a busy green thread (no time slices, no spares), then
     * spawns {@code n} children (fewer than a ring) from a thread on the other
     * carrier and joins them; returns the spawn signals those spawns made.
     */
    private static long signalsWhileOtherCarrierBusy(Verdant rt, int n) {
        return rt.run(() -> {
            Scheduler s = GreenThread.current().runtime().scheduler;
            AtomicBoolean busyStarted = new AtomicBoolean();
            AtomicBoolean release = new AtomicBoolean();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            GreenHandle<Void> busy = Green.spawn(() -> {
                busyStarted.set(true);
                while (!release.get() && System.nanoTime() - deadline < 0) {
                    Thread.onSpinWait();
                }
            });
            // Until the busy thread runs: if it took this carrier, the other one takes this thread.
            while (!busyStarted.get() && System.nanoTime() - deadline < 0) {
                Thread.yield();
            }
            AtomicInteger ran = new AtomicInteger();
            List<GreenHandle<Void>> hs = new ArrayList<>(n);
            long before = spawnSignals(s);
            for (int i = 0; i < n; i++) {
                hs.add(Green.spawn(() -> {
                    ran.incrementAndGet();
                }));
            }
            long signals = spawnSignals(s) - before;
            release.set(true);
            for (GreenHandle<Void> h : hs) {
                h.join(Duration.ofSeconds(60));
            }
            busy.join(Duration.ofSeconds(60));
            assertThat(ran.get()).isEqualTo(n);
            return signals;
        });
    }

    @Test
    void aLoopOfSpawnsIntoANonEmptyRingSignalsOnce() throws Exception {
        int n = LocalQueue.CAPACITY / 2;
        try (Verdant rt = Verdant.start(Config.builder().workers(2).timeslice(Duration.ZERO).maxSpareCarriers(0)
                .name("spawn-signal").build())) {
            Scheduler.spawnSignalBatch = false;
            long off = signalsWhileOtherCarrierBusy(rt, n);
            Scheduler.spawnSignalBatch = true;
            long on = signalsWhileOtherCarrierBusy(rt, n);
            System.out.printf("%d spawns into one ring: signals without batching=%d, with=%d%n", n, off, on);
            assertThat(off).as("every spawn signals without the rule").isEqualTo(n);
            // The first spawn finds the ring empty (the children of the previous loop ran, the
            // busy thread left it); a stealer emptying it meanwhile could add one or two more.
            assertThat(on).as("spawn signals with the rule").isBetween(1L, 3L);
        }
    }

    /** Spawns overflowing the ring keep signalling (the injected half is work another carrier can take). */
    @Test
    void anOverflowingSpawnSignals() throws Exception {
        int n = 4 * LocalQueue.CAPACITY;
        try (Verdant rt = Verdant.start(Config.builder().workers(2).timeslice(Duration.ZERO).maxSpareCarriers(0)
                .name("spawn-signal-overflow").build())) {
            Scheduler.spawnYield = false;
            try {
                long on = signalsWhileOtherCarrierBusy(rt, n);
                System.out.printf("%d spawns: signals with batching=%d%n", n, on);
                // One push into the empty ring, then one per overflow (every half ring after the first full one).
                assertThat(on).as("spawn signals").isGreaterThanOrEqualTo(1L + (n - LocalQueue.CAPACITY) / (LocalQueue.CAPACITY / 2) - 1);
                assertThat(on).isLessThan(n / 8);
            } finally {
                Scheduler.spawnYield = true;
            }
        }
    }
}
