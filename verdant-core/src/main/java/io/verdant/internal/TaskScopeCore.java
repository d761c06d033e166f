package io.verdant.internal;

import io.verdant.CancelToken;
import io.verdant.CancelledException;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Priority;
import io.verdant.TaskScope;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * The mechanics of {@code io.verdant.TaskScope}: its children, the count of
 * children not yet reported to the joiner, stopping (cancelling the running
 * children), the deadline watchdog, and the owner's wait for the children to
 * end. {@code TaskScope} holds the contract (argument checks, owner checks,
 * which exception {@code join} throws).
 *
 * @param <T> the children's result type
 */
public final class TaskScopeCore<T> {
    /*
     * Design
     *
     * Fields (all but the finals guarded by this core's monitor, "the lock")
     *   children  appended by fork; read by stopLocked (which cancels those not
     *             ended). Only children not known to have ended: a fork that finds
     *             the list at pruneAt drops the ended ones, and pruneAt becomes
     *             max(PRUNE_MIN, twice the kept) (amortised O(1) per fork), so a
     *             long-lived scope (an accept loop forking per connection) holds
     *             about twice its running children, not every child it forked.
     *             The joiner keeps what its result needs. forked counts them all.
     *   pending   children forked and not yet reported to the joiner; incremented
     *             by fork before it spawns (the spawn itself runs outside the lock:
     *             it is a scheduling point in a deterministic runtime), decremented
     *             by each child's onComplete callback
     *             (childEnded, which runs when the child has ended, after the
     *             joiner's onComplete). The owner parks until it is 0; the
     *             callback of the last one (or a stop that finds it 0) unparks it.
     *   stopped   set once (under the lock) by the joiner, the deadline watchdog,
     *             the owner's cancellation, or close; whoever sets it cancels every
     *             child not yet ended; a fork that reads it set (with its pending
     *             reservation) spawns its child under a token cancelled already, so
     *             it is born cancelled; one whose spawn races the stop cancels its
     *             child once listed.
     *   timedOut  set by the watchdog if it stopped a scope with children running,
     *             or by a fork into a scope the deadline stopped.
     *   joining   join or close has started: no more forks.
     *   joined    join was called (once).
     *   ownerStopped  the owner's wait (its cancellation or an interrupt) stopped a
     *             scope nothing else had stopped.
     *   spared    the children already cancelled (their handle's cancel) when
     *             ownerStopped was set for an interrupt (the owner not cancelled),
     *             or null: that stop did not cut them short.
     *   ownerCut  a child ended cancelled (CancelledException, its token cancelled)
     *             after ownerStopped and not spared, or while the owner was cancelled and the scope
     *             not stopped (the owner's cancellation reaches the children directly):
     *             the owner's cancellation or interrupt cut it short. join throws
     *             CancelledException only then; else the policy's result is returned,
     *             the interrupt or cancellation left set (as the JDK's join, whose
     *             subtasks all completed, and Green.scope).
     *   watchdog  final: with a timeout, a green thread (registered under a
     *             standalone token, so nothing but cancelWatchdog cancels it)
     *             sleeping on the runtime's timer wheel until the deadline, then
     *             stopping the scope.
     *
     * Threads
     *   fork: any thread (a platform thread, another runtime's green thread);
     *   childEnded: the ended child (its
     *   completion callback); stop(true): the watchdog; startJoin, beginClose,
     *   awaitChildren, cancelWatchdog: the owner. The joiner's onFork and
     *   onComplete run one call at a time under joinerLock, never under the
     *   lock: a joiner call that blocks (a bounded channel's send) held the
     *   lock, so the deadline's stop, the owner's cancellation and close waited
     *   for it and the children ran on past the deadline
     *   (TaskScopeBlockingJoinerTest). Order: joinerLock is never taken under
     *   the lock. A child's decrement of pending follows its onComplete, so
     *   the owner's result() sees every call's writes.
     *
     * Ordering and wake-up
     *   Every shared field is read and written under the lock, so the lock
     *   orders them. The owner re-checks pending under the lock after every
     *   park; an unpark that comes before the park is kept as the permit, so a
     *   decrement to 0 between the check and the park is never lost. The owner
     *   parks with the TaskScope as the blocker.
     */

    /** Prune no list shorter than this: a scope of a few children never prunes. Chosen, not measured. */
    private static final int PRUNE_MIN = 64;

