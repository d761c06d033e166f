package io.verdant.internal.sched;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Back-pressure on a spawner (Scheduler, "Back-pressure on a spawner"): a spawn
 * that overflows its carrier's ring makes the spawner yield, so its carrier runs
 * queued children (and anything else queued) before it spawns more. Asserted in
 * counts that do not depend on load: how many children were spawned and not yet
 * started at the worst moment, whether a thread queued before the loop runs while
 * a spawner without time slices is still spawning, and that every child runs once.
 */
@Timeout(120)
class SpawnBackPressureTest {

    @AfterEach
    void restoreSwitch() {
        Scheduler.spawnYield = true;
    }

    /**
     * Spawns {@code n} children that count themselves started; returns the most
     * children spawned and not yet started that the spawner saw after a spawn.
     */
    private static long peakUnstarted(int n) {
        AtomicLong started = new AtomicLong();
        List<GreenHandle<Void>> hs = new ArrayList<>(n);
        long peak = 0;
        for (int i = 0; i < n; i++) {
            hs.add(Green.spawn(() -> {
                started.incrementAndGet();
            }));
            peak = Math.max(peak, i + 1 - started.get());
        }
        for (GreenHandle<Void> h : hs) {
            h.join(Duration.ofSeconds(60));
        }
        assertThat(started.get()).isEqualTo(n);
        return peak;
    }

    /**
     * One carrier, no time slices: without back-pressure the spawner keeps the
     * carrier until its loop ends, so all 100,000 children wait unstarted; with it,
     * the children queued wait behind at most about two rings' worth.
     */
    @Test
    void aSpawnerOnOneCarrierQueuesAFewRingsOfChildrenNotAll() throws Exception {
        int n = 100_000;
        try (Verdant rt = Verdant.start(Config.builder().workers(1).timeslice(Duration.ZERO).maxSpareCarriers(0)
                .name("backpressure-1").build())) {
            Scheduler.spawnYield = false;
            long off = rt.run(() -> peakUnstarted(n));
            Scheduler.spawnYield = true;
            long on = rt.run(() -> peakUnstarted(n));
            System.out.printf("1 carrier, %d spawns: peak unstarted without back-pressure=%d, with=%d%n", n, off, on);
            assertThat(off).as("without back-pressure nothing runs until the loop ends").isEqualTo(n);
            assertThat(on).as("peak unstarted children with back-pressure").isLessThanOrEqualTo(4L * LocalQueue.CAPACITY);
        }
    }

    /**
     * Two carriers: the spawner's carrier takes only its share of the injected
     * halves (Scheduler.pollInjectedAbove), so while the other carrier's OS thread
     * is descheduled (a loaded machine) the injection queue grows by part of a
     * half per round of the spawner's ring (loaded runs of a million spawns saw up
     * to about 10,000 waiting), not by every child: asserted loosely here (a quarter
     * of the children), where without back-pressure most of them may wait.
     */
    @Test
    void aSpawnerOnTwoCarriersKeepsMostChildrenFromWaiting() throws Exception {
        int n = 100_000;
        try (Verdant rt = Verdant.start(Config.builder().workers(2).maxSpareCarriers(0).name("backpressure-2").build())) {
            long peak = rt.run(() -> peakUnstarted(n));
            System.out.printf("2 carriers, %d spawns: peak unstarted with back-pressure=%d%n", n, peak);
            assertThat(peak).as("peak unstarted children with back-pressure").isLessThanOrEqualTo(n / 4);
        }
    }

    /**
     * One carrier, no time slices: a thread queued before a spawning loop runs
     * while the loop is still going (the loop waits for it, up to a cap that
     * fails the test instead of hanging it), and so does one of the loop's
     * own children.
     */
    @Test
    void aSpawnerThatOverflowsLetsOtherThreadsAndItsChildrenRun() throws Exception {
        int cap = 1_000_000;
        try (Verdant rt = Verdant.start(Config.builder().workers(1).timeslice(Duration.ZERO).maxSpareCarriers(0)
                .name("backpressure-fair").build())) {
            long[] spawnsUntil = rt.run(() -> {
                AtomicBoolean otherRan = new AtomicBoolean();
                AtomicBoolean childRan = new AtomicBoolean();
                GreenHandle<Void> other = Green.spawn(() -> otherRan.set(true));
                List<GreenHandle<Void>> hs = new ArrayList<>();
                long untilOther = -1;
                long untilChild = -1;
                for (int i = 0; i < cap && (untilOther < 0 || untilChild < 0); i++) {
                    hs.add(Green.spawn(() -> childRan.set(true)));
                    if (untilOther < 0 && otherRan.get()) {
                        untilOther = i + 1;
                    }
                    if (untilChild < 0 && childRan.get()) {
                        untilChild = i + 1;
                    }
                }
                other.join(Duration.ofSeconds(60));
                for (GreenHandle<Void> h : hs) {
                    h.join(Duration.ofSeconds(60));
                }
                return new long[] {untilOther, untilChild};
            });
            System.out.printf("spawns until the other thread ran=%d, until a child ran=%d%n", spawnsUntil[0],
                    spawnsUntil[1]);
            // One carrier: the first overflow (the ring's 257th push) yields to the queued work.
            assertThat(spawnsUntil[0]).as("spawns before a thread queued earlier ran").isBetween(1L, 2L * LocalQueue.CAPACITY);
            assertThat(spawnsUntil[1]).as("spawns before a child ran").isBetween(1L, 2L * LocalQueue.CAPACITY);
        }
    }

