package io.verdant;

import io.verdant.internal.GreenThread;
import io.verdant.internal.ScopeCore;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Structured concurrency: the green threads spawned through a scope never
 * outlive it. Opened with {@link Green#scope(Body)}:
 *
 * <pre>{@code
 * int total = Green.scope(scope -> {
 *     GreenHandle<Integer> a = scope.spawn(() -> fetch("a"));
 *     GreenHandle<Integer> b = scope.spawn(() -> fetch("b"));
 *     return a.join() + b.join();
 * });
 * }</pre>
 *
 * <h2>Rules</h2>
 * <ul>
 * <li>When the body returns or throws, the scope waits for every child to end
 *     (deaf to its own cancellation while it waits, so no child is ever left
 *     running).</li>
 * <li>The first failure, of a child or of the body, cancels every other child
 *     at once (as {@link GreenHandle#cancel()}); the body itself is not
 *     cancelled. After all children ended the scope throws: the body's own
 *     exception as it was, or a child's failure as a {@link GreenFailedException}
 *     whose cause is what the child threw. Failures of the other children,
 *     except the {@link CancelledException}s the scope caused, are attached as
 *     {@linkplain Throwable#getSuppressed() suppressed}.</li>
 * <li>Children are registered for cancellation under the scope's owner:
 *     cancelling the owner (or an ancestor), or interrupting it while it
 *     waits for them, cancels them; the scope then throws
 *     {@link CancelledException} once they have ended. If that cut no child
 *     short and the body returned normally, the body's result is returned
 *     instead (it may be a value the body took as the cancellation came), the
 *     cancellation or interrupt left set.
 *     {@link #cancel()} cancels the children explicitly; children that then end
 *     with {@link CancelledException} do not count as failures (the scope
 *     returns the body's result).</li>
 * <li>Nor does a child cancelled on its own, through its handle's
 *     {@link GreenHandle#cancel()}: when it ends with
 *     {@link CancelledException}, the other children go on and the scope
 *     returns the body's result, as a cancelled subtask of the JDK's
 *     {@code StructuredTaskScope}. A child that throws
 *     {@code CancelledException} without having been cancelled (for example
 *     from a join of another, cancelled thread) fails as any other.</li>
 * </ul>
 */
public final class Scope {
    /**
     * The body of a scope. It may throw a checked exception {@code X}: the
     * scope rethrows it as it was (once the children have ended), and
     * {@link Green#scope(Body)} declares it.
     *
     * @param <T> the body's result type
     * @param <X> the checked exception the body may throw ({@code RuntimeException} if none)
     */
    @FunctionalInterface
    public interface Body<T, X extends Exception> {
        /**
         * Runs the body.
         *
         * @param scope the scope to spawn children in
         * @return the scope's result
         * @throws X what the body may throw
         */
        T run(Scope scope) throws X;
    }

    // The children, the running count, the first failure and the owner's wait
    // are io.verdant.internal.ScopeCore; its design notes are there.

    private final GreenThread<?> owner;
    private final ScopeCore core;

    private Scope(GreenThread<?> owner) {
        this.owner = owner;
        this.core = new ScopeCore(owner);
    }

    static <T, X extends Exception> T open(Body<T, X> body) throws X {
        Objects.requireNonNull(body, "body");
        GreenThread<?> owner = GreenThread.require("Green.scope");
        Scope scope = new Scope(owner);
        T result = null;
        Throwable bodyFailure = null;
        try {
            result = body.run(scope);
        } catch (Throwable t) {
            bodyFailure = t;
            scope.core.fail(t);
        }
        try {
            scope.core.awaitChildren();
        } catch (Throwable t) {
            // A StackOverflowError in the wait's park: the owner cannot wait, so its
            // children are cancelled rather than left running for nobody.
            scope.core.cancel();
            throw t;
        }
        return scope.<T, X>outcome(result, bodyFailure);
    }

    /**
     * Spawns a child of this scope, a green thread of the scope's runtime. Any
     * thread (a green thread of this or another runtime, or a platform thread)
     * may call it while the scope is open.
     *
     * @param <T> the type of the task's result
     * @param task the code the child runs
     * @return the child's handle
     * @throws NullPointerException if {@code task} is null
     * @throws IllegalStateException if the scope has closed
     */
    public <T> GreenHandle<T> spawn(Callable<? extends T> task) {
        Objects.requireNonNull(task, "task");
        GreenThread<T> child = core.spawn(task);
        if (child == null) {
            throw new IllegalStateException("scope has closed: cannot spawn");
        }
        return child;
    }

    /**
     * Like {@link #spawn(Callable)} for a task with no result.
     *
     * @param task the code the child runs
     * @return the child's handle
     * @throws NullPointerException if {@code task} is null
     * @throws IllegalStateException if the scope has closed
     */
    public GreenHandle<Void> spawn(Runnable task) {
        Objects.requireNonNull(task, "task");
        return spawn(() -> {
            task.run();
            return null;
        });
    }

    /**
     * Cancels every child (now and spawned later: a child spawned after this starts
     * cancelled, from its first statement); the scope still waits for them on exit.
     */
    public void cancel() {
        core.cancel();
    }

    /**
     * Tells whether a failure or {@link #cancel()} has cancelled the children.
     *
     * @return true once the children are being cancelled
     */
    public boolean isCancelled() {
        return core.isCancelled();
    }

    /** {@code bodyFailure}, if not null, is what the body threw: unchecked, or an {@code X}. */
    @SuppressWarnings("unchecked")
    private <T, X extends Exception> T outcome(T result, Throwable bodyFailure) throws X {
        Throwable f = core.first();
        List<GreenThread<?>> children = core.children();
        Throwable primary;
        // The first failure is left out of the suppressed ones only when it is the primary's
        // cause; under the body's own exception or a cancellation it is attached like any
        // other child failure (ScopeBodyFailureKeepsChildFailureTest).
        Throwable inPrimary = null;
        if (bodyFailure != null) {
            primary = bodyFailure;
        } else if ((core.ownerToken().isCancelled() || Thread.currentThread().isInterrupted())
                && (core.childCutShort() || f != null)) {
            // Only when it cut a child short (or a child failed): a body that returned normally
            // otherwise has its result returned (it may be a value taken as the cancellation came),
            // the cancellation or interrupt left set for the owner's next wait.
            primary = new CancelledException("scope cancelled");
        } else if (f != null) {
            GreenThread<?> culprit = failed(children, f);
            primary = culprit == null ? f : new GreenFailedException(culprit.pid(), culprit.name(), f);
            inPrimary = f;
        } else {
            return result;
        }
        for (GreenThread<?> c : children) {
            Throwable cause = c.failureOrNull();
            if (cause == null || cause == inPrimary || cause == primary || cause instanceof CancelledException) {
                continue;
            }
            primary.addSuppressed(new GreenFailedException(c.pid(), c.name(), cause));
        }
        if (primary instanceof RuntimeException re) {
            throw re;
        }
        if (primary instanceof Error e) {
            throw e;
        }
        if (primary == bodyFailure) {
            // A checked exception the body threw: Body.run declares only X, so it is an X.
            throw (X) primary;
        }
        throw new GreenFailedException(owner.pid(), owner.name(), primary);
    }

    private static GreenThread<?> failed(List<GreenThread<?>> children, Throwable f) {
        for (GreenThread<?> c : children) {
            if (c.failureOrNull() == f) {
                return c;
            }
        }
        return null;
    }
}
