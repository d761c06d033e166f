package io.verdant;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;

/**
 * The handle of a spawned green thread: its pid, its state and its result.
 * Handles stay valid after the thread ends (unlike its pid slot, which is reused).
 * All methods may be called from any thread.
 *
 * <h2>Interop with {@code java.util.concurrent}</h2>
 * {@link #asFuture()} is a {@link Future} view with the JDK 19+ {@code state()},
 * {@code resultNow()} and {@code exceptionNow()}; {@link #toCompletableFuture()}
 * completes a {@link CompletableFuture} with the thread's outcome;
 * {@link #onComplete} runs a callback when the thread ends. A thread that ended
 * by throwing a {@link CancelledException} (it was cancelled, or its runtime
 * closed first) counts as <em>cancelled</em> for the JDK views.
 *
 * <h2>Memory consistency effects</h2>
 * Actions in the thread (its body, up to its return or throw)
 * <i>happen-before</i> actions subsequent to any observation of its end from
 * another thread: a {@link #join()} that returns or throws its failure,
 * {@link #isDone()} returning true, {@link #state()} returning
 * {@link GreenState#SUCCEEDED} or {@link GreenState#FAILED},
 * {@link #resultNow()} and {@link #exceptionNow()} that return, the
 * {@link #asFuture()} and {@link #toCompletableFuture()} views completing, and
 * the {@link #onComplete} callbacks. (A thread its runtime's close abandoned
 * may still be running when it is reported ended: its actions are ordered with
 * nothing.) For an event actor, "the body" is its handler calls.
 *
 * @param <T> the result type
 */
public interface GreenHandle<T> {
    /**
     * The thread's pid.
     *
     * @return the pid; stale (never alive again) once the thread has ended
     */
    Pid pid();

    /**
     * The thread's name.
     *
     * @return the name; empty if it was spawned without one
     */
    String name();

    /**
     * The thread's priority.
     *
     * @return the priority it was spawned with
     */
    Priority priority();

    /**
     * Whether the thread has ended. Never blocks.
     *
     * @return true once the thread has ended, normally or not
     */
    boolean isDone();

    /**
     * A snapshot of the thread's state.
     *
     * @return the state; {@link GreenState#FAILED} also for a thread abandoned by a closing runtime
     *         (whose {@link #join()} throws {@link CancelledException}, not {@link GreenFailedException})
     */
    GreenState state();

    /**
     * The result of a thread that has succeeded, without waiting (like
     * {@link Future#resultNow()}).
     *
     * @return what the thread's body returned
     * @throws IllegalStateException if the thread has not ended, or ended by throwing
     */
    T resultNow();

    /**
     * What a failed thread threw, without waiting (like {@link Future#exceptionNow()}).
     *
     * @return the {@code Throwable} the body threw (the same object), or a
     *         {@link CancelledException} for a thread abandoned by a closing runtime
     * @throws IllegalStateException if the thread has not ended, or succeeded
     */
    Throwable exceptionNow();

    /**
     * Registers {@code action} to run once when the thread ends, with its result
     * and a null failure if it succeeded, or a null result and what it threw
     * (a {@link CancelledException} if the runtime closed first).
     *
     * <p><b>Which thread runs it.</b> If the thread has already ended, the
     * caller runs {@code action} before this method returns. Otherwise the
     * green thread that ended runs it, right after its body returned and its
     * joiners were woken (so {@link #join()} may return before the callback
     * ran): callbacks run on a green thread, never on a carrier by
     * themselves, so a callback that blocks parks that green thread, not its
     * carrier (the cancellation that ended a thread does not reach its
     * callbacks: Verdant's blocking operations work in them). An event
     * actor's callbacks run on its dispatcher as it ends (like a handler), or
     * on the thread whose cancel ended it while idle. If the runtime closes
     * before the thread ends (close abandons it), a platform thread of close's
     * runs it, which close waits for at most 1 s (a callback that blocks
     * longer runs on, with a WARNING; a deterministic runtime's closing
     * thread runs it itself); a
     * callback still running (or parked) when the runtime closes after the
     * thread ended is waited for by {@link Verdant#close()} as a live thread
     * is, within the shutdown timeout. Several callbacks run in registration order.
     * Keep callbacks short: inside one, {@link Green#self()} is the pid of the
     * thread that ended, and what it spawns is not cancelled with its
     * ancestors. A callback that throws is logged (System.Logger
     * {@code io.verdant}, WARNING) and the others still run.
     *
     * @param action called with (result, null) or (null, failure)
     * @throws NullPointerException if {@code action} is null
     */
    void onComplete(BiConsumer<? super T, ? super Throwable> action);

