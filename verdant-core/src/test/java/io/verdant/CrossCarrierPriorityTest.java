package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Priority across carriers: a HIGH green thread waiting on a carrier that a
 * CRITICAL thread keeps busy runs within a few ticks while another carrier runs
 * LOW work (Sysmon rule c), not at its level's anti-starvation turn (16 of the
 * CRITICAL thread's slices).
 */
@Timeout(60)
class CrossCarrierPriorityTest {
    /**
     * Long, so that the bound below is far above a loaded machine's delays: rule c acts at
     * Sysmon's ticks, not at slice ends (median waits of 1-20 ms measured with 20 ms and with
     * 50 ms slices, up to 42 ms under load), while the anti-starvation turn grows with it.
     */
    private static final Duration SLICE = Duration.ofMillis(50);
    /** Half the anti-starvation delay (16 slices of the CRITICAL loop, 800 ms): generous for a loaded machine. */
    private static final long BOUND_MILLIS = SLICE.toMillis() * 16 / 2;
    private static final int ROUNDS = 3;

    /** The HIGH thread is spawned by the CRITICAL loop: it waits in its carrier's HIGH ring. */
    @Test
    void aHighThreadSpawnedBehindACriticalLoopRunsWhileAnotherCarrierRunsLow() throws Exception {
        long[] waits = run((ignored, t0, ran) -> Green.spawner().priority(Priority.HIGH).name("high")
                .spawn(() -> ran.complete(System.nanoTime() - t0)));
        assertThat(waits[ROUNDS / 2])
                .as("median wait of the HIGH thread (ms), all: %s", Arrays.toString(waits))
                .isLessThan(BOUND_MILLIS);
    }

    /**
     * The HIGH thread is woken by the CRITICAL loop: it waits in its carrier's LIFO
     * slot, then (after the CRITICAL thread's slice) in its HIGH ring.
     */
    @Test
    void aHighThreadWokenByACriticalLoopRunsWhileAnotherCarrierRunsLow() throws Exception {
        long[] waits = run((rt, t0, ran) -> {
            // Parked before the CRITICAL loop wakes it; started from the test thread beforehand.
            Thread high = sleeper.get();
            wokenAt.set(t0);
            woken.set(ran);
            LockSupport.unpark(high);
        });
        assertThat(waits[ROUNDS / 2])
                .as("median wait of the woken HIGH thread (ms), all: %s", Arrays.toString(waits))
                .isLessThan(BOUND_MILLIS);
    }

    /**
     * A HIGH green thread woken by timers (so from the injection queue) while one
     * carrier runs a CRITICAL loop and the other a LOW one: the LOW thread is asked
     * to yield for it (rule b, whose victim runs worse than the injected work), not
     * left to run out its slice. A 1 s slice, so that waiting for a slice end shows
     * (about 1 s for most wake-ups): all wake-ups but the latest one under half a
     * slice show the preemption (a few ms on a quiet machine; see
     * PreemptionTest.highPriorityWakeUpsPreemptLowPriorityLoad for the one-carrier case).
     */
    @Test
    void injectedHighWorkPreemptsALowCarrierWhileTheOtherRunsCritical() throws Exception {
        Config config = Config.builder().workers(2).maxSpareCarriers(0).timeslice(Duration.ofSeconds(1))
                .stallThreshold(Duration.ofSeconds(30)).name("crossprio-injected").build();
        int wakeups = 7;
        try (Verdant rt = Verdant.start(config)) {
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch criticalRunning = new CountDownLatch(1);
            CountDownLatch lowRunning = new CountDownLatch(1);
            GreenHandle<Void> critical = rt.spawner().priority(Priority.CRITICAL).name("critical").spawn(() -> {
                criticalRunning.countDown();
                while (!stop.get()) {
                    Green.checkpoint();
                }
            });
            GreenHandle<Void> low = rt.spawner().priority(Priority.LOW).name("low").spawn(() -> {
                lowRunning.countDown();
                while (!stop.get()) {
                    Green.checkpoint();
                }
            });
            long[] late;
            try {
                assertThat(criticalRunning.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(lowRunning.await(10, TimeUnit.SECONDS)).isTrue();
                GreenHandle<long[]> high = rt.spawner().priority(Priority.HIGH).name("high").spawn(() -> {
                    long[] l = new long[wakeups];
                    for (int i = 0; i < wakeups; i++) {
                        long due = System.nanoTime() + 1_000_000L;
                        Green.sleep(Duration.ofMillis(1));
                        l[i] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - due);
                    }
                    return l;
                });
                late = high.join(Duration.ofSeconds(30));
            } finally {
                stop.set(true);
            }
            critical.join(Duration.ofSeconds(20));
            low.join(Duration.ofSeconds(20));
            Arrays.sort(late);
            assertThat(late[wakeups - 2]).as("second-longest lateness of the HIGH wake-ups (ms), all: %s", Arrays.toString(late))
                    .isLessThan(500);
        }
    }

