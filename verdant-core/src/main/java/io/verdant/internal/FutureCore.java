package io.verdant.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Future;

/**
 * The settle-once state of the {@link Future} view of a green thread's handle
 * ({@code io.verdant.HandleFuture}): which of SUCCESS, FAILED or CANCELLED the
 * view reports, decided by one CAS. {@code HandleFuture} decides the outcome
 * from the handle and holds the {@code Future} contract.
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
     *   They join the handle's thread until its end or a settled view
     *   (GreenThread.awaitEndUnless, which re-reads settled before each park);
     *   after a cancel() that won, HandleFuture wakes the thread's joiners
     *   (GreenThread.wakeJoiners, which says why none is missed). No list here:
     *   a get caller its runtime's close abandoned leaves with its join node.
     *
     * Who writes: any thread, only by those two CASes; never written again.
     * Ordering: settled is volatile; the handle's own outcome is published by
     *   the handle (its isDone() is read before settle()).
     */
    @SuppressWarnings("unused") private volatile Future.State settled;

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
        return casSettled(null, Future.State.CANCELLED);
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
