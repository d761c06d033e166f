package io.verdant;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

import io.verdant.internal.det.StepScript;

/**
 * The settings of a deterministic runtime ({@link Verdant#deterministic(Config, Determinism)}):
 * a seed and the strategy that, from that seed, chooses which green thread runs
 * next at every scheduling point. The same settings and the same program give
 * the same schedule, the same trace hash and the same virtual end time.
 *
 * <p>Strategies:
 * <ul>
 * <li>{@code random} (the default): uniform among the runnable threads, and at
 *     a non-blocking Verdant operation a random chance to switch;</li>
 * <li>{@code pct(depth)} (Burckhardt et al., "A Randomized Scheduler with
 *     Probabilistic Guarantees of Finding Bugs", ASPLOS 2010): each thread gets
 *     a random priority when it first runs, the highest-priority runnable thread
 *     always runs, and at {@code depth - 1} steps chosen uniformly over the
 *     expected length of the schedule ({@link #expectedSteps()}) the running
 *     thread's priority drops below all others. A bug that needs {@code depth}
 *     specific orderings among {@code n} threads and {@code k} steps is found
 *     with probability at least {@code 1/(n k^(depth-1))} per schedule;</li>
 * <li>{@code natural}: first submitted runs first; a thread runs until it
 *     blocks, yields or ends (a reproducible order and virtual time, no
 *     exploration);</li>
 * <li>{@code steps} ({@link #replaySteps(String)}): the choices of a recorded
 *     run, checked step by step.</li>
 * </ul>
 *
 * <p>External policy: by default ({@code strict}) anything that enters the
 * runtime from outside its control (a wake-up from a platform thread, a JDK
 * timer, the socket poller) fails the run. {@link #lenient()} admits such
 * events, one at a time in arrival order, only when no green thread can run,
 * and marks the run as possibly not replayable ({@link ScheduleTrace#replayable()}).
 *
 * <p>A failed deterministic run names its settings as a one-line replay key,
 * {@code v1:<strategy>:0x<seed in hex>} (for example {@code v1:random:0x2A} or
 * {@code v1:pct3:0x5DEECE66D}), followed by {@code :k=<steps>} when a PCT
 * schedule's expected length is not the default, by {@code :lenient} for
 * the lenient policy, and by the options that change what a run does when
 * they are not the defaults: {@code :maxSteps=<n>} ({@link #maxSteps(long)}),
 * {@code :failOnLeak} ({@link #failOnLeak(boolean)}),
 * {@code :startTime=<epoch seconds>[.<9 digits of nanoseconds>]}
 * ({@link #startTime(Instant)}) and {@code :failOnUnjoinedFailure=false}
 * ({@link #failOnUnjoinedFailure(boolean)}). So
 * {@link #replay(String)} turns a key alone back into settings under which
 * the run takes the same steps and fails the same way. The format is still
 * {@code v1}: a key without these options (every key written before they
 * were added, and any key of default options) parses as before, to the
 * defaults. A value is immutable.
 *
 * <p>Not named by the replay key (they change no step of a run that
 * completes): the real-time bound on one slice
 * ({@link #sliceWatchdog(Duration)}) and step recording
 * ({@link #recordSteps(boolean)}). {@code @VerdantTest}'s replay and
 * {@link Exploration#replay(ScheduleFailedException)} take every limit from
 * the test or exploration that replays, which overrides the key's.
 *
 * <p>A schedule can also be saved as its list of choices and replayed from it
 * ({@link #replaySteps(String)}): unlike a replay key, that survives a change
 * of the strategy's code or a small change of the program, and checks at every
 * step that the program still does what it did.
 */
