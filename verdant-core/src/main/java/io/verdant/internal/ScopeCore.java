package io.verdant.internal;

import io.verdant.CancelToken;
import io.verdant.CancelledException;
import io.verdant.Priority;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * The mechanics of {@code io.verdant.Scope}: its children, the count of
 * children still running, the first failure, and the owner's wait for the
 * children to end. {@code Scope} holds the contract (argument checks, which
 * exception the scope throws).
 */
public final class ScopeCore {
    /*
     * Fields
     *   children    guarded by this; appended by spawn, read by cancel and (after
     *               the owner's wait, when no spawn can run) by the owner.
     *               Only what the owner may still need: the children running,
     *               and those whose failure the scope may report. A spawn that
     *               finds the list at pruneAt drops the children that ended
     *               without one (succeeded, or cancelled: never reported, see
     *               Scope's outcome), and pruneAt becomes max(PRUNE_MIN, twice
     *               the kept): amortised O(1) per spawn, and a long-lived scope
     *               (a server's accept loop) holds about twice its running children,
     *               not every child it ever spawned. A child's fail() precedes
     *               its end, so a cancelled child whose CancelledException is
     *               the scope's first failure is seen as such and kept.
     *   closed, cancelling  guarded by this.
     *   running     children whose body has not returned, plus spawns in
     *               progress; each child's wrapper decrements it last and unparks
     *               the owner at zero (getAndAdd: a full fence, so the owner's
     *               re-check after unpark sees zero).
     *   first       the first failure, set once by CAS; whoever sets it cancels
     *               the children (a spawn after that, which reads cancelling under
     *               this, spawns its child under a token cancelled already: born
     *               cancelled; one before it is listed by then, so the cancel reaches it).
     * Cancelled children
     *   A child that ends with CancelledException after a cancellation reached
     *   it is not a failure: the scope's cancel (a failure's, or Scope.cancel),
     *   the owner's (its cascade reaches the children: the scope then throws
     *   CancelledException), or a cancel aimed at the child alone (its handle's
     *   cancel(), a token above it). The child's wrapper tells them from a
     *   CancelledException thrown without one (a join of a cancelled thread,
     *   user code), which is a failure, by the child's own token: cancelled
     *   iff a cancellation reached it (CancelNode). As the JDK's
     *   StructuredTaskScope, where a subtask cancelled is not a failed one.
     *   Such an end sets cutShort if the cancellation was the owner's, that is
     *   if the scope did not cancel itself (selfCancelled: a failure's cancel,
     *   Scope.cancel) and either the owner's token is cancelled (its cascade
     *   reaches the children directly) or the owner's wait, for an interrupt,
     *   cancelled the scope (ownerStopped) and the child was not cancelled
     *   already then (spared: those its handle's cancel had reached). As
     *   TaskScopeCore's ownerCut.
     *   The owner's cancellation or interrupt makes the scope throw
     *   CancelledException only if it cut a child short (else the body's result,
     *   maybe a value it took, is returned: Scope.outcome).
     * Waiting (owner only, awaitChildren)
     *   Deaf to cancellation and interrupts: a scope never leaves a child
     *   running. Interrupts are cleared and remembered; on the first sign of
     *   cancellation the children are cancelled. The owner parks with this core
     *   as the blocker until running is zero, then waits (yielding) for each
     *   handle's status, which is final microseconds after its body returned.
     * Threads
     *   spawn, cancel, fail: any green thread of the runtime. awaitChildren: the owner.
     */

