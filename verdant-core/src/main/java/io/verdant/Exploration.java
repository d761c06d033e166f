package io.verdant;

import io.verdant.internal.det.DetScheduler;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Runs a body under many deterministic schedules, one fresh deterministic
 * runtime per schedule ({@link Verdant#deterministic(Config, Determinism)}),
 * with seeds {@code seedBase, seedBase + 1, ...}, and stops at the first
 * schedule that fails. The failure names the schedule's replay key on its first
 * line, then the last steps of the schedule (which thread ran, at which Verdant
 * operation, at which virtual time, woken by whom), so the failing run can be
 * repeated with {@link Determinism#replay(String)}.
 *
 * <pre>{@code
 * int runs = Exploration.of(() -> {
 *     int[] counter = new int[1];
 *     var a = Green.spawn(() -> { int v = counter[0]; Green.schedulingPoint(); counter[0] = v + 1; });
 *     var b = Green.spawn(() -> { int v = counter[0]; Green.schedulingPoint(); counter[0] = v + 1; });
 *     a.join();
 *     b.join();
 *     if (counter[0] != 2) {
 *         throw new AssertionError("lost update: " + counter[0]);
 *     }
 *     return counter[0];
 * }).settings(Determinism.seed(0).pct(2)).schedules(100).run();   // throws ScheduleFailedException
 * }</pre>
 *
 * <p>The body is expected to throw (for example an {@link AssertionError})
 * when it sees a wrong result. The strategy is {@code random} unless
 * {@link #settings(Determinism)} says otherwise; with PCT and the default
 * expected length, each schedule spreads its change points over the longest
 * schedule seen so far (the first over {@link Determinism#DEFAULT_PCT_STEPS}).
 */
public final class Exploration {
    /** Most schedules that may run at once ({@link #parallelism(int)}): each needs two threads of its own. */
    public static final int MAX_PARALLELISM = 1024;
    /** Steps shown in a failure report. */
    private static final int REPORT_STEPS = 24;

    private final Callable<?> body;
    private int schedules = 100;
    private long seedBase;
    private Config config = Config.defaults();
    private Determinism template = Determinism.seed(0);
    private boolean check;
    private int parallelism = 1;

    private Exploration(Callable<?> body) {
        this.body = body;
    }

    /**
     * An exploration of {@code body}, which runs as the root green thread of each schedule.
     *
     * @param body the code under test; it signals a bug by throwing
     * @return the exploration (100 schedules from seed 0 unless changed)
     * @throws NullPointerException if {@code body} is null
     */
    public static Exploration of(Callable<?> body) {
        return new Exploration(Objects.requireNonNull(body, "body"));
    }

    /**
     * Sets how many schedules to run at most.
     *
     * @param count the number of schedules, at least 1
     * @return this exploration
     * @throws IllegalArgumentException if {@code count} is less than 1
     */
    public Exploration schedules(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("schedules must be at least 1, was " + count);
        }
        this.schedules = count;
        return this;
    }

    /**
     * Sets the seed of the first schedule; schedule {@code i} uses {@code seedBase + i}.
     *
     * @param seedBase the first seed
     * @return this exploration
     */
    public Exploration seedBase(long seedBase) {
        this.seedBase = seedBase;
        return this;
    }

    /**
     * Sets the strategy and external policy of every schedule, for example
     * {@code Determinism.seed(0).pct(3)} or {@code Determinism.seed(0).lenient()},
     * and its limits ({@link Determinism#maxSteps(long)},
     * {@link Determinism#failOnLeak(boolean)}, {@link Determinism#startTime(java.time.Instant)},
     * {@link Determinism#sliceWatchdog(java.time.Duration)});
     * the seed of {@code settings} is ignored (see {@link #seedBase(long)}).
     *
     * @param settings the strategy and policy to use
     * @return this exploration
     * @throws NullPointerException if {@code settings} is null
     */
    public Exploration settings(Determinism settings) {
        this.template = Objects.requireNonNull(settings, "settings");
        return this;
    }

    /**
     * Sets check mode: each schedule runs twice and the two runs are compared
     * step by step; the first step where they differ fails the exploration with
     * a {@link NondeterminismException} naming it (user code that reads real
     * time, draws from an unseeded random source or iterates an identity-hashed
     * collection). Halves the schedules run per second.
     *
     * @param on true to run each schedule twice and compare
     * @return this exploration
     */
    public Exploration checkDeterminism(boolean on) {
        this.check = on;
        return this;
    }

    /**
     * Sets how many schedules run at once, each on its own deterministic
     * runtime and carrier thread (plus a platform thread per schedule running).
     * The outcome is exactly that of a sequential run: schedules are accepted
     * in index order, the failure reported is the first failing schedule by
     * index (the same replay key, schedule number and trace), and a PCT
     * schedule whose expected length was guessed before the schedules ahead
     * of it had ended is run again with the length a sequential run uses. A
     * few schedules after the failing one may have run meanwhile; their
     * results are dropped. The body must not share state between schedules
     * (build it inside the body), since several run at the same time.
     *
     * @param threads how many schedules at once, from 1 (the default: one after another) to
     *        {@value #MAX_PARALLELISM}
     * @return this exploration
     * @throws IllegalArgumentException if {@code threads} is less than 1 or more than {@value #MAX_PARALLELISM}
     */
    public Exploration parallelism(int threads) {
        if (threads < 1 || threads > MAX_PARALLELISM) {
            throw new IllegalArgumentException("parallelism must be between 1 and " + MAX_PARALLELISM + ", was "
                    + threads);
        }
        this.parallelism = threads;
        return this;
    }

    /**
     * Sets the settings of each schedule's runtime (its workers and time slice are ignored).
     *
     * @param config the runtime settings
     * @return this exploration
     * @throws NullPointerException if {@code config} is null
     */
    public Exploration config(Config config) {
        this.config = Objects.requireNonNull(config, "config");
        return this;
    }

    /**
     * Runs the schedules in seed order until one fails.
     *
     * @return the number of schedules run (all of them passed)
     * @throws ScheduleFailedException for the first schedule that failed: its
     *         message starts with the replay key and ends with the last steps;
     *         the body's own failure, if it threw, is the cause; a
     *         {@link DeadlockException} if the schedule deadlocked; a
     *         {@link NondeterminismException} in check mode if two runs of a
     *         schedule differ
     * @throws CancelledException if the calling thread is interrupted while
     *         schedules run (for example by JUnit's {@code @Timeout}): the
     *         schedules running are stopped, and the interrupt status is left set
     */
    public int run() {
        return parallelism > 1 && schedules > 1 ? runParallel() : runSequential();
    }

    /** Whether PCT's expected length is estimated from the schedules run (see the class comment). */
    private boolean estimates() {
        return template.pctDepth() > 0 && template.expectedSteps() == Determinism.DEFAULT_PCT_STEPS;
    }

    private int runSequential() {
        boolean estimate = estimates();
        long longest = 0;
        for (int i = 0; i < schedules; i++) {
            Result r = schedule(i, estimate ? longest : 0);
            if (r.failure() != null) {
                throw r.failure().withSchedule(i + 1);
            }
            longest = Math.max(longest, r.steps());
        }
        return schedules;
    }

    /**
     * One schedule's outcome.
     *
     * @param failure its failure, or null
     * @param steps how many steps it took
     * @param k the PCT length it was run with (0: the settings' own)
     */
    private record Result(ScheduleFailedException failure, long steps, long k) {
    }

    /**
     * Runs schedule {@code index} (seed {@code seedBase + index}); {@code k} is
     * PCT's expected length, or 0 for the settings' own. Any thread; touches no
     * field that another schedule writes.
     */
    private Result schedule(int index, long k) {
        // A replay of saved steps keeps its recorded seed (it feeds Green.random and select).
        Determinism d = template.replayedSteps() != null ? template : template.withSeed(seedBase + index);
        if (k > 0) {
            d = d.expectedSteps(k);
        }
        long[] steps = new long[1];
        if (check) {
            Object[] recording = new Object[1];
            ScheduleFailedException first = runOnce(d, index, DetScheduler.RECORD_FULL, null, recording, steps);
            ScheduleFailedException second = runOnce(d, index, DetScheduler.RECORD_FULL, recording[0], null, steps);
            if (second instanceof NondeterminismException) {
                return new Result(second, steps[0], k);
            }
            // A failure of the first run; else one only the second run had (same steps): reported as is.
            return new Result(first != null ? first : second, steps[0], k);
        }
        ScheduleFailedException f = runOnce(d, index, DetScheduler.RECORD_CHOICES, null, null, steps);
        return new Result(f, steps[0], k);
    }

    /**
     * Parallel exploration (see {@link #parallelism(int)}). Workers take
     * schedules in index order, each guessing PCT's expected length from the
     * schedules this thread (the coordinator) has accepted so far; the
     * coordinator accepts results strictly in index order and re-runs (itself)
     * any schedule whose guess differs from what a sequential run would have
     * used, so the schedules accepted, and the first failure, are exactly the
     * sequential run's.
     */
    private int runParallel() {
        boolean estimate = estimates();
        int n = Math.min(parallelism, schedules);
        // Results by index, made by whichever side comes first and dropped once accepted: as many as
        // the workers are ahead of the coordinator, not one per schedule (which may be Integer.MAX_VALUE).
        ConcurrentHashMap<Integer, CompletableFuture<Result>> results = new ConcurrentHashMap<>();
        IntFunction<CompletableFuture<Result>> result = i -> results.computeIfAbsent(i, x -> new CompletableFuture<>());
        AtomicInteger next = new AtomicInteger();
        AtomicLong accepted = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Thread[] workers = new Thread[n];
        for (int w = 0; w < n; w++) {
            workers[w] = Thread.ofPlatform().daemon().name("verdant-exploration-" + w).unstarted(() -> {
                int i;
                while (!stop.get() && (i = next.getAndIncrement()) < schedules) {
                    try {
                        result.apply(i).complete(schedule(i, estimate ? accepted.get() : 0));
                    } catch (Throwable t) {
                        result.apply(i).completeExceptionally(t);
                    }
                }
            });
            workers[w].start();
        }
        try {
            long longest = 0;
            for (int i = 0; i < schedules; i++) {
                Result r;
                try {
                    r = result.apply(i).get(); // interruptible, as a sequential run's Verdant.run is
                    results.remove(i);
                } catch (InterruptedException e) {
                    stop.set(true);
                    for (Thread w : workers) {
                        w.interrupt(); // each one's Verdant.run ends its schedule with CancelledException
                    }
                    Thread.currentThread().interrupt();
                    throw new CancelledException("Exploration.run: interrupted while waiting for schedule " + (i + 1));
                } catch (ExecutionException e) {
                    stop.set(true);
                    Throwable c = e.getCause();
                    if (c instanceof RuntimeException re) {
                        throw re;
                    }
                    if (c instanceof Error er) {
                        throw er;
                    }
                    throw new CompletionException(c);
                }
                long k = estimate ? longest : 0;
                if (r.k() != k) {
                    r = schedule(i, k); // the worker guessed another length than a sequential run uses
                }
                if (r.failure() != null) {
                    stop.set(true);
                    throw r.failure().withSchedule(i + 1);
                }
                longest = Math.max(longest, r.steps());
                accepted.set(longest);
            }
            return schedules;
        } finally {
            stop.set(true);
            boolean interrupted = false;
            for (Thread w : workers) {
                while (true) {
                    try {
                        w.join(); // each finishes the schedule it is running, then sees stop
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One schedule; returns its failure (not thrown), or null; its step count goes to {@code stepsOut[0]}. */
    private ScheduleFailedException runOnce(Determinism d, int index, int record, Object expected,
                                            Object[] recordingOut, long[] stepsOut) {
        DetScheduler det = new DetScheduler(d, record, expected);
        try (Verdant rt = Verdant.deterministic(config, det)) {
            try {
                rt.run(body);
                return expected == null ? null : shorter(d, det, expected, rt.trace());
            } catch (ScheduleFailedException e) {
                return e.withRecording(det.recording()).withSteps(det);
            } catch (GreenFailedException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                ScheduleFailedException shorter = expected == null ? null : shorter(d, det, expected, rt.trace());
                if (shorter != null) {
                    return shorter;
                }
                String what = index < 0 ? "the replay of " + d.replayKey() : "schedule " + (index + 1) + " of " + schedules;
                // The cause's toString() is user code: one that throws must not replace the report.
                return new ScheduleFailedException(what + " failed: " + io.verdant.internal.Throwables.describe(cause)
                        + report(det), rt.trace(), cause)
                        .withRecording(det.recording()).withSteps(det);
            } finally {
                stepsOut[0] = rt.trace().steps();
                if (recordingOut != null) {
                    recordingOut[0] = det.recording();
                }
            }
        }
    }

    /**
     * Runs a failed schedule of this exploration again (same body, settings and
     * replay key) and compares it step by step with the failed run: the
     * replay of a deterministic program takes exactly the same steps. Use it
     * after changing logging or adding assertions, or in a debugger.
     *
     * @param failure what {@link #run()} threw
     * @return the replay's own failure (the same replay key; normally the same
     *         failure again), or null if the replay passed
     * @throws NondeterminismException if the replay took another step than the
     *         failed run: its {@link NondeterminismException#step()} is the first
     *         step that differs, and its message says what each run did there
     * @throws NullPointerException if {@code failure} is null
     * @throws IllegalArgumentException if {@code failure} was not thrown by an
     *         exploration's {@link #run()} in this JVM (it carries no step record)
     */
    public ScheduleFailedException replay(ScheduleFailedException failure) {
        Objects.requireNonNull(failure, "failure");
        Object steps = failure.recording();
        if (steps == null) {
            throw new IllegalArgumentException("failure: carries no step record (not thrown by Exploration.run in this "
                    + "JVM); replay its key with Verdant.deterministic(config, Determinism.replay(key)) instead");
        }
        int mode = DetScheduler.isFull(steps) ? DetScheduler.RECORD_FULL : DetScheduler.RECORD_CHOICES;
        // Saved steps (the settings of this exploration) are named by a key of their seed only: run them again.
        Determinism d = template.replayedSteps() != null ? template
                : Determinism.replay(failure.replayKey()).withLimitsOf(template);
        ScheduleFailedException again = runOnce(d, -1, mode, steps, null, new long[1]);
        if (again instanceof NondeterminismException) {
            throw again;
        }
        return again;
    }

    /** Check mode: the second run ended (its root) before the first did; null if not. */
    private static ScheduleFailedException shorter(Determinism d, DetScheduler det, Object expected, ScheduleTrace t) {
        int want = DetScheduler.recordedSteps(expected);
        int got = DetScheduler.recordedSteps(det.recording());
        if (got >= want) {
            return null;
        }
        return new NondeterminismException(got + 1, "the schedule is not deterministic: two runs of " + d.replayKey()
                + " diverged at step " + (got + 1) + ": the first run's body went on for " + want
                + " steps, the second's ended after " + got + report(det), t);
    }

    private static String report(DetScheduler det) {
        return "\n  last steps (step, task, what, point, virtual tick, woken by):\n" + det.recentSteps(REPORT_STEPS);
    }
}
