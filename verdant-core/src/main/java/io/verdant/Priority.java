package io.verdant;

/**
 * Scheduling priority of a green thread. A worker always runs the highest
 * non-empty level first, except that a level passed over 16 times in a row while
 * it had work is served next, so {@link #LOW} work keeps progressing (slowly)
 * under saturating higher-priority load.
 */
public enum Priority {
    CRITICAL,
    HIGH,
    NORMAL,
    LOW;

    /** The run-queue level: 0 for CRITICAL up to 3 for LOW. */
    public int level() {
        return ordinal();
    }
}
