package io.verdant.bench;

import io.verdant.Channel;
import io.verdant.Config;
import io.verdant.Determinism;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * det: the speed of deterministic mode (issue 13), one schedule after another
 * on one thread, each on a fresh deterministic runtime, as an exploration runs
 * them (seeds 0, 1, 2, ... continuing across rounds, so no round repeats
 * another's schedules). The runtimes share one carrier thread, as an
 * exploration's do (a closed deterministic runtime hands its carrier to the
 * next: DetCarrier).
 *
 * <pre>
 * Entries (system "verdant-det")
 *   det-setup       an empty body: set-up + run + tear-down of one runtime,
 *                   ns_per_op per schedule (target <= 30 us)
 *   det-lost-update 2 threads x 10 read / checkpoint / write increments
 *                   (about 40 steps): ops_per_s = schedules/s (target >= 5,000)
 *   det-pipeline    3 stages, 2 workers, 160 items through bounded channels
 *                   (about 1,500 steps): schedules/s (target >= 500)
 *   det-sleeps      one schedule: 1,000 green threads sleep 100 times each
 *                   (seeded virtual durations of 1 ms to 1 s), 100,000 sleeps
 *                   on virtual time; ms of real time (target <= 1,000)
 * Extras of lost-update and pipeline: steps (per schedule) and us_per_step =
 *   (round time - the same number of empty schedules' time) / steps, the
 *   per-step cost net of set-up (target <= 1 us); the empty schedules are run
 *   in the same round, right before. Extra of the schedule entries:
 *   bytes_per_schedule, the bytes allocated by all threads of the JVM during
 *   the measured schedules over their count (evidence that holds on a loaded
 *   machine, unlike the times).
 * The summary ends with one line per acceptance figure, "det acceptance: ...".
 *
 * Run: java -Xss16m --add-opens java.base/java.lang=ALL-UNNAMED
 *        -cp verdant-bench/target/benchmarks.jar io.verdant.bench.Compare det
 *      (add -Dbench.smoke=true to check that it runs: tiny sizes, figures meaningless)
 * </pre>
 *
 * No baseline system: nothing else runs these schedules. Figures only on a quiet
 * machine; the runner's JVM must not hold other runtimes (a deterministic runtime
 * makes every checkpoint in the JVM take its slow path).
 */
final class DeterminismComparison extends Harness {
    /** Schedules per round (bench.det.schedules): enough for ~0.1-1 s per round at the targets. */
    static final int SCHEDULES = size("bench.det.schedules", 2_000);
    /** Items through the pipeline: about 9.4 steps per item (a smoke run: 944 steps for 100), so ~1,500 steps. */
    static final int PIPELINE_ITEMS = 160;
    /** Sleeping green threads of det-sleeps (the acceptance's 1,000; smoke: 10). */
    static final int SLEEPERS = SMOKE ? 10 : 1_000;
    /** Sleeps per thread of det-sleeps (the acceptance's 100,000 in all; smoke: 10 each). */
    static final int SLEEPS_EACH = SMOKE ? 10 : 100;
    private static final Config CONFIG = Config.builder().name("det-bench").failureHandler((h, t) -> { }).build();

    @Override
    public String name() {
        return "det";
    }

    @Override
    public String description() {
        return "deterministic mode: schedules/s of a lost-update test and of a 3-stage pipeline, us per step, "
                + "set-up + tear-down per schedule (" + SCHEDULES + " schedules per round)";
    }

    @Override
    protected int defaultWarmups() {
        return 2;
    }

    @Override
    protected int defaultRounds() {
        return 5;
    }