    private final GreenThread<?> owner;
    /** The thread the owner's wait parks, unparked by the last child: the one that opened
     * the scope, and the one that waits (awaitChildren sets it, volatile, before it reads
     * the count). The owner's virtual thread, or in an event actor's handler the dispatcher
     * running it: the actor has no thread, and an unpark of its null one was lost, so the
     * wait hung (ScopeInEventActorTest). */
    private volatile Thread waiter = Thread.currentThread();
    private final CancelToken ownerToken;
    private final List<GreenThread<?>> children = new ArrayList<>();
    /** Prune the children when a spawn finds this many (see "Fields"); guarded by this. */
    private int pruneAt = PRUNE_MIN;
    private boolean closed;
    private boolean cancelling;
    /** A failure's cancel or Scope.cancel cancelled the children; guarded by this. */
    private boolean selfCancelled;
    /** The owner's wait (its cancellation or an interrupt) cancelled the scope first; guarded by this. */
    private boolean ownerStopped;
    /** Children already cancelled (their handle's cancel) when ownerStopped was set, or null; guarded by this. */
    private java.util.Set<GreenThread<?>> spared;
    /** A child ended with the CancelledException of a cancellation (see "Cancelled children"). */
    private volatile boolean cutShort;
    @SuppressWarnings("unused") private volatile int running;
    @SuppressWarnings("unused") private volatile Throwable first;

    /** Prune no list shorter than this: a scope of a few children never prunes. Chosen, not measured. */
    private static final int PRUNE_MIN = 64;

    /**
     * The core of a scope owned by {@code owner}.
     *
     * @param owner the green thread that opened the scope
     */
    public ScopeCore(GreenThread<?> owner) {
        this.owner = owner;
        this.ownerToken = owner.cancelToken();
    }

    /** @return the owner's cancel token (cancelled with the owner) */
    public CancelToken ownerToken() {
        return ownerToken;
    }

    /**
     * Spawns a child running {@code task}, registered for cancellation under
     * the owner. Any thread.
     *
     * @param <T> the result type
     * @param task the body
     * @return the child, or null if the scope has closed (nothing spawned)
     */
    public <T> GreenThread<T> spawn(Callable<? extends T> task) {
        getAndIncrementRunning();
        GreenThread<T> child = null;
        try {
            synchronized (this) {
                if (closed) {
                    childBodyEnded();
                    return null;
                }
                // After the scope's cancel the child is born cancelled (under a token
                // cancelled already), not cancelled once listed: on another carrier its
                // body could start first (ScopeSpawnAfterCancelTest).
                child = owner.runtime().spawn(() -> {
                    try {
                        return task.call();
                    } catch (Throwable t) {
                        // A cancellation is no failure (see "Cancelled children"): the scope's own,
                        // or one aimed at this child (its handle's cancel(), the owner's cascade).
                        if (t instanceof CancelledException
                                && (isCancelled() || GreenThread.current().isCancelled())) {
                            if (cancelledByOwner(GreenThread.current())) {
                                cutShort = true;
                            }
                        } else {
                            fail(t);
                        }
                        GreenThread.current().markFailureObserved(); // the scope rethrows it: not unobserved
                        throw t;
                    } finally {
                        childBodyEnded();
                    }
                }, null, Priority.NORMAL, cancelling ? cancelledToken() : ownerToken);
                io.verdant.internal.sched.Faults.scopeChildAdding();
                if (children.size() >= pruneAt) {
                    children.removeIf(this::spent);
                    pruneAt = Math.max(PRUNE_MIN, 2 * children.size());
                }
                children.add(child);
            }
        } catch (RuntimeException | Error e) {
            if (child == null) {
                childBodyEnded(); // not spawned: no body will count itself out
            } else {
                // Spawned, but the caller gets no handle (its list could not grow): cancelled,
                // and counted out by its own wrapper, so the scope still waits for it.
                child.cancel();
            }
            throw e;
        }
        return child;
    }

    /** A standalone token, cancelled: a thread spawned under it is born cancelled. Any thread. */
    private static CancelToken cancelledToken() {
        CancelToken t = CancelToken.create();
        t.cancel();
        return t;
    }

    /** Under this: {@code c} ended and the scope will never report it (see "Fields"). */
    private boolean spent(GreenThread<?> c) {
        if (!c.isDone()) {
            return false;
        }
        Throwable f = c.failureOrNull();
        return f == null || (f instanceof CancelledException && f != first);
    }

    /** Cancels every child, now and spawned later. Any thread. */
    public void cancel() {
        cancel(false);
    }

