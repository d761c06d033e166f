package io.verdant.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * One dispatcher: a green thread that runs event actors' turns one after
 * another, each a method call on its own stack (see {@link Dispatchers} for
 * the queues and the pool, {@link EventActor} for the scheduled flag).
 *
 * <pre>
 * A turn of actor A (A is SCHEDULED and owned by this dispatcher)
 *   1. acting = A (GreenThread.current() now answers A), A.runner = this thread,
 *      run at A's priority; clear a stale interrupt.
 *   2. up to A.throughput messages: check A's cancel flag, take the next message
 *      (stash replay first, then the mailbox), call the behavior. A Throwable
 *      (StackOverflowError included: its frames are above this one) ends A as
 *      failed; Actors.stop() ends it normally with the new state.
 *   3. runner = null, pass a racing cancel (EventActor.afterTurn), clear the
 *      interrupt status, acting = null.
 *   4. A still has work (throughput used up, replay, cancel pending): back to
 *      the shared queue. Else ActorCell.idleEvent: IDLE, or taken back if a
 *      message slipped in; then the cancel re-check (EventActor's comment).
 *   5. a safepoint between turns: the dispatcher yields here when the ticker asks.
 *
 * Blocking handlers
 *   A handler may park (a channel, a sleep, a join, socket I/O). Then this
 *   dispatcher's continuation unmounts with acting != null, and
 *   GreenThread.dispatch calls unmounted() on the carrier: the dispatcher counts
 *   as blocked (once per turn), its next slot goes to the shared queue (at every
 *   unmount: a handler that parks twice may have filled it in between), and
 *   another dispatcher is woken or started if actors are queued. When the handler returns, the
 *   dispatcher counts as running again and carries on; surplus dispatchers
 *   retire when they find no work.
 *
 * Threads and memory ordering
 *   acting, chain: this dispatcher's thread; unmounted() reads acting on the
 *     carrier the continuation just left (the same OS thread: program order).
 *     If the dispatcher was already resumed elsewhere, unmounted() may see a
 *     later value; the only effect is a blocked/unblocked pair of counts or a
 *     next-slot actor moved to the shared queue, both harmless (counts are
 *     heuristics, the queue is a valid place for a SCHEDULED actor). A copy of
 *     the dispatcher's task that the JDK resubmits after a stack walk is not
 *     dispatched while the dispatcher runs elsewhere (GreenThread, "One queued
 *     copy"), except in the window that section leaves (a carrier descheduled
 *     between its state read and the JDK's): then unmounted() runs beside a
 *     turn, with the same harmless effects as after a resume elsewhere.
 *   next: getAndSet by this thread and by unmounted() (the slot is emptied at
 *     most once per actor); read (volatile) by the ticker's holdsNext, a
 *     snapshot for the waiting-work rule (Dispatchers.heldBack).
 *   Dispatchers.alive holds this dispatcher from the start of call() to its end.
 *   blocked: CAS by unmounted() (false -> true) and this thread (true -> false).
 *   idle: guarded by Dispatchers' idleLock.
 * </pre>
 */
final class Dispatcher implements Callable<Object> {
    /** Count each turn in the actor's dispatches (the snapshot's per-thread count); off only with the
     * benchmarking switch {@code -Dverdant.metrics=false}. */
    private static final boolean COUNT_TURNS = io.verdant.internal.sched.WorkerCounters.ON;
    /**
     * Queue checks before an idle dispatcher parks (about a microsecond): long
     * enough to catch the next message of a producer sending in a loop, short
     * enough not to matter on a carrier with other work. Not measured.
     */
    private static final int IDLE_SPINS = 200;

    final Dispatchers pool;
    private GreenThread<Object> self;
    /** The dispatcher's virtual thread; set before it registers idle for the first time. */
    volatile Thread thread;
    /** The actor whose turn runs now, or null between turns. This thread only (see class comment). */
    private GreenThread<?> acting;
    @SuppressWarnings("unused") private volatile EventActor next;
    @SuppressWarnings("unused") private volatile boolean blocked;
    /** Guarded by pool's idleLock. */
    boolean idle;
    private int chain;

    Dispatcher(Dispatchers pool) {
        this.pool = pool;
    }

    /** The dispatcher of the caller if it is one of {@code pool}'s in a turn, else null. Any thread. */
    static Dispatcher inTurn(Dispatchers pool) {
        Thread t = Thread.currentThread();
        if (t.isVirtual() && t.getUncaughtExceptionHandler() instanceof GreenThread<?> g
                && g.body instanceof Dispatcher d && d.pool == pool && d.acting != null) {
            return d;
        }
        return null;
    }

    /** The caller's dispatcher if it runs a handler now (for Actors.stash and friends), else null. */
    static EventActor actingActor() {
        Thread t = Thread.currentThread();
        if (t.isVirtual() && t.getUncaughtExceptionHandler() instanceof GreenThread<?> g
                && g.body instanceof Dispatcher d && d.acting != null) {
            return (EventActor) d.acting.body;
        }
        return null;
    }

    /** This thread: the green thread current() answers (the actor in a turn, else the dispatcher). */
    GreenThread<?> acting() {
        GreenThread<?> a = acting;
        return a != null ? a : self;
    }

    /** This thread, in a turn: {@code a} runs next; returns the actor it displaced, or null. */
    EventActor pushNext(EventActor a) {
        return getAndSetNext(a);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Object call() {
        // The runtime spawned this body as a GreenThread<Object>; mounted() is that record.
        self = (GreenThread<Object>) GreenThread.mounted();
        thread = Thread.currentThread();
        self.body = this;
        pool.alive(this, true);
        try {
            loop();
        } finally {
            pool.alive(this, false);
        }
        return null;
    }

    /** Any thread (the ticker's probe): an actor waits in this dispatcher's next slot; a snapshot. */
    boolean holdsNext() {
        return next != null;
    }

    private void loop() {
        for (;;) {
            EventActor a = pick();
            if (a == null) {
                if (!awaitWork()) {
                    return;
                }
                continue;
            }
            turn(a);
            if (blocked && casBlocked(true, false)) {
                pool.unblocked();
            }
            Safepoints.poll();
        }
    }

    private EventActor pick() {
        EventActor n = getAndSetNext(null);
        if (n != null) {
            if (++chain <= Dispatchers.CHAIN_LIMIT && !pool.higherQueued(n.owner.priorityLevel())) {
                return n;
            }
            pool.offer(n);
        }
        chain = 0;
        return pool.poll();
    }

    /** No work: park until signalled. False if this dispatcher must end (retire, or the runtime closes). */
    private boolean awaitWork() {
        // A short spin first: a producer sending a stream of messages to idle actors
        // would otherwise pay an unpark (and this dispatcher a park) per message.
        for (int i = 0; i < IDLE_SPINS; i++) {
            if (pool.anyQueued()) {
                return true;
            }
            Thread.onSpinWait();
        }
        // Woken later at the default level, not at the level of the last actor served.
        self.runAt(io.verdant.Priority.NORMAL.level());
        if (!pool.registerIdle(this)) {
            return false;
        }
        if (pool.anyQueued() && pool.leaveIdle(this)) {
            return true;
        }
        for (;;) {
            if (pool.runtime.isClosed()) {
                if (pool.leaveIdle(this)) {
                    pool.exited();
                    return false;
                }
                // A signal() took us: there is work; do it first.
                return true;
            }
            LockSupport.park(this);
            if (!pool.isIdle(this)) {
                return true;
            }
            Thread.interrupted();
        }
    }

    private void turn(EventActor a) {
        GreenThread<Object> g = a.owner;
        Thread me = thread;
        if (COUNT_TURNS) {
            g.dispatches++; // its owner: this dispatcher, until the actor is offered or idle again
        }
        acting = g;
        a.runner = me;
        self.runAt(g.priorityLevel());
        Thread.interrupted();
        int budget = a.throughput;
        boolean ended = false;
        try {
            for (;;) {
                if (a.cancelRequested()) {
                    a.end(null, a.cancellation());
                    ended = true;
                    break;
                }
                if (budget == 0) {
                    break;
                }
                Object m = a.nextMessage();
                if (m == null) {
                    break;
                }
                budget--;
                a.current = m;
                a.currentStashed = false;
                Object s;
                try {
                    s = a.behavior().handle(a.state, m);
                } catch (Throwable t) {
                    a.current = null;
                    a.end(null, t);
                    ended = true;
                    break;
                }
                a.current = null;
                a.state = s;
                if (a.stopRequested) {
                    a.end(s, null);
                    ended = true;
                    break;
                }
            }
        } catch (Throwable internal) {
            // end() itself failed (exit delivery reports its own errors): keep the dispatcher alive.
            pool.runtime.reportInternalError(internal);
            ended = true;
        } finally {
            a.runner = null;
            a.afterTurn();
            Thread.interrupted();
            acting = null;
        }
        if (ended) {
            return;
        }
        if (budget == 0 || a.hasReplay() || a.cancelRequested()) {
            pool.offer(a);
        } else if (!a.cell.idleEvent()) {
            pool.offer(a);
        } else if (a.cancelRequested() && a.cell.claimEvent()) {
            a.end(null, a.cancellation());
        }
    }

    /**
     * The carrier, right after this dispatcher's continuation unmounted (it
     * parked, yielded or ended); see the class comment.
     */
    void unmounted() {
        if (acting == null) {
            return;
        }
        if (!blocked && casBlocked(false, true)) {
            pool.blocked();
        }
        // Every unmount in a turn, not only the first: a handler that parks again in the
        // same turn (a second Green.call, or a call for its next message) may have just put
        // the callee in the next slot; left there it would wait for this parked handler,
        // which waits for the callee's reply (EventActorTest.aHandlerMayCallAnotherActorAndWaitForTheReply).
        EventActor n = getAndSetNext(null);
        if (n != null) {
            pool.offer(n);
        } else if (pool.anyQueued()) {
            pool.signal();
        }
    }

    // ------------------------------------------------------------------ accessors, named by access mode

    /** This dispatcher's thread (push, pick) or its carrier after an unmount (take): atomic, so one side gets the actor. */
    private EventActor getAndSetNext(EventActor a) {
        return (EventActor) NEXT.getAndSet(this, a);
    }

    /** The carrier (unmounted: false -> true) or this dispatcher's thread (true -> false): each pool count changes once. */
    private boolean casBlocked(boolean expect, boolean update) {
        return BLOCKED.compareAndSet(this, expect, update);
    }

    private static final VarHandle NEXT;
    private static final VarHandle BLOCKED;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            NEXT = l.findVarHandle(Dispatcher.class, "next", EventActor.class);
            BLOCKED = l.findVarHandle(Dispatcher.class, "blocked", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
