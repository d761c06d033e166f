package io.verdant;

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
 */
final class Timeouts {
    private Timeouts() {
    }

    @SuppressWarnings("unchecked")
    static <T, X extends Exception> T withTimeout(Duration timeout, Green.Block<? extends T, X> body) throws X {
        long nanos = RuntimeCore.toNanos(timeout, "timeout");
        Objects.requireNonNull(body, "body");
        GreenThread<?> caller = GreenThread.require("Green.withTimeout");
        GreenThread<T> child = caller.runtime().spawn(() -> {
            GreenThread.current().markFailureObserved();
            return body.run();
        }, null, caller.priority());
        try {
            return child.join(Duration.ofNanos(nanos));
        } catch (TimedOutException late) {
            child.cancel();
            Waits.awaitEndUninterruptibly(child);
            TimedOutException timedOut = new TimedOutException("Green.withTimeout: the body was still running after "
                    + timeout + "; it was cancelled and has ended");
            attachFailure(child, timedOut);
            throw timedOut;
        } catch (GreenFailedException failed) {
            Throwable cause = failed.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error e) {
                throw e;
            }
            // Block.run declares only X: a checked cause is an X.
            throw (X) cause;
        } catch (CancelledException callerCancelled) {
            child.cancel();
            Waits.awaitEndUninterruptibly(child);
            attachFailure(child, callerCancelled);
            throw callerCancelled;
        }
    }

    /** A failure of the ended body other than the cancellation the call caused, kept on {@code thrown}. */
    private static void attachFailure(GreenThread<?> child, Throwable thrown) {
        Throwable f = child.failureOrNull();
        if (f != null && !(f instanceof CancelledException) && f != thrown) {
            thrown.addSuppressed(f);
        }
    }
}
