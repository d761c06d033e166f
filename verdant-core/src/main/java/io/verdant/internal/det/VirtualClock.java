package io.verdant.internal.det;

import io.verdant.internal.timer.Clock;

/**
 * The clock of a deterministic runtime: virtual nanoseconds since the
 * runtime's origin (0). Only the {@link DetScheduler}'s carrier advances it,
 * and only when no green thread can run; everyone else reads it.
 *
 * <p>Memory ordering: {@code now} is volatile so a reader on another thread
 * (a diagnostic, the closer) sees a recent value; the green threads that read
 * it run on the carrier that writes it.
 */
public final class VirtualClock implements Clock {
    private volatile long now;

    /** A clock at virtual time 0. */
    public VirtualClock() {
    }

    @Override
    public long nanoTime() {
        return now;
    }

    /**
     * Carrier only. Moves the clock forward.
     *
     * @param nanos how far, at least 0
     */
    void advance(long nanos) {
        now += nanos;
    }
}
