package io.verdant;

import io.verdant.internal.GreenThread;
import io.verdant.internal.RuntimeCore;
import io.verdant.internal.TaskScopeCore;

import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * A structured scope in the shape of the JDK's {@code StructuredTaskScope}:
 * opened in try-with-resources, children forked into it, one {@link #join()}
 * whose result a {@link Joiner} policy decides, and a {@link #close()} that
 * never leaves a child running.
 *
 * <pre>{@code
 * try (TaskScope<String, String> scope = TaskScope.open(TaskScope.Joiner.anySuccessfulOrThrow(),
 *                                                        Duration.ofSeconds(2))) {
 *     scope.fork(() -> fetch("mirror-a"));
 *     scope.fork(() -> fetch("mirror-b"));
 *     String first = scope.join();     // the first success; the other fetch is cancelled
 * }
 * }</pre>
 *
 * <h2>Rules</h2>
 * <ul>
 * <li>Green only: the thread that opens the scope owns it; only the owner may
 *     call {@link #join()} and {@link #close()}. Any thread may {@link #fork}
 *     until {@code join} starts (a green thread of this or another runtime, or
 *     a platform thread): the child is a green thread of the scope's runtime,
 *     under the owner, wherever it was forked from.</li>
 * <li>Children are registered for cancellation under the owner: cancelling
 *     the owner (or an ancestor), or interrupting it in {@code join}, cancels
 *     them, and {@code join} then throws {@link CancelledException} once they
 *     have ended, if that cut one short; if none was (all had ended), it
 *     returns the policy's result, the cancellation or interrupt left set.</li>
 * <li>The {@link Joiner} sees each child fork and end (under the scope's lock,
 *     one call at a time) and may <em>stop</em> the scope: every child still
 *     running is then cancelled. {@code join} waits until every child has
 *     ended, then returns {@link Joiner#result()} (which may throw, e.g. the
 *     {@link GreenFailedException} of a failed child).</li>
 * <li>A timeout given to {@code open} is a deadline for the whole scope,
 *     counted from {@code open}: when it passes, the scope stops (its children
 *     are cancelled, even if the owner is not in {@code join} yet), and
 *     {@code join} throws {@link TimedOutException} once they have ended. If
 *     no child was running when it passed (every one had ended in time) and
 *     none is forked after it, {@code join} returns the policy's result even
 *     when called after the deadline (the JDK's {@code StructuredTaskScope.join}
 *     throws {@code TimeoutException} then).</li>
 * <li>A child cancelled on its own, through its handle's
 *     {@link GreenHandle#cancel()}, and ended with {@link CancelledException}
 *     is <em>cancelled</em>, not failed (as a cancelled subtask of the JDK's
 *     {@code StructuredTaskScope}): the built-in policies do not stop the
 *     scope for it and it has no result. A child that throws
 *     {@code CancelledException} without having been cancelled fails as any
 *     other.</li>
 * <li>{@code close()} cancels the children still running and waits for them
 *     all to end (deaf to the owner's own cancellation while it waits, so no
 *     child outlives the block). Unlike the JDK, closing without joining is
 *     not an error: it is how a block that throws abandons its children.</li>
 * </ul>
 * Policies ({@link Joiner}): {@link Joiner#allSuccessfulOrThrow()} (fail fast:
 * the results in fork order, or the first failure), {@link Joiner#anySuccessfulOrThrow()}
 * (first success wins, the others are cancelled), {@link Joiner#awaitAll()}
 * (every outcome, nothing cancelled). The lambda form {@link Green#scope(Scope.Body)}
 * is the fail-fast policy with the body as a block.
 *
 * <h2>Memory consistency effects</h2>
 * Actions in a thread prior to {@link #fork} <i>happen-before</i> the child's
 * body runs; actions of every child (its body, up to its return or throw)
 * happen-before {@link #join()} returns or throws, and {@link #close()} returns,
 * in the owner. The {@link Joiner}'s calls are ordered one after another too
 * (they run under a lock of the scope's), so a policy needs no synchronization of
 * its own.
 *
 * @param <T> the children's result type
 * @param <R> the result type of {@link #join()}
 */
public final class TaskScope<T, R> implements AutoCloseable {
    /*
     * Design
     *   The children, the pending count, stopping, the deadline watchdog and
     *   the owner's park loop live in internal.TaskScopeCore (its design block
     *   states who writes which field under which lock). This class holds the
     *   contract: argument and owner checks, and what join throws.
     */

    /**
     * A policy of a {@link TaskScope}: it sees each child forked and ended and
     * decides when the scope stops and what {@link TaskScope#join()} returns.
     * The scope calls {@code onFork} and {@code onComplete} one call at a time,
     * and {@code result} on the owner after every child has ended. A call that
     * blocks holds up the joiner's other calls (and so the children's
     * completion and {@code join}), but not the scope's deadline, the owner's
     * cancellation or {@code close}: they cancel the running children
     * meanwhile. A joiner keeps state: use a fresh one for each scope (the static
     * factories return fresh ones).
     *
     * @param <T> the children's result type
     * @param <R> the result type
     */
    public interface Joiner<T, R> {
        /**
         * Called when a child is forked (also into a scope that has stopped, as
         * the JDK's), on the forking thread, once the child is started: it may be
         * running, or have ended, already (unlike the JDK's
         * {@code StructuredTaskScope}, whose subtask has not started when its
         * joiner's {@code onFork} runs), but {@link #onComplete} for it comes
         * after this call. If it throws, {@link TaskScope#fork} throws it and the
         * scope stops (the child is cancelled with the others running).
         *
         * @param child the new child
         * @return true to stop the scope (cancel every running child)
         */
        default boolean onFork(GreenHandle<? extends T> child) {
            return false;
        }

        /**
         * Called once a child has ended ({@link GreenHandle#isDone()} is true),
         * as one of the child's {@link GreenHandle#onComplete} callbacks (on the
         * child as it ends, or on the forking thread if it ended before
         * {@code fork} returned). If it throws, the throwable is logged as
         * a throwing {@link GreenHandle#onComplete} callback ({@code io.verdant},
         * WARNING), the scope is not stopped by it, and the child counts as ended.
         *
         * @param child the child that ended
         * @return true to stop the scope (cancel every running child)
         */
        default boolean onComplete(GreenHandle<? extends T> child) {
            return false;
        }

        /**
         * The outcome of the scope, called on the owner once every child has ended
         * (not after a timeout, nor if the owner's cancellation or interrupt cut a
         * child short).
         *
         * @return what {@link TaskScope#join()} returns
         */
        R result();

        /**
         * Fail fast: the first child to fail stops the scope, and
         * {@code join} throws a {@link GreenFailedException} whose cause is what
         * it threw (the other failures, except the cancellations the stop
         * caused, suppressed); if all succeed, their results in fork order. A
         * child cancelled through its handle is no failure: it does not stop
         * the scope, and the results leave it out.
         *
         * @param <T> the children's result type
         * @return a fresh joiner
         */
        static <T> Joiner<T, List<T>> allSuccessfulOrThrow() {
            return new Joiners.AllSuccessful<>();
        }

        /**
         * First success wins: the first child to succeed stops the scope (the
         * others are cancelled) and {@code join} returns its result. If no
         * child succeeds, {@code join} throws a {@link GreenFailedException}
         * for the first failure (the others suppressed); a child cancelled
         * through its handle is no failure, and is reported (its
         * {@link CancelledException} the cause) only if no child failed
         * either; with no child forked, a {@link NoSuchElementException}.
         *
         * @param <T> the children's result type
         * @return a fresh joiner
         */
        static <T> Joiner<T, T> anySuccessfulOrThrow() {
            return new Joiners.AnySuccessful<>();
        }

        /**
         * Collect every outcome: never stops the scope; {@code join} returns the
         * children's handles, in fork order, all ended (inspect each with
         * {@link GreenHandle#state()}, {@link GreenHandle#resultNow()},
         * {@link GreenHandle#exceptionNow()}).
         *
         * @param <T> the children's result type
         * @return a fresh joiner
         */
        static <T> Joiner<T, List<GreenHandle<T>>> awaitAll() {
            return new Joiners.AwaitAll<>();
        }
    }

    private final GreenThread<?> owner;
    private final Joiner<T, R> joiner;
    private final Duration timeout;
    private final TaskScopeCore<T> core;
    /** Owner only. */
    private boolean closed;

    private TaskScope(GreenThread<?> owner, Joiner<T, R> joiner, Duration timeout, long nanos) {
        this.owner = owner;
        this.joiner = joiner;
        this.timeout = timeout;
        this.core = new TaskScopeCore<>(owner, joiner, timeout, nanos);
    }

    /**
     * Green only. Opens a scope with the fail-fast policy,
     * {@link Joiner#allSuccessfulOrThrow()}.
     *
     * @param <T> the children's result type
     * @return the scope; close it (try-with-resources)
     * @throws IllegalStateException outside a green thread
     */
    public static <T> TaskScope<T, List<T>> open() {
        return open(Joiner.allSuccessfulOrThrow());
    }

    /**
     * Green only. Opens a scope with the policy {@code joiner} and no deadline.
     *
     * @param <T> the children's result type
     * @param <R> the result type of {@link #join()}
     * @param joiner the policy (a fresh one)
     * @return the scope; close it (try-with-resources)
     * @throws NullPointerException if {@code joiner} is null
     * @throws IllegalStateException outside a green thread
     */
    public static <T, R> TaskScope<T, R> open(Joiner<T, R> joiner) {
        Objects.requireNonNull(joiner, "joiner");
        return new TaskScope<>(GreenThread.require("TaskScope.open"), joiner, null, 0);
    }

    /**
     * Green only. Opens a scope with the policy {@code joiner} and a deadline
     * {@code timeout} from now for the whole scope (see the class comment).
     *
     * @param <T> the children's result type
     * @param <R> the result type of {@link #join()}
     * @param joiner the policy (a fresh one)
     * @param timeout the time the scope may take, from now
     * @return the scope; close it (try-with-resources)
     * @throws NullPointerException if {@code joiner} or {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException outside a green thread
     */
    public static <T, R> TaskScope<T, R> open(Joiner<T, R> joiner, Duration timeout) {
        Objects.requireNonNull(joiner, "joiner");
        long nanos = RuntimeCore.toNanos(timeout, "timeout");
        return new TaskScope<>(GreenThread.require("TaskScope.open"), joiner, timeout, nanos);
    }

    /**
     * Starts a child green thread running {@code task} (priority of the
     * caller's {@link Green#priority()} if it is a green thread, else NORMAL).
     * Any thread may fork until {@link #join()} starts: a green thread of this
     * or another runtime, or a platform thread; the child is a green thread of
     * the scope's runtime either way. If the scope has stopped, the child starts
     * cancelled: its body still runs (unlike a subtask forked into the JDK's
     * cancelled {@code StructuredTaskScope}, which never runs), and sees the
     * cancellation from its first statement ({@link Green#cancelled()}, its first
     * Verdant blocking operation). A child forked as the scope stops is cancelled
     * as it starts, as the children already running are.
     *
     * @param <U> the child's result type
     * @param task what the child runs (may throw checked exceptions: they are
     *             the child's failure)
     * @return the child's handle
     * @throws NullPointerException if {@code task} is null
     * @throws IllegalStateException if {@code join} or {@code close} has started,
     *         or the runtime is closed
     * @throws RuntimeException what the joiner's {@link Joiner#onFork} threw (the
     *         scope has stopped: the child started and is cancelled), as may an {@link Error}
     */
    public <U extends T> GreenHandle<U> fork(Callable<? extends U> task) {
        Objects.requireNonNull(task, "task");
        return core.fork(task);
    }

    /**
     * Owner only. Waits until every child has ended (the policy, the deadline
     * or the owner's cancellation may stop the scope first, cancelling them),
     * then returns the policy's result. Called once.
     *
     * @return {@link Joiner#result()}
     * @throws GreenFailedException as the policy decides (a child's failure)
     * @throws TimedOutException if the scope's deadline passed while a child was
     *         running, or before one was forked (the children were cancelled and
     *         have ended); not if every child had ended before it
     * @throws CancelledException if the owner was cancelled, or interrupted while
     *         waiting (or before), and that cut a child short: the children were
     *         cancelled and have ended, and one ended with that cancellation (the
     *         interrupt status stays set). If it cut no child short (all had ended,
     *         or ended normally all the same), the policy's result is returned (or
     *         what it throws), the cancellation or interrupt left set, as the JDK's
     *         {@code StructuredTaskScope.join} whose subtasks all completed
     * @throws IllegalStateException if called by another thread than the owner,
     *         a second time, or after {@link #close()}
     */
    public R join() {
        requireOwner("join");
        if (closed) {
            // As the JDK's: close cancelled the children still running, so the policy's
            // result would leave them out as if the scope had run its course.
            throw new IllegalStateException("TaskScope.join: the scope is closed");
        }
        if (!core.startJoin()) {
            throw new IllegalStateException("TaskScope.join: already joined");
        }
        // Only a cancellation or interrupt that cut a child short throws: one that came
        // after every child ended leaves the policy's result, as the JDK's join.
        boolean cutShort = core.awaitChildren(this, true);
        core.cancelWatchdog();
        if (cutShort) {
            throw new CancelledException("TaskScope.join: the owner " + owner.pid()
                    + " was cancelled or interrupted; its children were cancelled and have ended");
        }
        if (core.timedOut()) {
            throw new TimedOutException("TaskScope: deadline of " + timeout
                    + " passed; its children were cancelled and have ended");
        }
        return joiner.result();
    }

    /**
     * Owner only. Cancels every child still running and waits for all of them
     * to end (deaf to the owner's own cancellation while it waits; the
     * interrupt status is kept). Idempotent.
     *
     * @throws IllegalStateException if called by another thread than the owner
     */
    @Override
    public void close() {
        requireOwner("close");
        if (closed) {
            return;
        }
        closed = true;
        core.beginClose();
        core.awaitChildren(this, false);
        core.cancelWatchdog();
    }

    /**
     * Whether the scope has stopped.
     *
     * @return true once the policy, the deadline, the owner's cancellation or
     *         {@link #close()} has stopped the scope (cancelling its running children)
     */
    public boolean isStopped() {
        return core.isStopped();
    }

    private void requireOwner(String op) {
        if (GreenThread.current() != owner) {
            throw new IllegalStateException("TaskScope." + op + " must be called by the scope's owner "
                    + owner.pid() + ", was called from " + Thread.currentThread());
        }
    }

    @Override
    public String toString() {
        return "TaskScope[owner " + owner.pid() + ", " + core.describe() + "]";
    }
}
