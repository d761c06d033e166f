package io.verdant;

import io.verdant.internal.Deadline;
import io.verdant.internal.FutureCore;
import io.verdant.internal.GreenThread;
import io.verdant.internal.Waits;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@link Future} view of a {@link GreenHandle} ({@link GreenHandle#asFuture()}).
 *
 * <p>Any thread may call any method.
 *
 * @param <T> the result type
 */
final class HandleFuture<T> implements Future<T> {
    private final GreenHandle<T> handle;
    /*
     * Design
     *   The settle-once state (one CAS: the handle's outcome, or CANCELLED by
     *   cancel() while it runs) lives in internal.FutureCore. This class
     *   decides the outcome from the handle and holds the Future contract.
     *   Once settled the view is done: get() reports at once (a view cancelled
     *   while the thread still runs throws CancellationException, as FutureTask
     *   does), and cancel() wakes the get() callers already waiting.
     */
    private final FutureCore core = new FutureCore();

    HandleFuture(GreenHandle<T> handle) {
        this.handle = handle;
    }

    /** The settled state, settling it if the handle is done; null while it runs. */
    private State settle() {
        State s = core.settled();
        if (s == null && handle.isDone()) {
            State outcome = switch (handle.state()) {
                case SUCCEEDED -> State.SUCCESS;
                default -> handle.exceptionNow() instanceof CancelledException ? State.CANCELLED : State.FAILED;
            };
            s = core.settle(outcome);
        }
        return s;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (settle() != null || !core.cancel()) {
            return false;
        }
        if (handle instanceof GreenThread<T> g) {
            g.wakeJoiners(); // the get callers waiting (awaitHandle) see the view settled
        }
        handle.cancel();
        return true;
    }

    @Override
    public boolean isCancelled() {
        return settle() == State.CANCELLED;
    }

    @Override
    public boolean isDone() {
        return settle() != null;
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        if (settle() == null) {
            awaitHandle(-1L);
        }
        return report();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        long nanos = unit.toNanos(timeout);
        if (settle() == null) {
            if (nanos <= 0) {
                if (Waits.cancelled()) {
                    // As FutureTask: an interrupted (or cancelled) caller hears of it even without waiting.
                    Thread.interrupted();
                    throw new InterruptedException("interrupted or cancelled before get of " + handle.pid());
                }
                throw new TimeoutException("green thread " + handle.pid() + " still running");
            }
            try {
                awaitHandle(nanos);
            } catch (TimedOutException e) {
                TimeoutException t = new TimeoutException(e.getMessage());
                t.initCause(e);
                throw t;
            }
        }
        return report();
    }

    /**
     * Waits for the handle to end or this view to be cancelled; {@code nanos} < 0: forever.
     * An untimed wait from outside a deterministic runtime whose run fails first (a
     * deadlock) throws that failure in an ExecutionException, as join throws it bare
     * (DetOutsideFutureTest); the view stays unsettled (the thread has not ended).
     */
    private void awaitHandle(long nanos) throws InterruptedException, ExecutionException {
        try {
            if (handle instanceof GreenThread<T> g) {
                g.awaitEndUnless(nanos < 0 ? Deadline.FOREVER : Deadline.after(nanos), () -> core.settled() != null);
            } else if (nanos < 0) {
                handle.join();
            } else {
                handle.join(Duration.ofNanos(nanos));
            }
        } catch (GreenFailedException e) {
            // the outcome: reported by report()
        } catch (ScheduleFailedException e) {
            if (core.settled() == null && !handle.isDone()) {
                throw new ExecutionException(e);
            }
            // settled meanwhile (cancelled, or the thread ended): report() tells which
        } catch (CancelledException e) {
            if (!handle.isDone()) {
                // The caller was cancelled or interrupted while waiting: the JDK's convention.
                Thread.interrupted();
                InterruptedException ie = new InterruptedException(e.getMessage());
                ie.initCause(e);
                throw ie;
            }
        }
    }

    private T report() throws ExecutionException {
        State s = settle();
        return switch (s) {
            case SUCCESS -> handle.resultNow();
            case FAILED -> throw new ExecutionException(handle.exceptionNow());
            case CANCELLED -> {
                CancellationException c = new CancellationException("green thread " + handle.pid() + " was cancelled");
                if (handle.isDone() && handle.state() != GreenState.SUCCEEDED) {
                    c.initCause(handle.exceptionNow());
                }
                throw c;
            }
            default -> throw new IllegalStateException("not done: " + handle.pid());
        };
    }

    @Override
    public T resultNow() {
        if (settle() != State.SUCCESS) {
            throw new IllegalStateException("green thread " + handle.pid() + " has not succeeded (" + state() + ")");
        }
        return handle.resultNow();
    }

    @Override
    public Throwable exceptionNow() {
        if (settle() != State.FAILED) {
            throw new IllegalStateException("green thread " + handle.pid() + " has not failed (" + state() + ")");
        }
        return handle.exceptionNow();
    }

    @Override
    public State state() {
        State s = settle();
        return s == null ? State.RUNNING : s;
    }

    @Override
    public String toString() {
        return "Future[" + handle.pid() + ", " + state() + "]";
    }
}