    @Override
    protected List<Entry> entries() {
        return List.of(
                local("det-setup", name() + "-setup", "verdant-det", SCHEDULES, "ns_per_op", List.of(),
                        () -> new ScheduleTrial(null, false)),
                local("det-lost-update", name() + "-lost-update", "verdant-det", SCHEDULES, "ops_per_s", List.of(),
                        () -> new ScheduleTrial(DeterminismComparison::lostUpdate, true)),
                local("det-pipeline", name() + "-pipeline", "verdant-det", SCHEDULES, "ops_per_s", List.of(),
                        () -> new ScheduleTrial(DeterminismComparison::pipeline, true)),
                local("det-lost-update-recorded", name() + "-lost-update", "verdant-det-steps", SCHEDULES, "ops_per_s",
                        List.of(), () -> new ScheduleTrial(DeterminismComparison::lostUpdate, true, true)),
                local("det-pipeline-recorded", name() + "-pipeline", "verdant-det-steps", SCHEDULES, "ops_per_s",
                        List.of(), () -> new ScheduleTrial(DeterminismComparison::pipeline, true, true)),
                local("det-sleeps", name() + "-sleeps", "verdant-det", (long) SLEEPERS * SLEEPS_EACH, "ms", List.of(),
                        SleepsTrial::new));
    }

    @Override
    protected void summarize(Report report, Map<String, Double> medians) {
        report.note(acceptance("set-up + tear-down per schedule", medians.get("det-setup"), 1e-3, "us", "<= 30"));
        report.note(acceptance("lost-update schedules/s", medians.get("det-lost-update"), 1, "", ">= 5,000"));
        report.note(acceptance("pipeline schedules/s", medians.get("det-pipeline"), 1, "", ">= 500"));
        report.note(acceptance("lost-update schedules/s, steps saved (as Exploration runs it)",
                medians.get("det-lost-update-recorded"), 1, "", ">= 5,000"));
        report.note(acceptance("pipeline schedules/s, steps saved (as Exploration runs it)",
                medians.get("det-pipeline-recorded"), 1, "", ">= 500"));
        report.note(acceptance("us per step, lost-update", medians.get("det-lost-update/us_per_step"), 1, "us", "<= 1"));
        report.note(acceptance("us per step, pipeline", medians.get("det-pipeline/us_per_step"), 1, "us", "<= 1"));
        report.note(acceptance(SLEEPERS * SLEEPS_EACH + " sleeps over " + SLEEPERS + " threads, real time",
                medians.get("det-sleeps"), 1, "ms", "<= 1,000"));
    }

    /** One summary line of an acceptance figure: "det acceptance: what: value unit (target ...)". */
    private static String acceptance(String what, Double median, double scale, String unit, String target) {
        String v = median == null ? "not measured" : String.format(java.util.Locale.ROOT, "%,.2f", median * scale);
        return "det acceptance: " + what + ": " + v + (unit.isEmpty() || median == null ? "" : " " + unit)
                + " (target " + target + ")";
    }

    /** Bytes allocated so far by all threads of the JVM (HotSpot), or -1 if unsupported. */
    static long allocatedBytes() {
        if (java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean mx) {
            return mx.getTotalThreadAllocatedBytes();
        }
        return -1;
    }

    /** One schedule per round: SLEEPERS threads x SLEEPS_EACH seeded virtual sleeps; real ms. */
    private static final class SleepsTrial implements Trial {
        private long nextSeed;

        @Override
        public double run() {
            long t0 = System.nanoTime();
            try (Verdant rt = Verdant.deterministic(CONFIG, Determinism.seed(nextSeed++))) {
                long slept = rt.run(DeterminismComparison::sleeps);
                if (slept != (long) SLEEPERS * SLEEPS_EACH) {
                    throw new AssertionError("det-sleeps: " + slept + " sleeps ended, expected " + SLEEPERS * SLEEPS_EACH);
                }
            }
            return (System.nanoTime() - t0) / 1e6;
        }
    }

    /** SLEEPERS green threads, each sleeping SLEEPS_EACH times for 1 ms to 1 s of virtual time; the sleeps ended. */
    static Long sleeps() {
        List<GreenHandle<Integer>> hs = new ArrayList<>(SLEEPERS);
        for (int t = 0; t < SLEEPERS; t++) {
            hs.add(Green.spawn(() -> {
                java.util.random.RandomGenerator r = Green.random();
                for (int i = 0; i < SLEEPS_EACH; i++) {
                    Green.sleep(java.time.Duration.ofMillis(1 + r.nextInt(1_000)));
                }
                return SLEEPS_EACH;
            }));
        }
        long n = 0;
        for (GreenHandle<Integer> h : hs) {
            n += h.join();
        }
        return n;
    }