    private final GreenThread<?> owner;
    /** The thread the owner's wait parks, unparked by the last child: the one that opened
     * the scope, and the one that waits (awaitChildren sets it, volatile, before it reads
     * the count). The owner's virtual thread, or in an event actor's handler the dispatcher
     * running it: the actor has no thread, and an unpark of its null one was lost, so the
     * wait hung (ScopeInEventActorTest). */
    private volatile Thread waiter = Thread.currentThread();
    private final TaskScope.Joiner<T, ?> joiner;
    /** Held by each call of the joiner's onFork and onComplete (see "Threads"). */
    private final Object joinerLock = new Object();
    private final List<GreenHandle<? extends T>> children = new ArrayList<>();
    /** Prune the children when a fork finds this many (see "Fields"). */
    private int pruneAt = PRUNE_MIN;
    private int forked;
    private int pending;
    private boolean stopped;
    private boolean timedOut;
    /** The deadline stopped the scope (whether or not a child was pending then). */
    private boolean deadlineStopped;
    private boolean joining;
    private boolean joined;
    private boolean ownerStopped;
    private java.util.Set<GreenHandle<?>> spared;
    private boolean ownerCut;
    private final GreenHandle<Void> watchdog;

    /**
     * The core of a scope owned by {@code owner}.
     *
     * @param owner the green thread that opened the scope
     * @param joiner the scope's policy (its onFork and onComplete are called here)
     * @param timeout the scope's deadline from now, or null for none
     * @param nanos {@code timeout} in nanoseconds (ignored if it is null)
     */
    public TaskScopeCore(GreenThread<?> owner, TaskScope.Joiner<T, ?> joiner, Duration timeout, long nanos) {
        this.owner = owner;
        this.joiner = joiner;
        this.watchdog = timeout == null ? null : owner.runtime().spawn(() -> {
            try {
                Green.sleep(Duration.ofNanos(nanos));
            } catch (CancelledException closedFirst) {
                return null;
            }
            stop(true);
            return null;
        }, "TaskScope-deadline", Priority.HIGH, CancelToken.create());
    }

    /**
     * Any thread. Starts a child running {@code task},
     * registered for cancellation under the owner (priority of the caller if
     * it is green, else NORMAL); born cancelled if the scope has stopped (cancelled
     * as it starts if a stop races this fork).
     *
     * @param <U> the child's result type
     * @param task the body
     * @return the child
     * @throws IllegalStateException if join or close has started
     */
    public <U extends T> GreenThread<U> fork(Callable<? extends U> task) {
        boolean stoppedBefore;
        synchronized (this) {
            if (joining) {
                throw new IllegalStateException("TaskScope: cannot fork once join or close has started");
            }
            pending++; // reserved before the spawn: a join that starts meanwhile waits for it
            stoppedBefore = stopped;
        }
        // The spawn runs outside the lock: it is a scheduling point, and a deterministic
        // runtime could switch to an earlier child whose end then blocked on this monitor
        // (DetTaskScopeForkStrictTest: same seed, different outcomes).
        GreenThread<?> caller = GreenThread.current();
        Priority p = caller != null ? caller.priority() : Priority.NORMAL;
        GreenThread<U> child;
        try {
            // Into a stopped scope the child is born cancelled (under a token cancelled
            // already), not cancelled by the stop() below once it may have run: on another
            // carrier its body could start first (TaskScopeForkAfterStopTest). A stop racing
            // this spawn still cancels it there.
            child = owner.runtime().spawn(task, null, p, stoppedBefore ? cancelledToken() : owner.cancelToken());
        } catch (RuntimeException | Error e) {
            boolean wake;
            synchronized (this) {
                wake = --pending == 0;
            }
            if (wake) {
                LockSupport.unpark(waiter);
            }
            throw e;
        }
        boolean stop;
        synchronized (this) {
            if (children.size() >= pruneAt) {
                children.removeIf(GreenHandle::isDone);
                pruneAt = Math.max(PRUNE_MIN, 2 * children.size());
            }
            children.add(child);
            forked++;
            if (deadlineStopped) {
                // Forked after the deadline stopped the scope: it is cancelled below, and join
                // reports the deadline, not that cancellation (TaskScopeDeadlineBeforeForkTest).
                timedOut = true;
            }
            stop = stopped;
        }
        if (stop) {
            stop(); // the scope had stopped before this child was listed: it is cancelled now
        }
        try {
            // Also into a stopped scope (as the JDK's, "even if cancelled"): onComplete is
            // called for every child, so the joiner is told of each one before it
            // (TaskScopeLateForkJoinerTest).
            synchronized (joinerLock) {
                stop = joiner.onFork(child);
            }
        } catch (RuntimeException | Error e) {
            stop();
            child.onComplete((v, t) -> childEnded(child));
            throw e;
        }
        if (stop) {
            stop();
        }
        child.onComplete((v, t) -> childEnded(child));
        return child;
    }