    /** As {@link #cancel()}; {@code byOwner}: the owner's wait, for its cancellation or an interrupt. */
    private void cancel(boolean byOwner) {
        List<GreenThread<?>> copy;
        synchronized (this) {
            if (!byOwner) {
                selfCancelled = true;
            } else if (!cancelling) {
                ownerStopped = true;
                for (GreenThread<?> c : children) {
                    if (c.isCancelled()) {
                        if (spared == null) {
                            spared = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
                        }
                        spared.add(c);
                    }
                }
            }
            cancelling = true;
            copy = List.copyOf(children);
        }
        for (GreenThread<?> c : copy) {
            c.cancel();
        }
    }

    /** A child that ended cancelled: whether the owner's cancellation or interrupt did it (see "Cancelled children"). */
    private synchronized boolean cancelledByOwner(GreenThread<?> child) {
        return !selfCancelled && (ownerToken.isCancelled() || ownerStopped && (spared == null || !spared.contains(child)));
    }

    /** @return true once a failure or {@link #cancel()} has cancelled the children */
    public synchronized boolean isCancelled() {
        return cancelling;
    }

    /**
     * Records {@code t} as the first failure if there is none yet, and then
     * cancels the children. Any thread.
     *
     * @param t the failure
     */
    public void fail(Throwable t) {
        if (casFirst(null, t)) {
            cancel();
        }
    }

    /**
     * @return true if a child ended with the CancelledException of the owner's cancellation
     *         or interrupt (see "Cancelled children"); read by the owner after {@link #awaitChildren()}
     */
    public boolean childCutShort() {
        return cutShort;
    }

    /** @return the first failure (of a child or the body), or null */
    public Throwable first() {
        return first;
    }

    /** @return the children; the owner, after {@link #awaitChildren()} */
    public List<GreenThread<?>> children() {
        return children;
    }

    private void childBodyEnded() {
        if (getAndDecrementRunning() == 1) {
            LockSupport.unpark(waiter);
        }
    }

    /**
     * The owner: closes the scope to spawns and waits for every child to end,
     * cancelling them if the owner is cancelled or interrupted meanwhile (its
     * interrupt status is restored on return).
     */
    public void awaitChildren() {
        waiter = Thread.currentThread(); // before the count is read: a last child then wakes it
        synchronized (this) {
            closed = true;
        }
        boolean interrupted = Thread.interrupted();
        boolean propagated = false;
        try {
            while (runningVolatile() > 0) {
                if ((interrupted || ownerToken.isCancelled()) && !propagated) {
                    propagated = true;
                    cancel(true);
                }
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    interrupted = true;
                }
            }
            for (GreenThread<?> c : children) {
                while (!c.isDone()) {
                    Thread.yield();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------ accessors, named by access mode

    /** The spawner (the owner or a child): counts a child body before it can end (volatile RMW). */
    private void getAndIncrementRunning() {
        RUNNING.getAndAdd(this, 1);
    }

    /** A child body ending (any thread): returns the count before; the last one unparks the owner. */
    private int getAndDecrementRunning() {
        return (int) RUNNING.getAndAdd(this, -1);
    }

    /** The owner, between parks: volatile, so a decrement to 0 and its unpark are seen in order. */
    private int runningVolatile() {
        return (int) RUNNING.getVolatile(this);
    }

    /**
     * The wait reason of the owner parked in {@link #awaitChildren} (WaitReasons
     * renders Verdant's own blockers by their toString): the owner and the children
     * still running. Any thread; reads one volatile field.
     */
    @Override
    public String toString() {
        return "Scope[owner " + owner.pid() + ", " + runningVolatile() + " running]";
    }

    /** Any thread: the first failure wins (volatile CAS); later ones are dropped. */
    private boolean casFirst(Throwable expect, Throwable t) {
        return FIRST.compareAndSet(this, expect, t);
    }

    private static final VarHandle RUNNING;
    private static final VarHandle FIRST;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            RUNNING = l.findVarHandle(ScopeCore.class, "running", int.class);
            FIRST = l.findVarHandle(ScopeCore.class, "first", Throwable.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