    /**
     * Two carriers, four spawners at once, each child marks its own slot: every
     * child ran exactly once (none lost in an overflow, none run twice after a
     * yield), and the runtime counts as many exits as spawns.
     */
    @Test
    void everyChildOfOverflowingSpawnersRunsExactlyOnce() throws Exception {
        int spawners = 4;
        int perSpawner = 50_000;
        AtomicIntegerArray runs = new AtomicIntegerArray(spawners * perSpawner);
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("backpressure-once").build())) {
            long spawned0 = rt.metrics().spawned();
            rt.run(() -> {
                List<GreenHandle<Void>> parents = new ArrayList<>();
                for (int s = 0; s < spawners; s++) {
                    int base = s * perSpawner;
                    parents.add(Green.spawn(() -> {
                        List<GreenHandle<Void>> hs = new ArrayList<>(perSpawner);
                        for (int i = 0; i < perSpawner; i++) {
                            int slot = base + i;
                            hs.add(Green.spawn(() -> {
                                runs.incrementAndGet(slot);
                            }));
                        }
                        for (GreenHandle<Void> h : hs) {
                            h.join(Duration.ofSeconds(60));
                        }
                    }));
                }
                for (GreenHandle<Void> p : parents) {
                    p.join(Duration.ofSeconds(90));
                }
                return null;
            });
            for (int i = 0; i < runs.length(); i++) {
                assertThat(runs.get(i)).as("runs of child %d", i).isEqualTo(1);
            }
            assertThat(rt.metrics().spawned() - spawned0).isEqualTo(1L + spawners + (long) spawners * perSpawner);
        }
    }

    /** A tree where every node forks {@code fanOut} children and joins them; returns the number of leaves. */
    private static long tree(int depth, int fanOut) {
        if (depth == 0) {
            return 1;
        }
        List<GreenHandle<Long>> hs = new ArrayList<>(fanOut);
        for (int i = 0; i < fanOut; i++) {
            hs.add(Green.spawn(() -> tree(depth - 1, fanOut)));
        }
        long leaves = 0;
        for (GreenHandle<Long> h : hs) {
            leaves += h.join(Duration.ofSeconds(60));
        }
        return leaves;
    }

    private static long spawnYields(Verdant rt) {
        Scheduler s = rt.run(() -> io.verdant.internal.GreenThread.current().runtime().scheduler);
        long n = 0;
        for (Worker w : s.workers()) {
            n += w.counters.spawnYields;
        }
        return n;
    }

    /**
     * One carrier, no time slices: a tree whose nodes fork 10 children each and join
     * them (111,111 threads, skynet's shape) fills the ring with siblings' children
     * and overflows it, but no node is a spawn loop, so none yields for
     * back-pressure; a loop of 10,000 spawns in one dispatch does.
     */
    @Test
    void onlyASpawnLoopYieldsNotAParentForkingAFewChildren() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).timeslice(Duration.ZERO).maxSpareCarriers(0)
                .name("backpressure-tree").build())) {
            long y0 = spawnYields(rt);
            long leaves = rt.run(() -> tree(5, 10));
            long y1 = spawnYields(rt);
            rt.run(() -> peakUnstarted(10_000));
            long y2 = spawnYields(rt);
            System.out.printf("back-pressure yields: tree of %d leaves %d, loop of 10,000 spawns %d%n", leaves,
                    y1 - y0, y2 - y1);
            assertThat(leaves).isEqualTo(100_000);
            assertThat(y1 - y0).as("back-pressure yields in a fork-join tree of fan-out 10").isZero();
            assertThat(y2 - y1).as("back-pressure yields in a loop of 10,000 spawns").isGreaterThan(0);
        }
    }
}
