package io.verdant;

import java.io.Serial;

/**
 * A deterministic run ({@link Verdant#deterministic(Config, Determinism)}) could
 * not go on: a deadlock, too many steps, or an input the runtime does not
 * control (a JDK timed wait, a wake-up from a thread outside the runtime). The
 * message starts with the one-line replay key of the schedule. In a JVM started
 * with {@code verdant-agent}, whose checkpoints in loops are scheduling points,
 * a line under the first says so and names the agent's options: the key replays only
 * under the same {@code -javaagent}.
 */
public class ScheduleFailedException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The replay key (a String, so the exception stays serializable). */
    private final String replayKey;
    /** The trace when the run failed. */
    private final transient ScheduleTrace trace;

    /**
     * A failure of the schedule {@code trace}.
     *
     * @param message what went wrong (the replay key is prepended)
     * @param trace the schedule's trace when it failed
     */
    public ScheduleFailedException(String message, ScheduleTrace trace) {
        this(message, trace, null);
    }

    /**
     * A schedule that failed because the code under test failed.
     *
     * @param message what went wrong (the replay key is prepended)
     * @param trace the schedule's trace when it failed
     * @param cause what the code under test threw, or null
     */
    public ScheduleFailedException(String message, ScheduleTrace trace, Throwable cause) {
        super("[replay " + trace.replayKey() + "] " + withAgentNote(message) + " (" + trace + ")", cause);
        this.replayKey = trace.replayKey();
        this.trace = trace;
    }

    /** The system property verdant-agent sets to its options when it installs. */
    private static final String AGENT_PROPERTY = "verdant.agent";

    /** {@code message} with a line after its first naming the agent, if one is installed (once). */
    private static String withAgentNote(String message) {
        String options = System.getProperty(AGENT_PROPERTY);
        if (options == null) {
            return message;
        }
        String note = "\n  recorded with verdant-agent (" + options + "): its checkpoints in loops are scheduling "
                + "points, so this key replays the same schedule only under the same -javaagent";
        if (message.contains(note)) {
            return message; // a failure re-wrapped with the message of one made before
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message + note : message.substring(0, nl) + note + message.substring(nl);
    }

    /** Exploration's record of the failed run's steps, for {@link Exploration#replay(ScheduleFailedException)}. */
    private transient Object recording;

    /** Exploration only: attaches the failed run's step record. */
    ScheduleFailedException withRecording(Object steps) {
        this.recording = steps;
        return this;
    }

    /** The failed run's scheduler, for steps(); null if unknown. */
    private transient io.verdant.internal.det.DetScheduler stepSource;

    /** Verdant.run and Exploration: attaches the failed run's scheduler (its saved steps); keeps the first. */
    ScheduleFailedException withSteps(io.verdant.internal.det.DetScheduler det) {
        if (stepSource == null) {
            stepSource = det;
        }
        return this;
    }

    /**
     * The failed schedule saved as its list of choices, up to the step where it
     * failed (or where its body ended), for {@link Determinism#replaySteps(String)}:
     * a text such as {@code v1:steps:0x6 0/0 0=1 1/1.2 ...} to keep in a file or a
     * test. Recorded by every {@link Exploration} schedule and by a runtime
     * with {@link Determinism#recordSteps(boolean)}.
     *
     * @return the saved steps, or null if the run did not record them (or after deserialization)
     */
    public String steps() {
        io.verdant.internal.det.DetScheduler d = stepSource;
        return d == null ? null : d.steps();
    }

    /** Which schedule of an exploration failed (1-based), or 0. */
    private int schedule;

    /** Exploration only: records which schedule failed. */
    ScheduleFailedException withSchedule(int number) {
        this.schedule = number;
        return this;
    }

    /**
     * Which schedule of an {@link Exploration} failed: 1 for the first schedule
     * (seed {@code seedBase}), and so on.
     *
     * @return the 1-based schedule number, or 0 if the failure did not come from
     *         {@link Exploration#run()} (a single deterministic runtime, a replay)
     */
    public int scheduleNumber() {
        return schedule;
    }

    /** Exploration only: the failed run's step record, or null. */
    Object recording() {
        return recording;
    }

    /**
     * The key that replays this schedule ({@link Determinism#replay(String)}).
     *
     * @return for example {@code v1:random:0x2A}
     */
    public String replayKey() {
        return replayKey;
    }

    /**
     * The schedule's trace when it failed.
     *
     * @return the trace; null after deserialization
     */
    public ScheduleTrace trace() {
        return trace;
    }
}