    /** Runs SCHEDULES schedules of one body per round; seeds continue across rounds. */
    private static final class ScheduleTrial implements Trial {
        private final Callable<?> body;
        private final boolean schedulesPerSecond;
        private final boolean recordSteps;
        private long nextSeed;
        private double steps;
        private double microsPerStep;
        private double bytesPerSchedule;

        ScheduleTrial(Callable<?> body, boolean schedulesPerSecond) {
            this(body, schedulesPerSecond, false);
        }

        /** recordSteps: each schedule also saves its steps, as Exploration and @VerdantTest run it. */
        ScheduleTrial(Callable<?> body, boolean schedulesPerSecond, boolean recordSteps) {
            this.body = body;
            this.schedulesPerSecond = schedulesPerSecond;
            this.recordSteps = recordSteps;
        }

        @Override
        public double run() {
            long empty = 0;
            if (body != null) {
                long e0 = System.nanoTime();
                for (int i = 0; i < SCHEDULES; i++) {
                    schedule(nextSeed + i, null, recordSteps);
                }
                empty = System.nanoTime() - e0;
            }
            long totalSteps = 0;
            long b0 = allocatedBytes();
            long t0 = System.nanoTime();
            for (int i = 0; i < SCHEDULES; i++) {
                totalSteps += schedule(nextSeed++, body, recordSteps);
            }
            long took = System.nanoTime() - t0;
            bytesPerSchedule = b0 < 0 ? Double.NaN : (double) (allocatedBytes() - b0) / SCHEDULES;
            steps = (double) totalSteps / SCHEDULES;
            microsPerStep = body == null || totalSteps == 0 ? 0 : (took - empty) / 1e3 / totalSteps;
            return schedulesPerSecond ? SCHEDULES / (took / 1e9) : (double) took / SCHEDULES;
        }

        @Override
        public Map<String, Double> extras() {
            return body == null ? Map.of("bytes_per_schedule", bytesPerSchedule)
                    : Map.of("steps", steps, "us_per_step", microsPerStep, "bytes_per_schedule", bytesPerSchedule);
        }
    }

    /** One schedule of {@code body} (null: an empty body), its steps saved or not; returns its step count. */
    static long schedule(long seed, Callable<?> body, boolean recordSteps) {
        try (Verdant rt = Verdant.deterministic(CONFIG, Determinism.seed(seed).recordSteps(recordSteps))) {
            rt.run(body == null ? () -> null : body);
            return rt.trace().steps();
        }
    }

    /** 2 threads x 10 increments with a scheduling point between read and write; no assertion (lost updates are fine here). */
    static Integer lostUpdate() {
        int[] counter = new int[1];
        List<GreenHandle<Void>> hs = new ArrayList<>(2);
        for (int t = 0; t < 2; t++) {
            hs.add(Green.spawn(() -> {
                for (int i = 0; i < 10; i++) {
                    int v = counter[0];
                    Green.schedulingPoint();
                    counter[0] = v + 1;
                }
            }));
        }
        Green.joinAll(hs);
        return counter[0];
    }

    /** Source -> 2 workers -> sink over bounded channels, PIPELINE_ITEMS items. */
    static Long pipeline() {
        Channel<Integer> in = Channel.bounded(8);
        Channel<Integer> out = Channel.bounded(8);
        GreenHandle<Void> source = Green.spawn(() -> {
            for (int i = 0; i < PIPELINE_ITEMS; i++) {
                in.send(i);
            }
            in.close();
        });
        List<GreenHandle<Void>> workers = new ArrayList<>(2);
        for (int w = 0; w < 2; w++) {
            workers.add(Green.spawn(() -> {
                for (int v : in) {
                    Green.schedulingPoint();
                    out.send(v * 2);
                }
            }));
        }
        GreenHandle<Void> closer = Green.spawn(() -> {
            Green.joinAll(workers);
            out.close();
        });
        long sum = 0;
        for (int v : out) {
            sum += v;
        }
        source.join();
        closer.join();
        return sum;
    }
}
