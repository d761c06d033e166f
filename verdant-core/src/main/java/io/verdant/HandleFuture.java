package io.verdant;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@link Future} view of a {@link GreenHandle} ({@link GreenHandle#asFuture()}).
 *
 * <pre>
 * State (one CAS, once; null = not settled)
 *   null -> SUCCESS | FAILED | CANCELLED   settle(): the handle is done; the
 *                                          outcome decides (a thread that threw
 *                                          a CancellationException is CANCELLED)
 *   null -> CANCELLED                      cancel() while the handle was not done
 *   Settling is lazy (whoever reads first, after the handle is done), so no
 *   callback is needed and the view is linearizable: a cancel() that wins the
 *   CAS happened before any reader saw the handle's outcome through this view.
 * Any thread may call any method.
 * </pre>
 *
 * @param <T> the result type
 */
final class HandleFuture<T> implements Future<T> {
    private final GreenHandle<T> handle;
    @SuppressWarnings("unused") private volatile State settled;

    HandleFuture(GreenHandle<T> handle) {
        this.handle = handle;
    }

    /** The settled state, settling it if the handle is done; null while it runs. */
    private State settle() {
        State s = settled;
        if (s == null && handle.isDone()) {
            State outcome = switch (handle.state()) {
                case SUCCEEDED -> State.SUCCESS;
                default -> handle.exceptionNow() instanceof CancellationException ? State.CANCELLED : State.FAILED;
            };
            s = compareAndExchangeSettled(null, outcome);
            if (s == null) {
                s = outcome;
            }
        }
        return s;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (settle() != null || !casSettled(null, State.CANCELLED)) {
            return false;
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
        awaitHandle(-1L);
        return report();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        long nanos = unit.toNanos(timeout);
        if (!handle.isDone()) {
            if (nanos <= 0) {
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

    /** Waits for the handle to end; {@code nanos} < 0: forever. */
    private void awaitHandle(long nanos) throws InterruptedException {
        try {
            if (nanos < 0) {
                handle.join();
            } else {
                handle.join(Duration.ofNanos(nanos));
            }
        } catch (GreenFailedException e) {
            // the outcome: reported by report()
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

    // ------------------------------------------------------------------ accessors, named by access mode

    /** Any thread settling: the first settlement wins; returns the witness (null if this one won). */
    private State compareAndExchangeSettled(State expect, State s) {
        return (State) SETTLED.compareAndExchange(this, expect, s);
    }

    /** Any thread cancelling: wins only if nothing settled first. */
    private boolean casSettled(State expect, State s) {
        return SETTLED.compareAndSet(this, expect, s);
    }

    private static final VarHandle SETTLED;
    static {
        try {
            SETTLED = MethodHandles.lookup().findVarHandle(HandleFuture.class, "settled", State.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