public final class Determinism {
    private static final String VERSION = "v1";
    private static final String RANDOM = "random";
    private static final String NATURAL = "natural";
    private static final String PCT = "pct";
    private static final String LENIENT = "lenient";
    private static final String STEPS = "steps";
    private static final String MAX_STEPS = "maxSteps=";
    private static final String FAIL_ON_LEAK = "failOnLeak";
    private static final String START_TIME = "startTime=";
    private static final String UNJOINED = "failOnUnjoinedFailure=";
    /**
     * The expected schedule length PCT spreads its change points over when
     * nothing better is known: a bound for small tests (tens of threads, a few
     * hundred operations). {@link Exploration} replaces it with the longest
     * schedule it has seen. Not measured; a PCT run longer than this sees its
     * change points only in its first {@code DEFAULT_PCT_STEPS} steps.
     */
    public static final long DEFAULT_PCT_STEPS = 1_000;
    /** The deepest PCT bug depth accepted: each extra level divides the guarantee by the step count. */
    private static final int MAX_DEPTH = 64;

    /**
     * The default step limit ({@link #maxSteps(long)}): a schedule longer than
     * this is taken for a livelock. The design's default; generous for tests
     * (a step costs about a microsecond, so the limit is reached in about a
     * second of real time).
     */
    public static final long DEFAULT_MAX_STEPS = 1_000_000;
    /**
     * The default real-time bound of one slice ({@link #sliceWatchdog(Duration)}):
     * long enough that a loaded CI machine does not trip it on honest work
     * between two scheduling points, short enough that a spinning thread fails
     * the test instead of hanging the build. Not measured.
     */
    public static final Duration DEFAULT_SLICE_WATCHDOG = Duration.ofSeconds(10);
    /** The default virtual wall-clock origin ({@link #startTime(Instant)}), as Go's testing/synctest. */
    public static final Instant DEFAULT_START_TIME = Instant.parse("2000-01-01T00:00:00Z");
    /** The latest virtual wall-clock origin: the clock must count Long.MAX_VALUE nanoseconds from it. */
    private static final Instant LATEST_START_TIME = Instant.MAX.minusNanos(Long.MAX_VALUE);

    private final long seed;
    private final String strategy;
    private final int depth;
    private final long expectedSteps;
    private final boolean lenient;
    // Limits and environment: they choose nothing, but maxSteps, failOnLeak, startTime
    // and failOnUnjoinedFailure change what a run does, so the replay key names them
    // (when not the defaults); sliceWatchdog and recordSteps it does not.
    private final long maxSteps;
    private final boolean failOnLeak;
    private final Instant startTime;
    private final Duration sliceWatchdog;
    private final boolean failOnUnjoinedFailure;
    private final boolean recordSteps;
    /** The saved steps a {@code steps} strategy replays (a StepScript), or null. */
    private final StepScript script;

    private Determinism(long seed, String strategy, int depth, long expectedSteps, boolean lenient) {
        this(seed, strategy, depth, expectedSteps, lenient, null, DEFAULT_MAX_STEPS, false, DEFAULT_START_TIME,
                DEFAULT_SLICE_WATCHDOG, true, false);
    }

    private Determinism(long seed, String strategy, int depth, long expectedSteps, boolean lenient, StepScript script,
                        long maxSteps, boolean failOnLeak, Instant startTime, Duration sliceWatchdog,
                        boolean failOnUnjoinedFailure, boolean recordSteps) {
        this.seed = seed;
        this.strategy = strategy;
        this.depth = depth;
        this.expectedSteps = expectedSteps;
        this.lenient = lenient;
        this.script = script;
        this.maxSteps = maxSteps;
        this.failOnLeak = failOnLeak;
        this.startTime = startTime;
        this.sliceWatchdog = sliceWatchdog;
        this.failOnUnjoinedFailure = failOnUnjoinedFailure;
        this.recordSteps = recordSteps;
    }

    /** A copy with the choice settings given and this value's limits and environment. */
    private Determinism choices(long seed, String strategy, int depth, long expectedSteps, boolean lenient) {
        return choices(seed, strategy, depth, expectedSteps, lenient, null);
    }

    private Determinism choices(long seed, String strategy, int depth, long expectedSteps, boolean lenient,
                                StepScript script) {
        return new Determinism(seed, strategy, depth, expectedSteps, lenient, script, maxSteps, failOnLeak, startTime,
                sliceWatchdog, failOnUnjoinedFailure, recordSteps);
    }

