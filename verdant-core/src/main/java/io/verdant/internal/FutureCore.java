package io.verdant.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

/**
 * The settle-once state of the {@link Future} view of a green thread's handle
 * ({@code io.verdant.HandleFuture}): which of SUCCESS, FAILED or CANCELLED the
 * view reports, decided by one CAS. {@code HandleFuture} decides the outcome
 * from the handle and holds the {@code Future} contract. It also keeps the
 * view's waiting {@code get} callers, which {@link #cancel()} wakes.
 */
public final class FutureCore {
    /*
     * Design
     *
     * State (settled; one CAS, once; null = not settled)
     *   null -> SUCCESS | FAILED | CANCELLED   settle(outcome): the handle is
     *                                          done; the outcome is its result
     *   null -> CANCELLED                      cancel() while the handle was not done
     *   Settling is lazy (whoever reads first, after the handle is done), so no
     *   callback is needed and the view is linearizable: a cancel() that wins the
     *   CAS happened before any reader saw the handle's outcome through the view.
     *
     * Waiters (get callers waiting for the handle)
     *   A waiter adds itself, then waits for the handle's end or a settled view
     *   (it re-reads settled before each park); cancel() CASes settled, then
     *   unparks every waiter it finds. Both sides are sequentially consistent, so
     *   either the waiter sees CANCELLED or cancel() sees the waiter.
     *
     * Who writes: any thread, only by those two CASes; never written again.
     * Ordering: settled is volatile; the handle's own outcome is published by
     *   the handle (its isDone() is read before settle()).
     */
    @SuppressWarnings("unused") private volatile Future.State settled;
    private final ConcurrentLinkedQueue<Thread> waiters = new ConcurrentLinkedQueue<>();

    /** An unsettled view. */
    public FutureCore() {
    }

    /**
     * Any thread.
     *
     * @return the settled state, or null while unsettled
     */
    public Future.State settled() {
        return settledVolatile();
    }

    /**
     * Any thread, once the handle is done: settles the view with
     * {@code outcome} unless it is settled already.
     *
     * @param outcome SUCCESS, FAILED or CANCELLED, from the handle's outcome
     * @return the state the view settled with (this outcome, or an earlier one)
     */
    public Future.State settle(Future.State outcome) {
        Future.State witness = compareAndExchangeSettled(null, outcome);
        return witness == null ? outcome : witness;
    }

    /**
     * Any thread: settles the view as CANCELLED if nothing settled it first.
     *
     * @return true if this call settled it
     */
    public boolean cancel() {
        if (!casSettled(null, Future.State.CANCELLED)) {
            return false;
        }
        for (Thread t : waiters) {
            LockSupport.unpark(t);
        }
        return true;
    }

    /**
     * A {@code get} caller, before it waits (it reads {@link #settled()} after this).
     *
     * @param t the calling thread
     */
    public void addWaiter(Thread t) {
        waiters.add(t);
    }

    /**
     * A {@code get} caller, once it stopped waiting however it stopped.
     *
     * @param t the calling thread
     */
    public void removeWaiter(Thread t) {
        waiters.remove(t);
    }

    // ------------------------------------------------------------------ accessors, named by access mode

    /** Any thread: the settled state, volatile. */
    private Future.State settledVolatile() {
        return (Future.State) SETTLED.getVolatile(this);
    }

    /** Any thread settling: the first settlement wins; returns the witness (null if this one won). */
    private Future.State compareAndExchangeSettled(Future.State expect, Future.State s) {
        return (Future.State) SETTLED.compareAndExchange(this, expect, s);
    }

    /** Any thread cancelling: wins only if nothing settled first. */
    private boolean casSettled(Future.State expect, Future.State s) {
        return SETTLED.compareAndSet(this, expect, s);
    }

    private static final VarHandle SETTLED;
    static {
        try {
            SETTLED = MethodHandles.lookup().findVarHandle(FutureCore.class, "settled", Future.State.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
