package io.verdant;

import io.verdant.internal.CancelNode;

/**
 * A cancellation flag with callbacks, shared by a green thread and everything
 * it spawns.
 *
 * <h2>Cancellation in Verdant (the one place it is documented)</h2>
 * <ul>
 * <li>Every green thread has a token ({@link Green#cancelToken()}); it is made
 *     on first use, so a thread that never touches cancellation costs nothing.
 * <li>A green thread spawned by another green thread is its child: cancelling
 *     the parent cancels the child, and so on down the tree.
 *     {@link Spawner#cancelWith(CancelToken)} makes a thread the child of any
 *     token instead (e.g. a standalone {@link #create()} token for a scope).
 * <li>{@link GreenHandle#cancel()} (or {@code cancel()} on the thread's token)
 *     cancels the thread and all its live descendants: their tokens are marked,
 *     their {@link #onCancel} callbacks run, and their virtual threads are
 *     interrupted so JDK blocking calls return too. Cancelling a thread that
 *     has finished is a no-op. Cancellation is one-way and idempotent.
 * <li>Every Verdant blocking operation ({@link Green#sleep}, {@link GreenHandle#join},
 *     {@link Channel}, {@link Select}, {@link Mutex}) checks for cancellation
 *     first and while it waits, and throws {@link CancelledException} (the
 *     one unchecked type for it); an interrupted thread is treated exactly as a
 *     cancelled one and its interrupt status is left set. Nothing is consumed or
 *     changed by an operation that throws it. A {@link GreenHandle#join} of a
 *     thread that has already ended does not wait, and returns its outcome (or
 *     throws its failure) whether or not the caller is cancelled, as
 *     {@code Future.get} does.
 * <li>Closing the runtime cancels every green thread still alive.
 * </ul>
 * All methods may be called from any thread.
 */
public interface CancelToken {
    /**
     * A standalone token, cancelled only by {@link #cancel()}.
     *
     * @return a new token, not cancelled
     */
    static CancelToken create() {
        return CancelNode.standalone();
    }

    /**
     * Tells whether this token is cancelled. Never blocks.
     *
     * @return true once cancelled
     */
    boolean isCancelled();

    /**
     * Cancels this token and, transitively, every green thread registered
     * under it (see the class comment). Runs the callbacks on the calling
     * thread, each once; a callback that throws is logged and the others still
     * run. Idempotent; a no-op for the token of a finished green thread.
     */
    void cancel();

    /**
     * Registers {@code action} to run once when this token is cancelled; if it
     * already is, runs it now on the caller. Keep actions short and
     * non-blocking: they run on the cancelling thread (for the cancel of a
     * runtime's close, on a platform thread that close waits for only within
     * its shutdown timeout or 1 s, see {@link Verdant#close()}).
     *
     * @param action the callback
     * @return a registration whose {@link Registration#remove()} withdraws the action
     * @throws NullPointerException if {@code action} is null
     */
    Registration onCancel(Runnable action);

    /** A registered {@link #onCancel} action. */
    interface Registration {
        /**
         * Withdraws the action.
         *
         * @return true if it had neither run nor been removed before
         */
        boolean remove();
    }
}
