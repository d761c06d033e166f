package io.verdant;

import io.verdant.internal.AbandonedWaits;
import io.verdant.internal.Deadline;
import io.verdant.internal.GreenThread;
import io.verdant.internal.JoinWait;
import io.verdant.internal.Waits;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@link CompletableFuture} of {@link GreenHandle#toCompletableFuture()}:
 * completed by an {@code onComplete} callback of the handle; cancelling it
 * also cancels the green thread. Dependent stages are plain
 * {@code CompletableFuture}s (cancelling one does not reach the thread, as in
 * the JDK, where cancellation never travels upstream). Any thread.
 *
 * <pre>
 * Waiting green threads
 *   A green caller of get, timed get or join waits in waiters, not on the JDK's
 *   wait stack (which its runtime's close could not reach: an abandoned caller
 *   would stay there, its thread and stack with it, until this completes), and
 *   its timed get on its runtime's timers, not the JDK's. It adds itself before
 *   re-checking isDone; the one dependent made at construction unparks every
 *   waiter once this completes, however it completes. It parks with waiters as
 *   blocker (its wait reason names the pid, never the outcome; as a JoinWait it
 *   names the thread waited for, as a join does): one its
 *   runtime's close abandons there leaves them (Waiters.dropAbandoned). get and timed
 *   get end on the caller's cancellation or interrupt (InterruptedException),
 *   join does not (as the JDK's: the interrupt status is kept).
 *
 * Callers from outside a deterministic runtime
 *   A caller of untimed get or join that is not a green thread, of a deterministic
 *   runtime's thread, first waits as an untimed join from outside does
 *   (GreenThread.awaitRunUnless: counted by the carrier as one waiting on the run),
 *   so a deadlock of the run is reported, by completing this exceptionally with it,
 *   instead of the JDK's wait lasting for ever (DetOutsideFutureTest). It ends as
 *   soon as this is done (a cancel wakes it) or the thread ends.
 * </pre>
 *
 * @param <T> the result type
 */
final class HandleCompletableFuture<T> extends CompletableFuture<T> {
    private final GreenHandle<T> handle;
    /** The green callers waiting; also their park blocker (a wait reason naming the pid only). */
    private final Waiters waiters;

    HandleCompletableFuture(GreenHandle<T> handle) {
        this.handle = handle;
        this.waiters = new Waiters(handle);
        super.whenComplete((v, failure) -> {
            for (Thread t : waiters.threads) {
                LockSupport.unpark(t);
            }
        });
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            if (handle instanceof GreenThread<?> g) {
                g.wakeOutsideWaiters(); // callers from outside a deterministic runtime see this done now
            }
            handle.cancel();
        }
        return cancelled;
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        if (!isDone()) {
            if (GreenThread.current() != null) {
                refuseOwnThread();
                await(Deadline.FOREVER);
            } else {
                awaitRunFromOutside(true);
            }
        }
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(unit, "unit");
        if (isDone() || GreenThread.current() == null) {
            return super.get(timeout, unit);
        }
        refuseOwnThread();
        long nanos = unit.toNanos(timeout);
        if (nanos > 0L) {
            await(Deadline.after(nanos));
        } else if (Waits.cancelled()) { // as the JDK's: checked before the timeout
            Thread.interrupted();
            throw new InterruptedException("cancelled or interrupted while waiting for " + handle.pid());
        }
        if (!isDone()) {
            throw new TimeoutException();
        }
        return super.get(); // done: does not wait
    }

    @Override
    public T join() {
        if (!isDone() && GreenThread.current() == null) {
            try {
                awaitRunFromOutside(false);
            } catch (InterruptedException e) {
                throw new AssertionError(e); // not interruptible: never thrown
            }
        }
        if (!isDone() && GreenThread.current() != null) {
            refuseOwnThread();
            Thread me = Thread.currentThread();
            waiters.threads.add(me);
            boolean interrupted = false;
            try {
                while (!isDone()) {
                    LockSupport.park(waiters);
                    if (Thread.interrupted()) {
                        interrupted = true;
                    }
                }
            } finally {
                waiters.threads.remove(me);
                if (interrupted) {
                    me.interrupt();
                }
            }
        }
        return super.join();
    }

    /**
     * A green caller of get, timed get or join, the future not done: refused if it is
     * the handle's own thread, which would wait for its own end (join ignores
     * cancellation: for ever), as asFuture().get() and join() of one's own handle are
     * (OwnCompletableFutureWaitTest).
     */
    private void refuseOwnThread() {
        if (GreenThread.current() == handle) {
            throw new IllegalStateException("a green thread cannot wait for its own toCompletableFuture(): " + handle.pid());
        }
    }

    /**
     * A caller of get or join that is not a green thread, the future not done: if the
     * handle's thread is a deterministic runtime's, waits as an untimed join from outside
     * does (GreenThread.awaitRunUnless) until it ends, this completes, or the run fails;
     * a failure of the run (a deadlock) completes this exceptionally with it, so get throws
     * it in an ExecutionException and join in a CompletionException, where they used to
     * wait for ever (DetOutsideFutureTest). Returns at once in other runtimes (the JDK's
     * wait follows). join ({@code interruptible} false) keeps waiting through interrupts
     * and restores the interrupt status, as the JDK's does.
     */
    private void awaitRunFromOutside(boolean interruptible) throws InterruptedException {
        if (!(handle instanceof GreenThread<?> g)) {
            return;
        }
        boolean interrupted = false;
        try {
            for (;;) {
                try {
                    g.awaitRunUnless(this::isDone);
                    return;
                } catch (InterruptedException e) {
                    if (interruptible) {
                        throw e;
                    }
                    interrupted = true; // the status was cleared: the next wait does not throw at once
                } catch (ScheduleFailedException e) {
                    completeExceptionally(e);
                    return;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A green caller of get: waits until done or the deadline; its cancellation or interrupt is an InterruptedException. */
    private void await(Deadline deadline) throws InterruptedException {
        Thread me = Thread.currentThread();
        waiters.threads.add(me);
        try {
            if (Waits.await(waiters, deadline, this::isDone) == Waits.Outcome.CANCELLED) {
                Thread.interrupted();
                throw new InterruptedException("cancelled or interrupted while waiting for " + handle.pid());
            }
        } finally {
            waiters.threads.remove(me);
        }
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }

    @Override
    public String toString() {
        return super.toString() + "[" + handle.pid() + "]";
    }

    /** The green threads in get or join of one such future. Any thread. */
    private static final class Waiters implements AbandonedWaits, JoinWait {
        final ConcurrentLinkedQueue<Thread> threads = new ConcurrentLinkedQueue<>();
        private final GreenHandle<?> handle;
        private final Pid pid;

        Waiters(GreenHandle<?> handle) {
            this.handle = handle;
            this.pid = handle.pid();
        }

        /** The thread waited for: a caller of get or join waits for its end, as a joiner does. */
        @Override
        public GreenThread<?> joined() {
            return handle instanceof GreenThread<?> g ? g : null;
        }

        /**
         * Close of the runtime of {@code t}, a green caller of get or join parked
         * here (the future's thread may be another runtime's) that it abandoned: it
         * leaves the waiters, so the future no longer keeps the dead thread
         * (AbandonedCompletableFutureWaiterTest). Any thread; never parks.
         */
        @Override
        public void dropAbandoned(Thread t) {
            threads.remove(t);
        }

        /** The wait reason of a caller: the thread waited for, never the future's outcome. */
        @Override
        public String toString() {
            return "toCompletableFuture of " + pid;
        }
    }
}
