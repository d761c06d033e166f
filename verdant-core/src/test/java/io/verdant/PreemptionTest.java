package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Time slices and priority preemption at safepoints. */
@Timeout(60)
class PreemptionTest {

    @Test
    void twoCheckpointingLoopsOnOneWorkerTakeTurns() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("slices").build())) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger last = new AtomicInteger(-1);
            AtomicInteger switches = new AtomicInteger();
            long[] iterations = new long[2];
            List<GreenHandle<Void>> loops = new ArrayList<>();
            for (int id = 0; id < 2; id++) {
                int me = id;
                loops.add(rt.spawn(() -> {
                    while (!stop.get()) {
                        Green.checkpoint();
                        iterations[me]++;
                        if (last.get() != me) {
                            last.set(me);
                            switches.incrementAndGet();
                        }
                    }
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (switches.get() < 20 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            stop.set(true);
            loops.forEach(h -> h.join(Duration.ofSeconds(20)));
            // Each switch is one slice ending at a checkpoint: 20 switches means the
            // two loops alternated on the one carrier at least ten times each.
            assertThat(switches.get()).isGreaterThanOrEqualTo(20);
            assertThat(iterations[0]).isPositive();
            assertThat(iterations[1]).isPositive();
        }
    }

    @Test
    void withPreemptionOffAOneWorkerLoopIsNeverInterleaved() throws Exception {
        Config config = Config.builder().workers(1).name("no-slices").timeslice(Duration.ZERO).maxSpareCarriers(0)
                .stallThreshold(Duration.ofSeconds(30)).build();
        assertThat(config.preemptive()).isFalse();
        try (Verdant rt = Verdant.start(config)) {
            AtomicInteger last = new AtomicInteger(-1);
            AtomicInteger switches = new AtomicInteger();
            List<GreenHandle<Void>> loops = new ArrayList<>();
            for (int id = 0; id < 2; id++) {
                int me = id;
                loops.add(rt.spawn(() -> {
                    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                    while (System.nanoTime() < end) {
                        Green.checkpoint();
                        if (last.get() != me) {
                            last.set(me);
                            switches.incrementAndGet();
                        }
                    }
                }));
            }
            loops.forEach(h -> h.join(Duration.ofSeconds(20)));
            assertThat(switches.get()).isEqualTo(2);
        }
    }

    @Test
    void injectedWorkIsNotStarvedByYieldingLoops() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("injected").build())) {
            AtomicBoolean stop = new AtomicBoolean();
            List<GreenHandle<Void>> loops = new ArrayList<>();
            for (int id = 0; id < 2; id++) {
                loops.add(rt.spawn(() -> {
                    while (!stop.get()) {
                        Green.checkpoint();
                    }
                }));
            }
            long[] waits = new long[5];
            try {
                Thread.sleep(50);
                for (int i = 0; i < waits.length; i++) {
                    long t0 = System.nanoTime();
                    // From a platform thread: the injection queue, behind two CPU-bound loops.
                    assertThat(rt.spawn(() -> 42).join(Duration.ofSeconds(20))).isEqualTo(42);
                    waits[i] = System.nanoTime() - t0;
                }
            } finally {
                stop.set(true);
            }
            loops.forEach(h -> h.join(Duration.ofSeconds(20)));
            Arrays.sort(waits);
            // One 10 ms slice (plus a tick) is enough; without the "injected first
            // after a preemption" rule it would wait for up to 61 slices (~610 ms).
            assertThat(TimeUnit.NANOSECONDS.toMillis(waits[waits.length / 2])).isLessThan(300);
        }
    }

    /**
     * A HIGH thread spawned on the only carrier, behind which the carrier's own
     * thread is asked to yield (priority rule a), runs next, although LOW
     * CPU-bound work is waiting in the injection queue (600 loops: more than the
     * carrier's ring holds, so the ring's overflow keeps the injection queue full).
     */
    @Test
    void aHighThreadQueuedOnItsCarrierRunsBeforeInjectedLowWork() throws Exception {
        int lowLoops = 600;
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("prio-local").build())) {
            AtomicBoolean stop = new AtomicBoolean();
            java.util.concurrent.CountDownLatch lowSpawned = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch highRan = new java.util.concurrent.CountDownLatch(1);
            List<GreenHandle<?>> all = java.util.Collections.synchronizedList(new ArrayList<>());
            try {
                // NORMAL: once woken (injected) it preempts the LOW loops (rule b) and runs.
                all.add(rt.spawn(() -> {
                    lowSpawned.await();
                    all.add(Green.spawner().priority(Priority.HIGH).spawn(highRan::countDown));
                    while (!stop.get()) {
                        Green.checkpoint(); // asked to yield for the HIGH thread (rule a)
                    }
                    return null;
                }));
                for (int i = 0; i < lowLoops; i++) {
                    all.add(rt.spawner().priority(Priority.LOW).spawn(() -> {
                        while (!stop.get()) {
                            Green.checkpoint();
                        }
                    }));
                }
                lowSpawned.countDown();
                boolean ran = highRan.await(3, TimeUnit.SECONDS);
                stop.set(true);
                assertThat(ran).as("the HIGH thread ran before the injected LOW loops").isTrue();
            } finally {
                stop.set(true);
                lowSpawned.countDown();
            }
            List<GreenHandle<?>> handles;
            synchronized (all) {
                handles = List.copyOf(all);
            }
            for (GreenHandle<?> h : handles) {
                h.join(Duration.ofSeconds(20));
            }
        }
    }

    /**
     * A HIGH green thread sleeps 1 ms in a loop on 1 worker that two LOW
     * CPU-bound loops (with checkpoints) keep busy. The slice is 1 s, and no
     * spare carrier can take over: by time slicing alone a wake-up would wait for
     * the rest of a LOW slice, half of one (500 ms) at the median. A median
     * lateness of a quarter slice shows priority preemption. (21 wake-ups: without
     * it they would take about 10 s, within the LOW loops' 20 s. The lateness of a
     * preemption is the ticker's and the carrier's scheduling latency: a few ms on
     * a quiet machine, 25-36 ms seen on a loaded 2-core one; with a 50 ms slice
     * and a 15 ms bound that failed under load.)
     */
    @Test
    void highPriorityWakeUpsPreemptLowPriorityLoad() throws Exception {
        long[] lateness = highUnderLowLoad(Config.builder().workers(1).name("prio-on")
                .timeslice(Duration.ofSeconds(1)).maxSpareCarriers(0).stallThreshold(Duration.ofSeconds(30)).build(),
                21, 20_000);
        assertThat(TimeUnit.NANOSECONDS.toMillis(lateness[lateness.length / 2])).isLessThan(250);
    }

    @Test
    void withPreemptionOffHighPriorityWaitsForTheLowLoad() throws Exception {
        long[] lateness = highUnderLowLoad(Config.builder().workers(1).name("prio-off").timeslice(Duration.ZERO)
                .maxSpareCarriers(0).stallThreshold(Duration.ofSeconds(30)).build(), 5, 600);
        // The LOW loops hold the only carrier for their whole 600 ms run.
        assertThat(TimeUnit.NANOSECONDS.toMillis(lateness[lateness.length - 1])).isGreaterThan(300);
    }

    /** Returns the sorted wake-up lateness of {@code wakeups} 1 ms sleeps. */
    private static long[] highUnderLowLoad(Config config, int wakeups, long lowRunMillis) throws Exception {
        try (Verdant rt = Verdant.start(config)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong lowIterations = new AtomicLong();
            return rt.run(() -> {
                List<GreenHandle<Void>> low = new ArrayList<>();
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(lowRunMillis);
                for (int i = 0; i < 2; i++) {
                    low.add(Green.spawner().priority(Priority.LOW).spawn(() -> {
                        long n = 0;
                        while (!stop.get() && System.nanoTime() < end) {
                            Green.checkpoint();
                            n++;
                        }
                        lowIterations.addAndGet(n);
                    }));
                }
                GreenHandle<long[]> high = Green.spawner().priority(Priority.HIGH).spawn(() -> {
                    long[] late = new long[wakeups];
                    for (int i = 0; i < wakeups; i++) {
                        long due = System.nanoTime() + 1_000_000L;
                        Green.sleep(Duration.ofMillis(1));
                        late[i] = System.nanoTime() - due;
                    }
                    return late;
                });
                long[] late = high.join();
                stop.set(true);
                low.forEach(GreenHandle::join);
                assertThat(lowIterations.get()).isPositive();
                Arrays.sort(late);
                return late;
            });
        }
    }
}
