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
 * body outlives the call), before throwing.
 */
final class Timeouts {
    private Timeouts() {
    }

    @SuppressWarnings("unchecked")
    static <T, X extends Exception> T withTimeout(Duration timeout, Green.Block<? extends T, X> body) throws X {
        long nanos = RuntimeCore.toNanos(timeout, "timeout");
        Objects.requireNonNull(body, "body");
        GreenThread<?> caller = GreenThread.require("Green.withTimeout");
        GreenThread<T> child = caller.runtime().spawn(body::run, null, caller.priority());
        try {
            return child.join(Duration.ofNanos(nanos));
        } catch (TimedOutException late) {
            child.cancel();
            Waits.awaitEndUninterruptibly(child);
            throw new TimedOutException("Green.withTimeout: the body was still running after " + timeout
                    + "; it was cancelled and has ended");
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
            throw callerCancelled;
        }
    }
}
