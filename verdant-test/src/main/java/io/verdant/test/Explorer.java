package io.verdant.test;

import io.verdant.Config;
import io.verdant.Determinism;
import io.verdant.Exploration;
import io.verdant.Green;
import io.verdant.ScheduleFailedException;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The loop behind {@link VerdantExtension}: an {@link Exploration} of the
 * body under the schedules of a {@link Plan} (one fresh deterministic runtime
 * per schedule, stopping at the first that fails), and the test failure made
 * from its {@link ScheduleFailedException}. Runs on the caller's thread
 * (JUnit's); the body runs as the root green thread of each schedule's runtime.
 */
final class Explorer {
    /** Exploration's own head of a failure message, replaced by one naming the test and the plan. */
    private static final Pattern SCHEDULE_HEAD = Pattern.compile("^schedule \\d+ of \\d+ failed: ");

    private Explorer() {
    }

    /** The code under test, given the schedule it runs in. */
    @FunctionalInterface
    interface Body {
        /**
         * Runs the code once.
         *
         * @param schedule the schedule running it
         * @throws Exception anything: a failure of the schedule
         */
        void run(Schedule schedule) throws Exception;
    }

    /**
     * The outcome of an exploration.
     *
     * @param ran how many schedules ran (the last one failed if {@code failure} is not null)
     * @param failure the first failing schedule's failure, as the exploration reported it, or null
     * @param failed the failing schedule, or null
     */
    record Outcome(int ran, ScheduleFailedException failure, Schedule failed) {
        /** Whether the failure is only that the exploration's time budget ran out. */
        boolean outOfTime() {
            return failure != null && failure.getCause() instanceof OutOfTime;
        }

        /** What failed: the body's own throwable, or the runtime's failure (deadlock, refusal, divergence). */
        Throwable cause() {
            return failure.getClass() == ScheduleFailedException.class && failure.getCause() != null
                    ? failure.getCause() : failure;
        }
    }

    /** Runs {@code body} under each schedule of {@code plan} until one fails. */
    static Outcome explore(Plan plan, Config config, Body body) {
        long deadline = System.nanoTime() + plan.timeoutNanos();
        // Schedules (by index) that started within the budget. Check mode runs a schedule
        // twice, and a parallel exploration may run one again: a later run of an admitted
        // schedule is never refused, or it would differ from its first run and be
        // reported as nondeterminism instead of the budget being spent.
        Set<Integer> admitted = ConcurrentHashMap.newKeySet();
        Exploration exploration = Exploration.of(() -> {
            Schedule schedule = current(plan);
            // The budget is checked as each schedule starts (real time; a schedule that
            // is running is bounded by the slice watchdog instead).
            if (plan.timeoutNanos() > 0 && !admitted.contains(schedule.index())) {
                if (System.nanoTime() - deadline > 0) {
                    throw new OutOfTime();
                }
                admitted.add(schedule.index());
            }
            body.run(schedule);
            return null;
        }).settings(plan.settings()).seedBase(plan.seedBase()).schedules(plan.count()).config(config)
                .checkDeterminism(plan.check()).parallelism(plan.parallelism());
        try {
            return new Outcome(exploration.run(), null, null);
        } catch (ScheduleFailedException e) {
            // A replay of saved steps: its key names only the seed, so the plan's settings stand for it.
            Determinism d = plan.replay() ? plan.settings() : Determinism.replay(e.replayKey());
            // scheduleNumber() is 1-based (0 if unknown; then the seed tells, as in current()).
            Schedule s = e.scheduleNumber() > 0 && !plan.replay()
                    ? new Schedule(e.scheduleNumber() - 1, plan.count(), d) : schedule(plan, d);
            return new Outcome(s.index() + 1, e, s);
        }
    }

    /** Thrown by a schedule that starts after the exploration's time budget is spent. */
    static final class OutOfTime extends RuntimeException {
        @java.io.Serial
        private static final long serialVersionUID = 1L;

        OutOfTime() {
            super("the exploration's time budget (@VerdantTest.timeout) is spent", null, false, false);
        }
    }

    /** The failure of a test whose exploration ran out of time before a schedule failed. */
    static AssertionError outOfTime(Plan plan, Outcome outcome, String testName) {
        return new AssertionError(testName + ": @VerdantTest timeout of "
                + java.time.Duration.ofNanos(plan.timeoutNanos()) + " spent after " + (outcome.ran() - 1) + " of "
                + plan.count() + " schedules passed (" + plan.describe() + "); no schedule failed in that time. "
                + "Raise the timeout, lower schedules, or use parallelism");
    }

    /** Green only: the schedule the calling green thread's runtime runs. */
    private static Schedule current(Plan plan) {
        return schedule(plan, plan.replay() ? plan.settings() : Determinism.replay(Green.runtime().trace().replayKey()));
    }

    private static Schedule schedule(Plan plan, Determinism d) {
        int index = plan.replay() ? 0 : (int) (d.seedValue() - plan.seedBase());
        return new Schedule(index, plan.count(), d);
    }

    /**
     * The longest saved steps ({@link ScheduleFailedException#steps()}) a failure
     * message shows: a short schedule's steps (a lost update: a few hundred
     * characters) fit on a line someone pastes into the annotation; a long one's
     * would bury the report.
     */
    static final int MAX_STEPS_SHOWN = 2_000;

    /**
     * The failure of a test: the replay key and the test on the first line, how
     * to replay it on the second, then the runtime's report (the last steps; a
     * deadlock's who-waits-on-what), the body's failure as the cause.
     */
    static ScheduleFailedException failure(Plan plan, Outcome outcome, String testName) {
        ScheduleFailedException f = outcome.failure();
        Schedule s = outcome.failed();
        String key = f.replayKey();
        String msg = f.getMessage();
        String prefix = "[replay " + key + "] ";
        if (msg.startsWith(prefix)) {
            msg = msg.substring(prefix.length());
        }
        String suffix = " (" + f.trace() + ")";
        if (msg.endsWith(suffix)) {
            msg = msg.substring(0, msg.length() - suffix.length());
        }
        int nl = msg.indexOf('\n');
        String first = SCHEDULE_HEAD.matcher(nl < 0 ? msg : msg.substring(0, nl)).replaceFirst("");
        String rest = nl < 0 ? "" : msg.substring(nl + 1).stripTrailing();
        StringBuilder m = new StringBuilder(testName).append(": ");
        if (plan.replay()) {
            m.append("the replayed schedule failed");
        } else {
            m.append("schedule ").append(s.index() + 1).append(" of ").append(s.count()).append(" failed");
        }
        m.append(" (").append(plan.describe()).append("): ").append(first);
        if (plan.settings().replayedSteps() != null) {
            m.append("\n  replay: the same saved steps (their key ").append(key).append(" names only the seed)");
        } else {
            m.append("\n  replay: @VerdantTest(replay = \"").append(key).append("\")  or  -D").append(Plan.REPLAY)
                    .append('=').append(key);
            String steps = f.steps();
            if (steps != null && steps.length() <= MAX_STEPS_SHOWN) {
                m.append("\n  steps:  @VerdantTest(replay = \"").append(steps).append("\")");
            } else if (steps != null) {
                m.append("\n  steps:  ").append(steps.length()).append(" characters, too long to show: run the "
                        + "schedule with Determinism.recordSteps(true) and save Verdant.steps() to a file");
            }
        }
        if (!rest.isEmpty()) {
            m.append('\n').append(rest);
        }
        m.append("\n  trace");
        return new ScheduleFailedException(m.toString(), f.trace(), outcome.cause());
    }
}
