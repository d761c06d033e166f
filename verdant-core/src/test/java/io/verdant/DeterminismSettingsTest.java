package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The limits and environment settings of a deterministic runtime
 * ({@link Determinism#maxSteps(long)}, {@link Determinism#failOnLeak(boolean)},
 * {@link Determinism#startTime(Instant)}, {@link Determinism#sliceWatchdog(Duration)})
 * and {@link Exploration#parallelism(int)}.
 */
@Timeout(120)
class DeterminismSettingsTest {
    private static final Config QUIET = DetRuns.QUIET;

    /** Two threads that yield to each other until cancelled: a livelock. */
    private static Void pingPongForever() {
        List<GreenHandle<Void>> hs = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            hs.add(Green.spawner().name("spinner-" + t).spawn(() -> {
                while (!Green.cancelled()) {
                    Green.yield();
                }
            }));
        }
        Green.joinAll(hs);
        return null;
    }

    @Test
    void aScheduleOverMaxStepsFailsAsALivelockWithItsLastSteps() {
        long start = System.nanoTime();
        try (Verdant rt = Verdant.deterministic(QUIET, Determinism.seed(3).maxSteps(500))) {
            assertThatThrownBy(() -> rt.run(DeterminismSettingsTest::pingPongForever))
                    .isInstanceOf(ScheduleFailedException.class)
                    .hasMessageStartingWith("[replay v1:random:0x3:maxSteps=500]") // the key names the limit
                    .hasMessageContaining("more than 500 steps (Determinism.maxSteps): a livelock?")
                    .hasMessageContaining("last steps")
                    .hasMessageContaining("spinner-");
            assertThat(rt.trace().steps()).isGreaterThan(500);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThatThrownBy(() -> Determinism.seed(0).maxSteps(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxSteps");
    }

    /** The body starts a thread that waits forever and returns without joining it. */
    private static String leaky() {
        Channel<String> never = Channel.rendezvous();
        Green.spawner().name("forgotten").spawn(() -> never.receive());
        Green.spawner().name("sleeper").spawn(() -> Green.sleep(Duration.ofMinutes(5))); // ends: not a leak
        Green.yield();
        return "done";
    }

    @Test
    void failOnLeakFailsARunThatLeavesAGreenThreadWaitingAndNamesIt() {
        try (Verdant rt = Verdant.deterministic(QUIET, Determinism.seed(4).failOnLeak(true))) {
            assertThatThrownBy(() -> rt.run(DeterminismSettingsTest::leaky))
                    .isInstanceOf(ScheduleFailedException.class)
                    .hasMessageContaining("leak")
                    .hasMessageContaining("Determinism.failOnLeak")
                    .hasMessageContaining("1 green thread(s)")
                    .satisfies(e -> assertThat(e.getMessage().substring(0, e.getMessage().indexOf("last steps")))
                            .as("the leaks listed").contains("[forgotten]").contains("Channel#")
                            .doesNotContain("sleeper"));
            // The sleeper ran to its end first: virtual time went on to its deadline.
            assertThat(rt.trace().virtualNanos()).isEqualTo(Duration.ofMinutes(5).toNanos());
        }
        // Off (the default): the same body passes, and close() cancels the leaked thread.
        try (Verdant rt = Verdant.deterministic(QUIET, Determinism.seed(4))) {
            assertThat(rt.run(DeterminismSettingsTest::leaky)).isEqualTo("done");
        }
        // On, with nothing leaked: run returns the result.
        try (Verdant rt = Verdant.deterministic(QUIET, Determinism.seed(4).failOnLeak(true))) {
            assertThat(rt.run(() -> {
                GreenHandle<Integer> h = Green.spawn(() -> 41);
                return h.join() + 1;
            })).isEqualTo(42);
        }
    }

    @Test
    void startTimeIsTheVirtualWallClocksOrigin() {
        Instant origin = Instant.parse("2030-06-15T12:00:00Z");
        try (Verdant rt = Verdant.deterministic(QUIET, Determinism.seed(1).startTime(origin))) {
            List<Instant> seen = rt.run(() -> {
                Instant a = Green.clock().instant();
                Green.sleep(Duration.ofHours(2));
                return List.of(a, Green.clock().instant());
            });
            assertThat(seen).containsExactly(origin, origin.plus(Duration.ofHours(2)));
        }
        try (Verdant rt = Verdant.deterministic(QUIET, Determinism.seed(1))) {
            assertThat(rt.run(() -> Green.clock().instant())).isEqualTo(Determinism.DEFAULT_START_TIME)
                    .isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
        }
        assertThatThrownBy(() -> Determinism.seed(0).startTime(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("startTime");
    }

    @Test
    void theWatchdogFailsASliceThatSpinsWithoutASchedulingPointShowingItsStack() throws Exception {
        RELEASE.set(false);
        long start = System.nanoTime();
        try (Verdant rt = Verdant.deterministic(QUIET, Determinism.seed(5).sliceWatchdog(Duration.ofMillis(300)))) {
            try {
                assertThatThrownBy(() -> rt.run(() -> {
                    Green.spawner().name("spinner").spawn(DeterminismSettingsTest::spinUntil).join();
                    return null;
                })).isInstanceOf(ScheduleFailedException.class)
                        .hasMessageContaining("green thread 'spinner'")
                        .hasMessageContaining("without reaching a scheduling point")
                        .hasMessageContaining("Determinism.sliceWatchdog")
                        .hasMessageContaining("DeterminismSettingsTest.spinUntil");
            } finally {
                RELEASE.set(true); // lets the spinner end, so close() finds the carrier free
            }
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        assertThatThrownBy(() -> Determinism.seed(0).sliceWatchdog(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sliceWatchdog");
    }

    private static final AtomicBoolean RELEASE = new AtomicBoolean();

    /** Spins on a plain flag with no Verdant operation: holds the only carrier. */
    private static void spinUntil() {
        while (!RELEASE.get()) {
            Thread.onSpinWait();
        }
    }

    /** A lost update among three threads: fails on some seeds, passes on others. */
    private static Integer lostUpdate() {
        return lostUpdate(6);
    }

    /** Three threads, two increments each; fails if the count is {@code threshold} or less. */
    private static Integer lostUpdate(int threshold) {
        int n = DetRuns.counterRace(3, 2, Green::schedulingPoint);
        if (n <= threshold && n != 6) {
            throw new AssertionError("lost update: " + n);
        }
        return n;
    }

    @Test
    void parallelExplorationReportsWhatASequentialOneReports() {
        // Rare failures (the count falls to 3 or less), so several schedules pass before the
        // first failure and the workers run ahead of it.
        for (Determinism settings : List.of(Determinism.seed(0), Determinism.seed(0).pct(2))) {
            ScheduleFailedException seq = failure(Exploration.of(() -> lostUpdate(3))
                    .settings(settings).schedules(300).seedBase(1_000).config(QUIET));
            ScheduleFailedException par = failure(Exploration.of(() -> lostUpdate(3))
                    .settings(settings).schedules(300).seedBase(1_000).config(QUIET).parallelism(3));
            System.out.println(settings.strategy() + ": first failing schedule " + seq.scheduleNumber() + " ("
                    + seq.replayKey() + "), in parallel " + par.scheduleNumber());
            assertThat(par.scheduleNumber()).as(settings.strategy()).isEqualTo(seq.scheduleNumber()).isGreaterThan(3);
            assertThat(par.replayKey()).isEqualTo(seq.replayKey());
            assertThat(par.trace()).isEqualTo(seq.trace());
            assertThat(par.getCause()).hasMessage(seq.getCause().getMessage());
        }
        // A body that always passes: every schedule runs, in parallel too.
        assertThat(Exploration.of(() -> Green.spawn(() -> 1).join()).schedules(50).parallelism(4).run())
                .isEqualTo(50);
        assertThatThrownBy(() -> Exploration.of(() -> 1).parallelism(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parallelism");
    }

    @Test
    void aParallelExplorationOfAsManySchedulesAsAnIntHoldsStopsAtTheFirstFailureAsASequentialOne() {
        // schedules(Integer.MAX_VALUE): "until a schedule fails". Seed 5 fails.
        java.util.concurrent.Callable<Object> failsAtSeed5 = () -> {
            if (Green.runtime().trace().replayKey().equals("v1:random:0x5")) {
                throw new AssertionError("seed 5");
            }
            return null;
        };
        for (int parallelism : new int[] {1, 3}) {
            ScheduleFailedException f = failure(Exploration.of(failsAtSeed5).schedules(Integer.MAX_VALUE)
                    .parallelism(parallelism).config(QUIET));
            assertThat(f.scheduleNumber()).as("parallelism %d", parallelism).isEqualTo(6);
            assertThat(f.getCause()).hasMessage("seed 5");
        }
    }

    /**
     * "Until a schedule fails, as many at once as it takes": a worker thread per schedule
     * at once, so the array of them was made first, and with parallelism(Integer.MAX_VALUE)
     * run() threw OutOfMemoryError ("Requested array size exceeds VM limit"; any large
     * value started that many platform threads, each with a runtime). A parallelism no
     * machine could run is now refused where it is set, as Config.workers is.
     */
    @Test
    void aParallelismNoMachineCanRunIsRefusedNotAnOutOfMemoryError() {
        assertThatThrownBy(() -> Exploration.of(() -> {
            throw new AssertionError("the first schedule fails");
        }).schedules(Integer.MAX_VALUE).config(QUIET).parallelism(Integer.MAX_VALUE).run())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parallelism must be between 1 and 1024, was " + Integer.MAX_VALUE);
        // The largest accepted (Exploration.MAX_PARALLELISM), with fewer schedules than that: one worker each.
        assertThat(Exploration.of(() -> 1).schedules(2).config(QUIET).parallelism(1024).run()).isEqualTo(2);
    }

    private static ScheduleFailedException failure(Exploration e) {
        try {
            e.run();
        } catch (ScheduleFailedException f) {
            return f;
        }
        throw new AssertionError("no schedule failed");
    }
}
