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
    /**
     * The thread's pid; stale (never alive again) once the thread has ended.
     *
     * @return the thread's pid
     */
    Pid pid();

    /**
     * The thread's name; empty if it was spawned without one.
     *
     * @return the thread's name, or the empty string
     */
    String name();

    /**
     * The priority the thread was spawned with.
     *
     * @return the thread's priority
     */
    Priority priority();

    /**
     * Tells whether the thread has ended, normally or not. Never blocks.
     *
     * @return true once the thread has ended
     */
    boolean isDone();

    /**
     * A snapshot of the thread's state.
     *
     * @return the thread's state at the time of the call
     */
    GreenState state();

    /**
     * Waits for the thread to end and returns its result. From a green thread
     * this parks the green thread, not the carrier.
     *
     * @return the thread's result (null for a body with no result)
     * @throws GreenFailedException if the thread ended by throwing (the cause is
     *         what it threw)
     * @throws CancelledException if the caller is cancelled or interrupted
     *         while waiting (its interrupt status stays set), or if the runtime
     *         was closed before the thread could finish
     */
    T join();

    /**
     * Like {@link #join()}, waiting at most {@code timeout} (measured on the
     * runtime's timer wheel from a green thread: the timeout fires within about
     * a millisecond after it is due, never before).
     *
     * A join that times out or is cancelled leaves nothing behind on the
     * thread it waited for: however many joins give up, the memory they hold
     * is released when each one returns.
     *
     * @param timeout how long to wait at most
     * @return the thread's result
     * @throws TimedOutException if the thread is still running when the time is up
     * @throws GreenFailedException if the thread ended by throwing (the cause is
     *         what it threw)
     * @throws CancelledException if the caller is cancelled or interrupted
     *         while waiting, or if the runtime was closed before the thread could finish
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws NullPointerException if {@code timeout} is null
     */
    T join(Duration timeout);

    /**
     * Cancels the thread and all its live descendants (see {@link CancelToken}
     * for what that does): tokens marked, {@code onCancel} callbacks run,
     * virtual threads interrupted; their Verdant blocking operations throw
     * {@link CancelledException}. Returns without waiting for them to end
     * ({@link #join()} does that). A no-op if the thread has finished.
     */
    void cancel();
}