    /** A copy with this value's choices and the limits and environment given. */
    private Determinism limits(long maxSteps, boolean failOnLeak, Instant startTime, Duration sliceWatchdog,
                               boolean failOnUnjoinedFailure, boolean recordSteps) {
        return new Determinism(seed, strategy, depth, expectedSteps, lenient, script, maxSteps, failOnLeak, startTime,
                sliceWatchdog, failOnUnjoinedFailure, recordSteps);
    }

    /**
     * Settings with the {@code random} strategy, the given seed and the strict policy.
     *
     * @param seed the seed of every choice the runtime makes
     * @return the settings
     */
    public static Determinism seed(long seed) {
        return new Determinism(seed, RANDOM, 0, DEFAULT_PCT_STEPS, false);
    }

    /**
     * The settings a replay key names.
     *
     * @param replayKey a key as printed by a failed run, such as {@code v1:random:0x2A},
     *        {@code v1:natural:0x2A}, {@code v1:pct3:0x5DEECE66D},
     *        {@code v1:pct3:0x5DEECE66D:k=412:lenient} or
     *        {@code v1:random:0x2A:maxSteps=5000:failOnLeak:startTime=1700000000}
     * @return the settings: the key's choices and options, the other limits at their defaults
     * @throws NullPointerException if {@code replayKey} is null
     * @throws IllegalArgumentException if {@code replayKey} is not of the form
     *         {@code v1:<random|natural|pct<depth>>:0x<hex>[:k=<steps>][:lenient][:maxSteps=<n>][:failOnLeak]}
     *         {@code [:startTime=<seconds>[.<nanos>]][:failOnUnjoinedFailure=<true|false>]}
     *         and not saved steps ({@code v1:steps:...}, see {@link #replaySteps(String)},
     *         to which such a text is handed)
     */
    public static Determinism replay(String replayKey) {
        Objects.requireNonNull(replayKey, "replayKey");
        if (replayKey.strip().startsWith(StepScript.HEADER)) {
            return replaySteps(replayKey);
        }
        String[] parts = replayKey.trim().split(":");
        if (parts.length < 3 || !parts[0].equals(VERSION)
                || !parts[2].toLowerCase(Locale.ROOT).startsWith("0x") || parts[2].length() < 3) {
            throw badKey(replayKey, null);
        }
        String strategy = parts[1];
        int depth = 0;
        if (strategy.startsWith(PCT)) {
            try {
                depth = Integer.parseInt(strategy.substring(PCT.length()));
            } catch (NumberFormatException e) {
                throw badKey(replayKey, e);
            }
            if (depth < 1 || depth > MAX_DEPTH) {
                throw badKey(replayKey, null);
            }
            strategy = PCT + depth;
        } else if (!strategy.equals(RANDOM) && !strategy.equals(NATURAL)) {
            throw badKey(replayKey, null);
        }
        long seed;
        try {
            seed = Long.parseUnsignedLong(parts[2].substring(2), 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("replayKey: the seed '" + parts[2] + "' is not a 64-bit hex number", e);
        }
        long k = DEFAULT_PCT_STEPS;
        boolean lenient = false;
        long maxSteps = DEFAULT_MAX_STEPS;
        boolean failOnLeak = false;
        Instant startTime = DEFAULT_START_TIME;
        boolean failOnUnjoinedFailure = true;
        for (int i = 3; i < parts.length; i++) {
            String p = parts[i];
            if (p.equals(LENIENT)) {
                lenient = true;
            } else if (p.equals(FAIL_ON_LEAK)) {
                failOnLeak = true;
            } else if (p.startsWith(MAX_STEPS)) {
                try {
                    maxSteps = Long.parseLong(p.substring(MAX_STEPS.length()));
                } catch (NumberFormatException e) {
                    throw badKey(replayKey, e);
                }
                if (maxSteps < 1) {
                    throw badKey(replayKey, null);
                }
            } else if (p.startsWith(START_TIME)) {
                startTime = parseStartTime(p.substring(START_TIME.length()), replayKey);
                if (startTime.isAfter(LATEST_START_TIME)) {
                    throw badKey(replayKey, null);
                }
            } else if (p.equals(UNJOINED + "false") || p.equals(UNJOINED + "true")) {
                failOnUnjoinedFailure = p.endsWith("true");
            } else if (p.startsWith("k=") && depth > 0) {
                try {
                    k = Long.parseLong(p.substring(2));
                } catch (NumberFormatException e) {
                    throw badKey(replayKey, e);
                }
                if (k < 1) {
                    throw badKey(replayKey, null);
                }
            } else {
                throw badKey(replayKey, null);
            }
        }
        return new Determinism(seed, strategy, depth, k, lenient, null, maxSteps, failOnLeak, startTime,
                DEFAULT_SLICE_WATCHDOG, failOnUnjoinedFailure, false);
    }

    /** A key's start time: epoch seconds, optionally a dot and nine digits of nanoseconds. */
    private static Instant parseStartTime(String v, String key) {
        int dot = v.indexOf('.');
        try {
            long seconds = Long.parseLong(dot < 0 ? v : v.substring(0, dot));
            int nanos = 0;
            if (dot >= 0) {
                String n = v.substring(dot + 1);
                if (n.length() != 9 || n.charAt(0) == '-' || n.charAt(0) == '+') {
                    throw badKey(key, null);
                }
                nanos = Integer.parseInt(n);
            }
            return Instant.ofEpochSecond(seconds, nanos);
        } catch (NumberFormatException | java.time.DateTimeException e) {
            throw badKey(key, e);
        }
    }

    /**
     * The virtual wall clock reads startTime plus the virtual time, which may reach
     * Long.MAX_VALUE nanoseconds: a later origin would make Green.clock() throw
     * DateTimeException in the body once time moved.
     */
    private static Instant checkStartTime(Instant startTime) {
        if (startTime.isAfter(LATEST_START_TIME)) {
            throw new IllegalArgumentException("startTime must be at most " + LATEST_START_TIME
                    + " (Instant.MAX less Long.MAX_VALUE nanoseconds of virtual time), was " + startTime);
        }
        return startTime;
    }

    private static IllegalArgumentException badKey(String key, Throwable cause) {
        return new IllegalArgumentException("replayKey: expected v1:<random|natural|pct<depth>>:0x<hex seed>"
                + "[:k=<steps>][:lenient][:maxSteps=<n>][:failOnLeak][:startTime=<epoch seconds>[.<nanos>]]"
                + "[:failOnUnjoinedFailure=false], got '" + key + "'", cause);
    }

    /**
     * Settings that replay a schedule saved as its list of choices (the
     * {@code steps} strategy): the text a recording run gives
     * ({@link ScheduleFailedException#steps()} of a failed
     * {@link Exploration} schedule, {@link Verdant#steps()} of a runtime with
     * {@link #recordSteps(boolean)}), for example
     * {@code v1:steps:0x2A 0/0 0=1 1/1 ...}: the seed, then per step which
     * task ran and the runnable set it was chosen from (white space of any
     * kind between steps, so the text may be wrapped in a file or a text block).
     *
     * <p>Each step makes the recorded choice, after checking that the step is
     * the recorded one: a dispatch, or a scheduling point of the same green
     * thread, with the same runnable set (task ids in first-start order). The
     * first step that differs fails the run with a {@link NondeterminismException}
     * whose {@link NondeterminismException#step()} is that step and whose message
     * says what was recorded and what was found there; so does a run that goes
     * on past the recording, or whose body ends before it. Unlike a replay key,
     * saved steps do not depend on the strategy's code, so they still replay
     * after a change to it, and after a small change to the program that starts
     * and orders its threads as before (added logging, a new assertion); and a
     * second run of the same program with its own saved steps is a
     * nondeterminism check. The seed still feeds {@link Green#random()} and
     * {@link Select}'s fair order. The replay key of such settings,
     * {@code v1:steps:0x<seed>}, names only the seed and cannot replay on its
     * own: keep the text. Limits and environment are the defaults; set them as
     * for the recorded run.
     *
     * @param steps the saved steps, as {@code v1:steps:0x<hex seed>[:lenient]} followed by the steps
     * @return settings with the {@code steps} strategy, the recorded seed and policy
     * @throws NullPointerException if {@code steps} is null
     * @throws IllegalArgumentException if {@code steps} is not such a text or holds no step
     */
    public static Determinism replaySteps(String steps) {
        StepScript script = StepScript.parse(steps);
        return new Determinism(script.seed(), STEPS, 0, DEFAULT_PCT_STEPS, script.lenient(), script, DEFAULT_MAX_STEPS,
                false, DEFAULT_START_TIME, DEFAULT_SLICE_WATCHDOG, true, false);
    }

    /**
     * The saved steps these settings replay ({@link #replaySteps(String)}).
     *
     * @return the steps' text form, or null if the strategy is not {@code steps}
     */
    public String replayedSteps() {
        return script == null ? null : script.toString();
    }

    /**
     * These settings with step recording on or off. With it on, the runtime
     * keeps every step's choice and runnable set, up to the end of the body,
     * and {@link Verdant#steps()} returns them as text for
     * {@link #replaySteps(String)}; a failure's {@link ScheduleFailedException#steps()}
     * carries them too. Costs memory per step (a few longs); {@link Exploration}
     * always records. Not part of the replay key.
     *
     * @param on true to record the steps
     * @return settings with the same choices, limits and environment and this recording
     */
    public Determinism recordSteps(boolean on) {
        return limits(maxSteps, failOnLeak, startTime, sliceWatchdog, failOnUnjoinedFailure, on);
    }

    /**
     * Whether steps are recorded ({@link #recordSteps(boolean)}).
     *
     * @return true if they are; false by default
     */
    public boolean isRecordSteps() {
        return recordSteps;
    }

    /**
     * These settings with the unobserved-failure check on or off. With it on
     * (the default), a green thread that fails while nobody observes its
     * failure fails the run: when the body (every green thread started from
     * outside, such as {@link Verdant#run(java.util.concurrent.Callable)}'s) has
     * ended, a failure that no thread joined (before or after the failing thread
     * ended), that reached no link, monitor, supervisor or {@link Scope}, and
     * that no {@link Config.Builder#failureHandler failure handler} was given,
     * makes {@code run} throw a {@link ScheduleFailedException} naming the thread,
     * with its exception as the cause and the replay key. A
     * {@link CancelledException} (the normal end of a cancelled thread) never
     * counts; nor does a failure after the body ended (leaked threads; see
     * {@link #failOnLeak(boolean)}).
     *
     * <p>Why on by default: in a test, a failure nobody looks at is a bug the
     * test would otherwise miss (in normal mode it is only logged, and a log
     * line does not fail a build). kotlinx-coroutines' {@code runTest} and Go's
     * {@code testing} treat uncaught child failures the same way. A test that
     * expects a thread to fail and does not care can join it
     * ({@code assertThrows}), configure a failure handler (which then gets the
     * failure instead), or turn the check off. The replay key names it when
     * it is off.
     *
     * @param on true to fail a run on an unobserved failure
     * @return settings with the same choices, limits and environment and this check
     */
    public Determinism failOnUnjoinedFailure(boolean on) {
        return limits(maxSteps, failOnLeak, startTime, sliceWatchdog, on, recordSteps);
    }

    /**
     * Whether an unobserved failure fails the run ({@link #failOnUnjoinedFailure(boolean)}).
     *
     * @return true if it does (the default)
     */
    public boolean isFailOnUnjoinedFailure() {
        return failOnUnjoinedFailure;
    }

    /**
     * These settings with the {@code random} strategy.
     *
     * @return settings with the same seed and policy and the {@code random} strategy
     */
    public Determinism random() {
        return choices(seed, RANDOM, 0, expectedSteps, lenient);
    }

    /**
     * These settings with the {@code natural} strategy (first submitted runs
     * first; no switch at non-blocking operations).
     *
     * @return settings with the same seed and policy and the {@code natural} strategy
     */
    public Determinism natural() {
        return choices(seed, NATURAL, 0, expectedSteps, lenient);
    }

    /**
     * These settings with the PCT strategy for bugs of depth {@code depth}
     * (see the class comment): random priorities, {@code depth - 1} priority
     * change points spread uniformly over {@link #expectedSteps()} steps, the
     * highest-priority runnable thread runs. A change point that falls on a
     * step where no other thread could run instead is deferred to the next
     * step where one could, so every change point can act. Replay key
     * {@code v1:pct<depth>:0x<seed>}.
     *
     * @param depth the bug depth to target, 1 to 64 (1: no change point; each
     *        schedule runs threads in one random priority order)
     * @return settings with the same seed and policy and the PCT strategy
     * @throws IllegalArgumentException if {@code depth} is not in [1, 64]
     */
    public Determinism pct(int depth) {
        if (depth < 1 || depth > MAX_DEPTH) {
            throw new IllegalArgumentException("depth must be in [1, " + MAX_DEPTH + "], was " + depth);
        }
        return choices(seed, PCT + depth, depth, expectedSteps, lenient);
    }

    /**
     * These settings with another expected schedule length, over which PCT
     * spreads its change points (estimate it from an earlier run's
     * {@link ScheduleTrace#steps()}; {@link Exploration} does so itself).
     * Ignored by the other strategies.
     *
     * @param steps the expected number of steps, at least 1
     * @return settings with the same seed, strategy and policy
     * @throws IllegalArgumentException if {@code steps} is less than 1
     */
    public Determinism expectedSteps(long steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1, was " + steps);
        }
        return choices(seed, strategy, depth, steps, lenient, script);
    }

