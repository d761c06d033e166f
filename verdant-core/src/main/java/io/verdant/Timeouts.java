package io.verdant;

import io.verdant.internal.CancelNode;
import io.verdant.internal.GreenThread;
import io.verdant.internal.RuntimeCore;
import io.verdant.internal.Waits;

import java.time.Duration;
import java.util.Objects;

/**
 * {@link Green#withTimeout}: the body runs as a child green thread; the
 * caller joins it with the timeout; at the deadline (or when the caller is
 * cancelled) the child is cancelled, which cancels its descendants, and the
 * caller waits for it to end, deaf to its own cancellation (so nothing of the
 * body outlives the call), before throwing. The body's failure is the caller's
 * to handle (rethrown, or attached to the TimedOutException or the caller's
 * CancelledException as suppressed), so it is never also logged as unobserved,
 * even when the body ends before the caller reaches its join
 * (FailureLoggingTest).
 *
 * <pre>
 * The deadline: one outcome, never a mix
 *   A body that ends by itself hands its still-running children up to the
 *   caller (CancelNode, "Orphans"), as any green thread does; a body the
 *   cancel reaches first takes its children down with it. The join's timeout
 *   and the body's end race: the body may end after the join gave up and
 *   before the caller's cancel. So the caller does not decide by the join's
 *   outcome but by the cancel's: CancelNode.cancelTakingChildren tells
 *   whether the cancel took the body's children (the call times out: they are
 *   cancelled) or the body had ended first and handed them up (the call
 *   completes: the body's result or exception, as if the join had seen it).
 *   Before, the call threw TimedOutException while the children it had been
 *   handed stayed running under the caller (WithTimeoutTest, forced at the
 *   fault site TIMEOUT_EXPIRED). Either way the caller waits for the body's
 *   thread to end (its status is final only after its hand-up). A join that
 *   throws an error (a StackOverflowError in its park) cancels the body and
 *   rethrows: the caller has no stack left to wait with.
 *
 * A result is never dropped
 *   The cancel can reach the body as its last operation succeeds (a receive
 *   handed a value completes although an interrupt came with it) or after it
 *   has returned, before its thread ended. A body that returned normally has
 *   its result returned, by the deadline's path and by the caller's
 *   cancellation alike: the result may be a value it took from a channel or a
 *   mailbox, which a TimedOutException or CancelledException would lose
 *   (WithTimeoutLosesNothingTest). Its children went with the cancel all the
 *   same. The caller's cancellation stays set for its next wait.
 * </pre>
 */
final class Timeouts {
    private Timeouts() {
    }

    static <T, X extends Exception> T withTimeout(Duration timeout, Green.Block<? extends T, X> body) throws X {
        long nanos = RuntimeCore.toNanos(timeout, "timeout");
        Objects.requireNonNull(body, "body");
        GreenThread<?> caller = GreenThread.require("Green.withTimeout");
        // A caller already cancelled or interrupted is refused before the body is spawned,
        // as by rt.run and rt.call: the body's side effects would come before the cancel.
        // No safepoint here, so deterministic schedules do not change.
        if (Waits.cancelled()) {
            throw Waits.cancelledException("Green.withTimeout");
        }
        GreenThread<T> child = caller.runtime().spawn(() -> {
            GreenThread.current().markFailureObserved();
            return body.run();
        }, null, caller.priority());
        try {
            return child.join(Duration.ofNanos(nanos));
        } catch (TimedOutException late) {
            io.verdant.internal.sched.Faults.timeoutExpired();
            boolean tookChildren = CancelNode.cancelTakingChildren(child);
            Waits.awaitEndUninterruptibly(child);
            if (!tookChildren || child.failureOrNull() == null) {
                // The body ended by itself before the cancel reached it (see "The deadline"):
                // its children went up to the caller, so the call completed. Or it returned
                // normally after all (see "A result is never dropped").
                return Timeouts.<T, X>outcome(child);
            }
            TimedOutException timedOut = new TimedOutException("Green.withTimeout: the body was still running after "
                    + timeout + "; it was cancelled and has ended");
            attachFailure(child, timedOut);
            throw timedOut;
        } catch (GreenFailedException failed) {
            throw Timeouts.<X>rethrow(failed.getCause());
        } catch (CancelledException callerCancelled) {
            child.cancel();
            Waits.awaitEndUninterruptibly(child);
            if (child.failureOrNull() == null) {
                return child.resultNow(); // see "A result is never dropped"
            }
            attachFailure(child, callerCancelled);
            throw callerCancelled;
        } catch (Throwable t) {
            // A StackOverflowError in the join's park: the caller cannot wait, so the body
            // is cancelled rather than left running, past its deadline, for nobody.
            child.cancel();
            throw t;
        }
    }

    /** The ended body's outcome, as the join would have returned or thrown it. */
    private static <T, X extends Exception> T outcome(GreenThread<T> child) throws X {
        Throwable f = child.failureOrNull();
        if (f == null) {
            return child.resultNow();
        }
        throw Timeouts.<X>rethrow(f);
    }

    /** What the body threw, as it was: unchecked, or an X (Block.run declares only X). */
    @SuppressWarnings("unchecked")
    private static <X extends Exception> X rethrow(Throwable cause) throws X {
        if (cause instanceof RuntimeException r) {
            throw r;
        }
        if (cause instanceof Error e) {
            throw e;
        }
        return (X) cause;
    }

    /** A failure of the ended body other than the cancellation the call caused, kept on {@code thrown}. */
    private static void attachFailure(GreenThread<?> child, Throwable thrown) {
        Throwable f = child.failureOrNull();
        if (f != null && !(f instanceof CancelledException) && f != thrown) {
            thrown.addSuppressed(f);
        }
    }
}
