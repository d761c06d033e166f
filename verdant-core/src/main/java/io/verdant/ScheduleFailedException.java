package io.verdant;

import java.io.Serial;

/**
 * A deterministic run ({@link Verdant#deterministic(Config, Determinism)}) could
 * not go on: a deadlock, too many steps, or an input the runtime does not
 * control (a JDK timed wait, a wake-up from a thread outside the runtime). The
 * message starts with the one-line replay key of the schedule.
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
        super("[replay " + trace.replayKey() + "] " + message + " (" + trace + ")", cause);
        this.replayKey = trace.replayKey();
        this.trace = trace;
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