    /**
     * A {@link Future} view of this thread. {@code get()} waits like
     * {@link #join()} (parking a green caller) and throws
     * {@link java.util.concurrent.ExecutionException} with what the thread threw;
     * {@code cancel(mayInterruptIfRunning)} cancels the thread as
     * {@link #cancel()} does (both values of the flag: a green thread's
     * cancellation always interrupts it) and, if the thread had not ended, the
     * view is cancelled and done from then on, as a {@code FutureTask} is:
     * {@code isCancelled()} is true and {@code get()} throws
     * {@link java.util.concurrent.CancellationException} at once (also in callers
     * already waiting), even while the thread is still ending ({@link #join()}
     * waits for that end). A thread that ended by
     * throwing a {@link CancelledException} is {@link Future.State#CANCELLED};
     * one that threw a plain {@link CancellationException} (say, from a cancelled
     * future it joined) is {@link Future.State#FAILED}, as a {@code FutureTask}'s.
     * {@code get} throws {@link InterruptedException} (interrupt status cleared)
     * if the caller is interrupted or cancelled while waiting, or, for a thread
     * still running, already when it calls {@code get} with a timeout of 0, as
     * {@code FutureTask}'s does; a negative {@code get} timeout means "do not
     * wait", as in the JDK. {@code get} (timed or not) called by this thread itself,
     * before it ended, throws {@link IllegalStateException} at once (it would wait for
     * its own end), as {@link #join()} does. An untimed {@code get} from outside the
     * thread's deterministic runtime (the test thread) waits as {@link #join()} does
     * from there: if the run fails before the thread ends (a deadlock, a refused input,
     * too many steps), it throws {@link java.util.concurrent.ExecutionException} whose
     * cause is that {@link ScheduleFailedException} (a {@link DeadlockException} for a
     * deadlock); the view is not settled by it.
     *
     * @return a new view; views are independent (cancelling through one
     *         cancels the thread, which every view then reports once it ends)
     */
    default Future<T> asFuture() {
        return new HandleFuture<>(this);
    }

    /**
     * A {@link CompletableFuture} completed with this thread's outcome (through
     * {@link #onComplete}, so dependent stages without an executor run on the
     * green thread that ended): its result, or exceptionally with what it threw.
     * A thread ending with a {@link CancelledException} makes the future
     * {@linkplain CompletableFuture#isCancelled() cancelled}; a plain
     * {@link CancellationException} it threw completes it exceptionally with a
     * {@link CompletionException} around it (as {@code supplyAsync} does), not
     * cancelled. Cancelling the returned future (not its dependents) cancels
     * the thread. A green thread in its {@code get} (timed or not) or
     * {@code join} waits as in {@link #asFuture()}'s {@code get}, the timed
     * one on its runtime's timers (virtual time in a deterministic runtime),
     * so one its runtime's close abandons there is not kept by the future;
     * {@code join} ignores interrupts and cancellation, as the JDK's does. Its
     * {@code get} (timed or not) or {@code join} called by this thread itself,
     * the future not done, throws {@link IllegalStateException} at once (it
     * would wait for its own end), as {@link #asFuture()}'s {@code get} does. An
     * untimed {@code get} or {@code join} from outside the thread's deterministic
     * runtime (the test thread) waits as {@link #join()} does from there: if the run
     * fails before the thread ends (a deadlock, a refused input, too many steps), the
     * future is completed exceptionally with that {@link ScheduleFailedException} (a
     * {@link DeadlockException} for a deadlock), so {@code get} throws it in an
     * {@link java.util.concurrent.ExecutionException} and {@code join} in a
     * {@link CompletionException}. The
     * future counts one dependent of its own (its waiters' wake-up).
     *
     * @return a new future
     */
    default CompletableFuture<T> toCompletableFuture() {
        HandleCompletableFuture<T> f = new HandleCompletableFuture<>(this);
        onComplete((value, failure) -> {
            if (failure == null) {
                f.complete(value);
            } else if (failure instanceof CancellationException && !(failure instanceof CancelledException)) {
                // A plain CancellationException the body let escape is a failure, not a
                // cancellation of this thread: wrapped, as supplyAsync wraps it.
                f.completeExceptionally(new CompletionException(failure));
            } else {
                f.completeExceptionally(failure);
            }
        });
        return f;
    }

    /**
     * Waits for the thread to end and returns its result. From a green thread
     * this parks the green thread, not the carrier.
     *
     * @return what the thread's body returned
     * @throws GreenFailedException if the thread ended by throwing (the cause is
     *         what it threw)
     * @throws CancelledException if the caller is cancelled or interrupted
     *         while waiting (its interrupt status stays set; should the thread
     *         end as the caller gives up, the join reports the thread's outcome
     *         instead), or if the runtime was closed before the thread could finish
     *         (close abandoned it: its {@link #state()} is {@link GreenState#FAILED},
     *         yet this, not a {@code GreenFailedException}, is thrown)
     * @throws IllegalStateException if the thread joins itself (it would wait forever)
     * @throws ScheduleFailedException if the thread belongs to a deterministic runtime,
     *         the caller is outside that runtime (the test thread) and the run fails
     *         before the thread ends (a deadlock, a refused input, too many steps), as
     *         {@link Verdant#run(java.util.concurrent.Callable)} throws it
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
     *         (close abandoned it: its {@link #state()} is {@link GreenState#FAILED}, yet
     *         this, not a {@code GreenFailedException}, is thrown; a thread that ends as
     *         the join times out or is cancelled has its outcome reported instead)
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalStateException if the thread joins itself
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
