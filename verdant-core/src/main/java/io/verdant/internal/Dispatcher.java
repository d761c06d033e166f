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
 *   0. if A's priority is worse than this dispatcher's level, it takes A's level
 *      and first yields if better work waits for its carrier (Worker.betterWorkWaits).
 *   1. acting = A (GreenThread.current() now answers A), A.runner = this thread,
 *      run at A's priority; clear a stale interrupt.
 *   2. up to A.throughput messages: check A's cancel flag, take the next message
 *      (stash replay first, then the mailbox), call the behavior. A Throwable
 *      (StackOverflowError included: its frames are above this one) ends A as
 *      failed, after it was given to an uncaught-exception handler the turn
 *      installed on this thread, if any (GreenThread.toReplacedHandler);
 *      Actors.stop() ends it normally with the new state.
 *   3. put back the dispatcher's uncaught-exception handler (its GreenThread,
 *      by which current() finds the actor at no cost; with another handler it
 *      asks the carrier, GreenThread.carriedBy), runner = null, pass a racing cancel
 *      (EventActor.afterTurn), clear the interrupt status, put back the
 *      dispatcher's context class loader (a handler that set one and left it
 *      reached other actors' handlers) and its name (a handler's setName renamed
 *      the thread every later handler there ran on, and the dispatcher in
 *      snapshots and dumps), acting = null (EventActorThreadContextTest, all).
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
    /** The context class loader each turn starts with (the runtime starter's). This thread only. */
    private ClassLoader loader;
    /** The thread name each turn ends with ("verdant-dispatcher"). This thread only. */
    private String name;
    /** The actor whose turn runs now, or null between turns. This thread only (see class comment). */
    private GreenThread<?> acting;
    @SuppressWarnings("unused") private volatile EventActor next;
    @SuppressWarnings("unused") private volatile boolean blocked;
    /** Guarded by pool's idleLock. */
    boolean idle;
    private int chain;

    /**
     * Config.cpuTiming on a carrier-driven runtime: each turn's time on carriers is
     * measured into the actor's run time (as a slice's is into a thread's; a
     * deterministic runtime measures neither). Without it the ticker's samples of
     * the dispatcher are charged to the actor in its turn (GreenThread.chargeTicks).
     */
    private final boolean timeTurns;
    /** With timeTurns: when the turn's current stretch on a carrier began (the turn, or a slice, started). */
    private long mountedAt;
    /** With timeTurns: the turn's time on carriers before that stretch (its handler parked or yielded). */
    private long turnNanos;

    Dispatcher(Dispatchers pool) {
        this.pool = pool;
        this.timeTurns = pool.runtime.cpuTiming && pool.runtime.scheduler != null;
    }

    /** The carrier, with cpuTiming, as it mounts this dispatcher at {@code nanos}: a turn's stretch begins. */
    void mounting(long nanos) {
        mountedAt = nanos;
    }

    /**
     * The carrier, with cpuTiming, as this dispatcher's continuation returned at
     * {@code nanos}, its dispatch still holding the thread's token: a turn's stretch
     * ends (its clock stops while it is parked or queued). Not in {@link #unmounted},
     * which runs after the token's release: another carrier could have mounted the
     * dispatcher, or ended the turn, by then, and the stretch was lost
     * (DispatcherTurnTimingRaceTest). Between turns it adds to nothing read: a turn
     * starts at turnNanos = 0.
     */
    void unmounting(long nanos) {
        if (timeTurns) {
            turnNanos += nanos - mountedAt;
        }
    }

    /** The dispatcher of the caller if it is one of {@code pool}'s in a turn, else null. Any thread. */
    static Dispatcher inTurn(Dispatchers pool) {
        if (GreenThread.mounted() instanceof GreenThread<?> g
                && g.body instanceof Dispatcher d && d.pool == pool && d.acting != null) {
            return d;
        }
        return null;
    }

    /** The caller's dispatcher if it runs a handler now (for Actors.stash and friends), else null. */
    static EventActor actingActor() {
        if (GreenThread.mounted() instanceof GreenThread<?> g && g.body instanceof Dispatcher d && d.acting != null) {
            return (EventActor) d.acting.body;
        }
        return null;
    }

    /** This thread: the green thread current() answers (the actor in a turn, else the dispatcher). */
    GreenThread<?> acting() {
        GreenThread<?> a = acting;
        return a != null ? a : self;
    }

    /** Any thread, a snapshot: the actor whose turn runs now, or null between turns. */
    GreenThread<?> actor() {
        return acting;
    }

    /** This thread, in a turn: {@code a} runs next; returns the actor it displaced, or null. */
    EventActor pushNext(EventActor a) {
        return getAndSetNext(a);
    }

    /**
     * The pool's signal() only, under its idleLock, having just taken this registered
     * idle dispatcher off the idle list, before it unparks it: it will be made
     * runnable at {@code level} (Dispatchers, "Priority of a woken dispatcher").
     * Task.priority may change only while the task is in no queue: it is changed
     * only if the thread is PARKED (no copy of it is queued, and the unpark that
     * follows queues it). Otherwise it runs (between registering idle and parking: the
     * unpark leaves a permit and it never queues for it), or it is blocked on, or
     * runnable for, the pool's idleLock (a copy may be queued); it keeps its level
     * then, as before, and its turn changes it as it starts. A stray unpark landing
     * between the state read and the write (the JDK's late timer of a handler's
     * timed park) queues it at its old level carrying the new one: it still runs from
     * the ring it is in (rings and steals move tasks by ring, and a batch taken from
     * the injection queues is announced by ring: Scheduler.pollInjectedBetween), at
     * worst in another level's order once.
     */
    void wakeAt(int level) {
        if (thread.getState() == Thread.State.WAITING) {
            self.runAt(level);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public Object call() {
        // The runtime spawned this body as a GreenThread<Object>; mounted() is that record.
        self = (GreenThread<Object>) GreenThread.mounted();
        thread = Thread.currentThread();
        loader = thread.getContextClassLoader();
        name = thread.getName();
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

    /**
     * An idle dispatcher's wait reason: it parks with itself as the blocker
     * (awaitWork), which snapshots, dumps and traces render with this (WaitReasons),
     * not as Object's class name and identity hash.
     */
    @Override
    public String toString() {
        return "event actor dispatcher (idle: waits for an actor to run)";
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
        int level = g.priorityLevel();
        if (level > self.priorityLevel()) {
            // Worse than the level this dispatcher was queued or ran at (the last turn's
            // actor, or the best actor queued when it was woken): better work waiting for
            // this carrier runs first, as it would before a thread of this actor's priority.
            self.runAt(level);
            io.verdant.internal.sched.Worker w = io.verdant.internal.sched.Worker.ofCaller();
            if (w != null && w.scheduler() == pool.runtime.scheduler && w.betterWorkWaits(level)) {
                Thread.yield();
            }
        }
        Thread me = thread;
        if (COUNT_TURNS) {
            g.dispatches++; // its owner: this dispatcher, until the actor is offered or idle again
        }
        if (timeTurns) {
            turnNanos = 0;
            mountedAt = io.verdant.internal.timer.Clock.SYSTEM.nanoTime();
        }
        acting = g;
        a.runner = me;
        self.runAt(level);
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
                    if (io.verdant.internal.vthread.VirtualThreads.currentHandler(me) != self
                            && g.toReplacedHandler(me, self, t)) {
                        g.markFailureObserved();
                    }
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
            if (io.verdant.internal.vthread.VirtualThreads.currentHandler(me) != self) {
                me.setUncaughtExceptionHandler(self);
            }
            if (timeTurns) {
                g.runNanos += turnNanos + (io.verdant.internal.timer.Clock.SYSTEM.nanoTime() - mountedAt);
            }
            if (COUNT_TURNS) {
                // Its time waiting counts from here (a snapshot of an idle or queued actor). A
                // deterministic runtime has no ticker to move the coarse clock: the real one there.
                g.lastRanAt = GreenThread.stamp(pool.runtime.det == null ? io.verdant.internal.sched.Ticker.coarseNanos
                        : io.verdant.internal.timer.Clock.SYSTEM.nanoTime());
            }
            a.runner = null;
            a.afterTurn();
            Thread.interrupted();
            if (me.getContextClassLoader() != loader) {
                me.setContextClassLoader(loader);
            }
            // An identity compare: a handler that set no name costs one field read.
            if (me.getName() != name) {
                me.setName(name);
            }
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
            pool.offer(n, false); // on the carrier: no actor ends here, even at close (Dispatchers.offer)
        } else if (pool.anyQueued()) {
            pool.signal(false);
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