    /** A standalone token, cancelled: a thread spawned under it is born cancelled. Any thread. */
    private static CancelToken cancelledToken() {
        CancelToken t = CancelToken.create();
        t.cancel();
        return t;
    }

    private void childEnded(GreenHandle<? extends T> child) {
        boolean stop = false;
        try {
            synchronized (joinerLock) {
                stop = joiner.onComplete(child);
            }
        } finally {
            boolean wake = false;
            try {
                synchronized (this) {
                    try {
                        if ((ownerStopped && (spared == null || !spared.contains(child)) || !stopped && owner.isCancelled())
                                && child instanceof GreenThread<?> g
                                && g.isCancelled() && g.failureOrNull() instanceof CancelledException) {
                            ownerCut = true;
                        }
                        if (stop) {
                            stopLocked();
                        }
                    } finally {
                        wake = --pending == 0;
                    }
                }
            } finally {
                // Also when the joiner's onComplete threw (the child's callback logs it): the owner
                // may be parked for this last child (TaskScopeThrowingJoinerTest).
                if (wake) {
                    LockSupport.unpark(waiter);
                }
            }
        }
    }

    /** Stops the scope (not the deadline's stop). */
    private synchronized void stop() {
        stopLocked();
    }

    private synchronized void stop(boolean deadline) {
        if (deadline && !stopped) {
            deadlineStopped = true;
            if (pending > 0) {
                timedOut = true;
            }
        }
        stopLocked();
    }

    /** Under the lock: stops the scope once, cancelling every child not yet ended. */
    private void stopLocked() {
        if (!stopped) {
            stopped = true;
        }
        for (GreenHandle<? extends T> c : children) {
            if (!c.isDone()) {
                c.cancel();
            }
        }
        if (pending == 0) {
            LockSupport.unpark(waiter);
        }
    }

    /**
     * The owner: marks the scope joined and closed to forks.
     *
     * @return false if join was already called (nothing changed)
     */
    public synchronized boolean startJoin() {
        if (joined) {
            return false;
        }
        joined = true;
        joining = true;
        return true;
    }

    /** The owner, closing: no more forks; stops the scope if children are still running. */
    public synchronized void beginClose() {
        joining = true;
        if (pending > 0) {
            stopLocked();
        }
    }

    /**
     * The owner. Parks until every child has been reported to the joiner,
     * deaf to interrupts (cleared while waiting, the status restored at the
     * end). With {@code reactToCancel}, the owner's cancellation or an
     * interrupt stops the scope (cancelling the children), and the wait goes on
     * until they have ended.
     *
     * @param blocker the object waited on (LockSupport's blocker)
     * @param reactToCancel whether the owner's cancellation stops the scope
     * @return true if the owner's cancellation or an interrupt cut a child short
     *         (see "Fields", ownerCut)
     */
    public boolean awaitChildren(Object blocker, boolean reactToCancel) {
        waiter = Thread.currentThread(); // before the count is read: a last child then wakes it
        boolean interrupted = Thread.interrupted();
        boolean ownerCancelled = false;
        try {
            for (;;) {
                synchronized (this) {
                    if (pending == 0) {
                        return ownerCut;
                    }
                    if (reactToCancel && !ownerCancelled && (interrupted || owner.isCancelled())) {
                        ownerCancelled = true;
                        if (!stopped) {
                            ownerStopped = true;
                            // For an interrupt: a child already cancelled was cut short by its handle's
                            // cancel. (The owner's cancellation has reached every child directly.)
                            for (GreenHandle<? extends T> c : owner.isCancelled() ? List.<GreenHandle<? extends T>>of() : children) {
                                if (c instanceof GreenThread<?> g && g.isCancelled()) {
                                    if (spared == null) {
                                        spared = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
                                    }
                                    spared.add(c);
                                }
                            }
                        }
                        stopLocked();
                    }
                }
                LockSupport.park(blocker);
                if (Thread.interrupted()) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The owner, after its wait: the deadline watchdog is no longer needed. */
    public void cancelWatchdog() {
        if (watchdog != null) {
            watchdog.cancel();
        }
    }

    /** @return whether the deadline stopped the scope while children were running */
    public synchronized boolean timedOut() {
        return timedOut;
    }

    /** @return whether the scope has stopped */
    public synchronized boolean isStopped() {
        return stopped;
    }

    /** Tests: the children the core still references. */
    synchronized int childrenKept() {
        return children.size();
    }

    /** @return "N forked, M running[, stopped]", read at once under the lock */
    public synchronized String describe() {
        return forked + " forked, " + pending + " running" + (stopped ? ", stopped" : "");
    }
}