    private final AtomicReference<Thread> sleeper = new AtomicReference<>();
    private final AtomicReference<CompletableFuture<Long>> woken = new AtomicReference<>();
    private final AtomicReference<Long> wokenAt = new AtomicReference<>();

    /** What the CRITICAL loop does to make HIGH work runnable on its carrier, at time t0. */
    private interface Trigger {
        void fire(Verdant rt, long t0, CompletableFuture<Long> ran);
    }

    /**
     * Two workers, no spares: a CRITICAL and a LOW CPU-bound loop (with checkpoints),
     * each holding a carrier; then ROUNDS times the CRITICAL loop makes HIGH work
     * runnable on its own carrier. Returns the sorted waits (ms) until the HIGH work ran.
     */
    private long[] run(Trigger trigger) throws Exception {
        Config config = Config.builder().workers(2).maxSpareCarriers(0).timeslice(SLICE).name("crossprio").build();
        try (Verdant rt = Verdant.start(config)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<CompletableFuture<Long>> request = new AtomicReference<>();
            CountDownLatch criticalRunning = new CountDownLatch(1);
            CountDownLatch lowRunning = new CountDownLatch(1);
            GreenHandle<Void> high = rt.spawner().priority(Priority.HIGH).name("high-sleeper").spawn(() -> {
                sleeper.set(Thread.currentThread());
                while (!stop.get()) {
                    LockSupport.park();
                    CompletableFuture<Long> f = woken.getAndSet(null);
                    if (f != null) {
                        f.complete(System.nanoTime() - wokenAt.get());
                    }
                }
            });
            while (sleeper.get() == null || sleeper.get().getState() != Thread.State.WAITING) {
                Thread.onSpinWait();
            }
            GreenHandle<Void> critical = rt.spawner().priority(Priority.CRITICAL).name("critical").spawn(() -> {
                criticalRunning.countDown();
                while (!stop.get()) {
                    Green.checkpoint();
                    CompletableFuture<Long> f = request.getAndSet(null);
                    if (f != null) {
                        trigger.fire(rt, System.nanoTime(), f);
                    }
                }
            });
            GreenHandle<Void> low = rt.spawner().priority(Priority.LOW).name("low").spawn(() -> {
                lowRunning.countDown();
                while (!stop.get()) {
                    Green.checkpoint();
                }
            });
            long[] waits = new long[ROUNDS];
            try {
                assertThat(criticalRunning.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(lowRunning.await(10, TimeUnit.SECONDS)).isTrue();
                for (int i = 0; i < ROUNDS; i++) {
                    CompletableFuture<Long> ran = new CompletableFuture<>();
                    request.set(ran);
                    waits[i] = ran.get(10, TimeUnit.SECONDS);
                }
            } finally {
                stop.set(true);
                Thread s = sleeper.get();
                if (s != null) {
                    LockSupport.unpark(s);
                }
            }
            critical.join(Duration.ofSeconds(20));
            low.join(Duration.ofSeconds(20));
            high.join(Duration.ofSeconds(20));
            for (int i = 0; i < ROUNDS; i++) {
                waits[i] = TimeUnit.NANOSECONDS.toMillis(waits[i]);
            }
            Arrays.sort(waits);
            return waits;
        }
    }
}
