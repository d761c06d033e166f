package io.verdant;

import java.time.Duration;

/**
 * The handle of a spawned green thread: its pid, its state and its result.
 * Handles stay valid after the thread ends (unlike its pid slot, which is reused).
 * All methods may be called from any thread.
 *
 * @param <T> the result type
 */
public interface GreenHandle<T> {
    /** The thread's pid; stale (never alive again) once the thread has ended. */
    Pid pid();

    /** The thread's name; empty if it was spawned without one. */
    String name();

    Priority priority();

    /** True once the thread has ended, normally or not. Never blocks. */
    boolean isDone();

    /** A snapshot of the thread's state. */
    GreenState state();

    /**
     * Waits for the thread to end and returns its result. From a green thread
     * this parks the green thread, not the carrier.
     *
     * @throws GreenFailedException if the thread ended by throwing (the cause is
     *         what it threw)
     * @throws CancelledException if the caller is interrupted while waiting
     *         (its interrupt status stays set), or if the runtime was closed
     *         before the thread could finish
     */
    T join();

    /**
     * Like {@link #join()}, waiting at most {@code timeout}.
     *
     * @throws TimedOutException if the thread is still running when the time is up
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws NullPointerException if {@code timeout} is null
     */
    T join(Duration timeout);
}