    /**
     * These settings with another seed.
     *
     * @param seed the new seed
     * @return settings with the same strategy and policy and {@code seed}
     */
    public Determinism withSeed(long seed) {
        return choices(seed, strategy, depth, expectedSteps, lenient, script);
    }

    /**
     * These settings with the lenient external policy: a wake-up from outside
     * the runtime (a platform thread, a JDK timer or poller thread) is admitted,
     * in arrival order, only when no green thread of the runtime can run,
     * instead of failing the run; a run that admitted one is marked possibly not
     * replayable ({@link ScheduleTrace#replayable()} is false and failure reports
     * say so). JDK timed waits and contended monitors are admitted the same way.
     *
     * @return settings with the same seed and strategy and the lenient policy
     */
    public Determinism lenient() {
        return choices(seed, strategy, depth, expectedSteps, true, script);
    }

    /**
     * These settings with another step limit: a schedule that takes more steps
     * fails with a {@link ScheduleFailedException} saying "livelock?" and
     * showing its last steps (a loop of green threads that keep each other
     * busy, or a retry loop that never gives up). The same number, at least
     * {@link #DEFAULT_MAX_STEPS}, bounds the
     * moves of virtual time in a row that make no green thread runnable (a
     * periodic timer whose messages nobody receives): past it, time moves no
     * more, and a body still waiting fails the run with a
     * {@link ScheduleFailedException} naming what each green thread waits on.
     * The replay key names the limit when it is not the default.
     *
     * @param steps the most steps a schedule may take, at least 1 ({@link #DEFAULT_MAX_STEPS} unless set)
     * @return settings with the same seed, strategy and policy and this limit
     * @throws IllegalArgumentException if {@code steps} is less than 1
     */
    public Determinism maxSteps(long steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("maxSteps must be at least 1, was " + steps);
        }
        return limits(steps, failOnLeak, startTime, sliceWatchdog, failOnUnjoinedFailure, recordSteps);
    }

    /**
     * These settings with leak checking on or off. With it on, when every
     * green thread started from outside the runtime (the body of
     * {@link Verdant#run(java.util.concurrent.Callable)}) has ended, the
     * runtime runs on until nothing can run and no timer is pending (virtual
     * time advances as usual); green threads still alive then are leaks, and
     * the run fails with a {@link ScheduleFailedException} naming each of them
     * and what it waits on. {@code run} returns only after that check. With it
     * off (the default), leaked threads are cancelled when the runtime closes.
     *
     * @param on true to fail a run that leaves green threads waiting
     * @return settings with the same seed, strategy and policy and this leak check
     */
    public Determinism failOnLeak(boolean on) {
        return limits(maxSteps, on, startTime, sliceWatchdog, failOnUnjoinedFailure, recordSteps);
    }

    /**
     * These settings with another origin of the virtual wall clock
     * ({@link Green#clock()}), which reads {@code startTime} plus the virtual
     * time. {@link Green#nanoTime()} is unaffected (it counts from 0). The
     * replay key names it when it is not the default.
     *
     * @param startTime the instant the virtual wall clock shows when the runtime starts
     *        ({@link #DEFAULT_START_TIME} unless set)
     * @return settings with the same seed, strategy and policy and this origin
     * @throws NullPointerException if {@code startTime} is null
     * @throws IllegalArgumentException if {@code startTime} is later than {@link Instant#MAX}
     *         less {@link Long#MAX_VALUE} nanoseconds (the clock could not count the
     *         virtual time from it)
     */
    public Determinism startTime(Instant startTime) {
        checkStartTime(Objects.requireNonNull(startTime, "startTime"));
        return limits(maxSteps, failOnLeak, startTime, sliceWatchdog, failOnUnjoinedFailure, recordSteps);
    }

    /**
     * These settings with another real-time bound on one slice: a green thread
     * that runs longer than {@code bound} without reaching a scheduling point
     * (a loop that spins without any Verdant operation, a wait the runtime
     * cannot see, such as a class initialisation another green thread holds)
     * holds the only carrier; the run then fails with a
     * {@link ScheduleFailedException} showing that thread's stack, instead of
     * hanging. The check is made by the thread waiting in
     * {@link Verdant#run(java.util.concurrent.Callable)}. The stuck thread itself
     * cannot be stopped: it keeps the carrier (a daemon thread) until it reaches
     * a scheduling point or ends.
     *
     * @param bound the longest real time one slice may take, positive
     *        ({@link #DEFAULT_SLICE_WATCHDOG} unless set)
     * @return settings with the same seed, strategy and policy and this bound
     * @throws NullPointerException if {@code bound} is null
     * @throws IllegalArgumentException if {@code bound} is zero or negative
     */
    public Determinism sliceWatchdog(Duration bound) {
        Objects.requireNonNull(bound, "bound");
        if (bound.isNegative() || bound.isZero()) {
            throw new IllegalArgumentException("sliceWatchdog must be positive, was " + bound);
        }
        return limits(maxSteps, failOnLeak, startTime, bound, failOnUnjoinedFailure, recordSteps);
    }

    /** These settings' choices (seed, strategy, policy) with {@code other}'s limits and environment. */
    Determinism withLimitsOf(Determinism other) {
        return limits(other.maxSteps, other.failOnLeak, other.startTime, other.sliceWatchdog,
                other.failOnUnjoinedFailure, other.recordSteps);
    }

    /**
     * The step limit.
     *
     * @return the most steps a schedule may take ({@link #DEFAULT_MAX_STEPS} unless set)
     */
    public long maxStepsValue() {
        return maxSteps;
    }

    /**
     * Whether leaked green threads fail the run ({@link #failOnLeak(boolean)}).
     *
     * @return true if they do; false by default
     */
    public boolean isFailOnLeak() {
        return failOnLeak;
    }

    /**
     * The origin of the virtual wall clock.
     *
     * @return the instant {@link Green#clock()} shows at virtual time 0
     */
    public Instant startTimeValue() {
        return startTime;
    }

    /**
     * The real-time bound on one slice ({@link #sliceWatchdog(Duration)}).
     *
     * @return the bound ({@link #DEFAULT_SLICE_WATCHDOG} unless set)
     */
    public Duration sliceWatchdogValue() {
        return sliceWatchdog;
    }

    /**
     * The seed.
     *
     * @return the seed of every choice the runtime makes
     */
    public long seedValue() {
        return seed;
    }

    /**
     * The strategy's name, as in the replay key.
     *
     * @return {@code "random"}, {@code "natural"}, {@code "pct<depth>"} (for example {@code "pct3"}) or
     *         {@code "steps"} (a replay of saved steps, {@link #replaySteps(String)})
     */
    public String strategy() {
        return strategy;
    }

    /**
     * The PCT bug depth.
     *
     * @return the depth given to {@link #pct(int)}, or 0 if the strategy is not PCT
     */
    public int pctDepth() {
        return depth;
    }

    /**
     * The expected schedule length PCT spreads its change points over.
     *
     * @return the number of steps ({@link #DEFAULT_PCT_STEPS} unless set)
     */
    public long expectedSteps() {
        return expectedSteps;
    }

    /**
     * Whether the lenient external policy is on ({@link #lenient()}).
     *
     * @return true if external events are admitted at quiescence instead of failing the run
     */
    public boolean isLenient() {
        return lenient;
    }

    /**
     * The one-line key that names these settings, for {@link #replay(String)}.
     *
     * @return for example {@code v1:random:0x2A}, {@code v1:pct3:0x5DEECE66D:k=412} or
     *         {@code v1:random:0x2A:maxSteps=5000:failOnLeak} (the options a replay needs, when not the
     *         defaults: see the class comment); for a replay of saved steps {@code v1:steps:0x<seed>},
     *         which names the seed only (see {@link #replaySteps(String)})
     */
    public String replayKey() {
        StringBuilder sb = new StringBuilder(VERSION).append(':').append(strategy).append(":0x")
                .append(Long.toHexString(seed).toUpperCase(Locale.ROOT));
        if (depth > 0 && expectedSteps != DEFAULT_PCT_STEPS) {
            sb.append(":k=").append(expectedSteps);
        }
        if (lenient) {
            sb.append(':').append(LENIENT);
        }
        if (script != null) {
            return sb.toString(); // names the seed only (see replaySteps)
        }
        if (maxSteps != DEFAULT_MAX_STEPS) {
            sb.append(':').append(MAX_STEPS).append(maxSteps);
        }
        if (failOnLeak) {
            sb.append(':').append(FAIL_ON_LEAK);
        }
        if (!startTime.equals(DEFAULT_START_TIME)) {
            sb.append(':').append(START_TIME).append(startTime.getEpochSecond());
            if (startTime.getNano() != 0) {
                sb.append('.').append(String.format(Locale.ROOT, "%09d", startTime.getNano()));
            }
        }
        if (!failOnUnjoinedFailure) {
            sb.append(':').append(UNJOINED).append(false);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Determinism d && d.seed == seed && d.strategy.equals(strategy)
                && (depth == 0 || d.expectedSteps == expectedSteps) && d.lenient == lenient
                && d.maxSteps == maxSteps && d.failOnLeak == failOnLeak && d.startTime.equals(startTime)
                && d.sliceWatchdog.equals(sliceWatchdog) && d.failOnUnjoinedFailure == failOnUnjoinedFailure
                && d.recordSteps == recordSteps && Objects.equals(d.script, script);
    }

    @Override
    public int hashCode() {
        return (Long.hashCode(seed) * 31 + strategy.hashCode()) * 31 + (lenient ? 1 : 0);
    }

    @Override
    public String toString() {
        // The key names maxSteps, failOnLeak, startTime and failOnUnjoinedFailure (except for saved steps).
        boolean keyed = script == null;
        return "Determinism[" + replayKey()
                + (!keyed && maxSteps != DEFAULT_MAX_STEPS ? ", maxSteps=" + maxSteps : "")
                + (!keyed && failOnLeak ? ", failOnLeak" : "")
                + (!keyed && !startTime.equals(DEFAULT_START_TIME) ? ", startTime=" + startTime : "")
                + (sliceWatchdog.equals(DEFAULT_SLICE_WATCHDOG) ? "" : ", sliceWatchdog=" + sliceWatchdog)
                + (!keyed && !failOnUnjoinedFailure ? ", failOnUnjoinedFailure=false" : "")
                + (recordSteps ? ", recordSteps" : "")
                + (script == null ? "" : ", " + script.size() + " saved steps") + "]";
    }
}
