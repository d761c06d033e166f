package io.verdant.bench;

/**
 * One system of one comparison, set up once: {@link #run()} performs one
 * measured round and returns its metric (ns per op, ms, bytes per thread...).
 * {@link #close()} releases what the set-up made (a runtime, a pool, a child JVM).
 */
public interface Trial extends AutoCloseable {
    double run() throws Exception;

    @Override
    default void close() throws Exception {
    }

    /** Creates a trial; called once per run of the comparison, in the JVM that measures. */
    @FunctionalInterface
    interface Factory {
        Trial create() throws Exception;
    }
}
