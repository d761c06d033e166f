package io.verdant.bench;

import java.util.Map;

/**
 * One system of one comparison, set up once: {@link #run()} performs one
 * measured round and returns its metric (ns per op, ms, bytes per thread...).
 * {@link #close()} releases what the set-up made (a runtime, a pool, a child JVM).
 */
public interface Trial extends AutoCloseable {
    /**
     * Runs one round.
     *
     * @return the round's figure, in the entry's metric
     * @throws Exception if the round failed (the comparison stops)
     */
    double run() throws Exception;

    /**
     * Secondary figures of the last round (e.g. {@code p99_us}), reported as
     * medians beside the main metric. Keys are RESULT keys.
     *
     * @return the figures; empty by default
     */
    default Map<String, Double> extras() {
        return Map.of();
    }

    /**
     * CPU time the last round used, when the trial measures it itself (a child
     * JVM, a server process); -1 lets the harness measure this JVM's.
     *
     * @return nanoseconds, or -1
     */
    default long lastRunCpuNanos() {
        return -1;
    }

    /**
     * Whether a child JVM running this trial waits, after each round and before
     * answering, until its process is quiet ({@link ForkedTrial}, "Settling"):
     * for a system that goes on working after its round's answer is known (a
     * million actors still stopping), which would otherwise run beside the next
     * system's round.
     *
     * @return true to settle; false by default
     */
    default boolean settlesAfterRound() {
        return false;
    }

    /** Releases what set-up made; must not throw (log and go on). */
    @Override
    default void close() {
    }

    /** Creates a trial; called once per run of the comparison, in the JVM that measures. */
    @FunctionalInterface
    interface Factory {
        /**
         * @return a trial, set up
         * @throws Exception if set-up failed
         */
        Trial create() throws Exception;
    }
}
