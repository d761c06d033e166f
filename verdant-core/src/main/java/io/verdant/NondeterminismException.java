package io.verdant;

import java.io.Serial;

/**
 * Two runs of the same schedule (same program, same {@link Determinism}) took
 * different steps: the code under test reads something the deterministic
 * runtime does not control, such as real time ({@code System.nanoTime},
 * {@code Instant.now}), a random source other than {@link Green#random()}, or
 * the iteration order of an identity-hashed set or map. Thrown by
 * {@link Exploration#run()} in check mode ({@link Exploration#checkDeterminism(boolean)});
 * the message names the first step where the runs differ, what the first run
 * did there and what the second did.
 */
public final class NondeterminismException extends ScheduleFailedException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The first step (1-based) where the two runs differ. */
    private final long step;

    /**
     * A divergence at {@code step}.
     *
     * @param step the first step (1-based) where the two runs differ
     * @param message what each run did at that step
     * @param trace the second run's trace when it diverged
     */
    public NondeterminismException(long step, String message, ScheduleTrace trace) {
        super(message, trace);
        this.step = step;
    }

    /**
     * The first step where the two runs differ.
     *
     * @return the step number, 1-based
     */
    public long step() {
        return step;
    }
}
