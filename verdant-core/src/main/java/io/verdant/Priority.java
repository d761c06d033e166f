package io.verdant;

/**
 * Scheduling priority of a green thread. A worker always runs the highest
 * non-empty level first, except that a level passed over 16 times in a row while
 * it had work is served next, so {@link #LOW} work keeps progressing (slowly)
 * under saturating higher-priority load. Work waiting on a worker busy with
 * better (or equal) work while another worker runs worse work moves to that
 * other worker, which is preempted for it at its next safepoint (with time
 * slices on, within about a time slice).
 */
public enum Priority {
    /** Runs before everything else: latency-critical work, kept short. */
    CRITICAL,
    /** Runs before normal work. */
    HIGH,
    /** The default. */
    NORMAL,
    /** Background work: runs when nothing of higher priority waits (and, starved, now and then). */
    LOW;

    /**
     * The run-queue level.
     *
     * @return 0 for CRITICAL up to 3 for LOW
     */
    public int level() {
        return ordinal();
    }
}
