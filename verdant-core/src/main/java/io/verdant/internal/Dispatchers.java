package io.verdant.internal;

import io.verdant.CancelToken;
import io.verdant.Priority;
import io.verdant.internal.sched.Scheduler;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The event-actor dispatch of one runtime: the queues of runnable event
 * actors and the pool of {@link Dispatcher} green threads that run them.
 * Created on the runtime's first event actor.
 *
 * <pre>
 * Where a runnable actor goes (schedule, after its CAS IDLE -> SCHEDULED won)
 *   made runnable inside a handler (the caller is a dispatcher in a turn)
 *       -> that dispatcher's next slot: it runs right after the current turn,
 *          on the same carrier, with no queue in between (a ping-pong or a ring
 *          is a chain of method calls). The actor the slot held moves to the
 *          shared queue. After CHAIN_LIMIT consecutive next-slot turns, or when
 *          a higher-priority actor is queued, the slot's actor goes to the
 *          shared queue instead (fairness, priorities).
 *   anything else (a green thread, a platform thread, a throughput-exhausted
 *   actor, a next slot given up) -> the shared queue of its priority, then signal().
 *   The next slot is private while its dispatcher runs; when the dispatcher's
 *   continuation unmounts inside a handler (it parked or yielded), the slot is
 *   emptied into the shared queue (Dispatcher.unmounted) so a blocked handler
 *   never holds another actor back. A handler that runs on after filling the
 *   slot: the scheduler's ticker counts a full slot as waiting work (heldBack),
 *   so the time slice asks the handler to yield, which empties the slot.
 *
 * Shared queues: one lock-free MPMC queue per priority level; dispatchers take
 *   the highest non-empty level first. Sharing between carriers: dispatchers
 *   are green threads, so the scheduler's own work stealing spreads them over
 *   the carriers, and every dispatcher takes from the shared queues.
 *
 * Pool of dispatchers (counts are heuristics for growth; each change is
 *   matched by its reverse, so they converge)
 *   total     dispatchers alive; at most workers + 1 + MAX_BLOCKED.
 *   running   dispatchers neither idle nor known to be parked in a handler.
 *   idle      dispatchers parked waiting for work (a stack under idleLock).
 *   signal(): after publishing to a shared queue: pop an idle dispatcher and
 *     unpark it; else, if running <= workers, start a new one. One more than
 *     workers may run: when every carrier is busy in long handlers, the extra
 *     dispatcher is runnable green-thread work that the ticker sees, so it
 *     asks the long handler to yield at its next safepoint.
 *   A dispatcher whose handler parks (Dispatcher.unmounted) stops counting as
 *     running and signals if actors are queued: another dispatcher is woken or
 *     started at once, so other actors keep running.
 *   Idle: a dispatcher that finds no work retires if total > workers, else
 *     (1) registers in idle under idleLock, (2) re-checks the queues,
 *     (3) parks. signal()'s offer-then-read of idleCount and (1)/(2) are a
 *     Dekker pair over volatile accesses: either the producer sees the idle
 *     dispatcher, or the dispatcher sees the actor. A retiring one leaves
 *     total and running, then re-checks the queues and signals if an actor
 *     waits: the same pair over running (a signal() that read it before the
 *     decrement may have started nobody, counting the retiring dispatcher as
 *     one that would poll).
 *
 * Priority of a woken dispatcher: an idle dispatcher parks at NORMAL; signal()
 *   makes it runnable (Dispatcher.wakeAt), and starts a new one, at the level of
 *   the best actor queued then, so the carrier queues it as it would queue that
 *   actor were it a green thread: a CRITICAL actor's turn does not wait behind
 *   NORMAL threads queued there, a LOW one's does (EventActorPriorityTest). Its
 *   turn then runs at its actor's level (Dispatcher.turn).
 *
 * Shutdown: the runtime cancels every green thread, dispatchers included.
 *   Idle dispatchers leave when the runtime is closing and the queues are empty;
 *   busy ones finish their queued actors (which end at once: they are cancelled
 *   too) first. An actor can still be queued with no dispatcher to run it: a
 *   message made it runnable after close began and before close cancelled it,
 *   when no dispatcher was alive (none ever started, or the idle ones had left)
 *   and close refused to start one; its cancellation, finding it queued and not
 *   idle, left it to a dispatcher that never came, and close waited its whole
 *   shutdown timeout, then abandoned it (EventActorQueuedAtCloseTest). So once
 *   close has cancelled every thread, its canceller ends the actors still
 *   queued (endQueuedAtClose): each is cancelled, so a dispatcher would only
 *   have ended it. A cancelled actor never goes back to IDLE (a turn's end
 *   claims it back, EventActor), so none is queued later but by a live
 *   dispatcher, which polls it itself, or by a send whose IDLE -> SCHEDULED
 *   won before the cancel's claim and which had not yet offered the actor
 *   when the canceller's endQueuedAtClose looked (EventActorOfferedAtCloseTest):
 *   its signal() then finds no dispatcher and cannot start one (the runtime is
 *   closing), so that sender ends the cancelled actors queued itself
 *   (startDispatcher). Its offer and the canceller's cancel, each followed by a
 *   volatile read of the other's write (the actor's cancel flag; the queue),
 *   are a Dekker pair: either the canceller's poll finds the actor, or the
 *   sender finds it cancelled. An actor found not cancelled yet goes back to
 *   the queue unsignalled (a signal would come back here) and is re-read: the
 *   canceller, whose cancel comes after, polls it later.
 *
 * Threads: schedule, offer, signal: any thread. poll: dispatchers (and close's
 *   canceller, endQueuedAtClose, and a thread whose start of a dispatcher the
 *   closing runtime refused, but not a carrier's unmount hook: offer(a, false)).
 * </pre>
 */
final class Dispatchers {
    /**
     * Dispatchers allowed beyond workers + 1, for handlers parked at the same
     * time. A bound, not a target: beyond it runnable actors wait for a handler
     * to return. 256 parked dispatchers cost about 256 small stacks; not measured.
     */
    static final int MAX_BLOCKED = 256;
    /** Consecutive next-slot turns before the shared queue is looked at (fairness; not measured). */
    static final int CHAIN_LIMIT = 64;

    final RuntimeCore runtime;
    /** The runtime's carriers: Config.workers(), or 1 in a deterministic runtime (its one carrier). */
    final int workers;
    private final int maxDispatchers;
    private final ConcurrentLinkedQueue<EventActor>[] queues;
    /** Dispatchers are registered here for cancellation, never under whoever started them. */
    private final CancelToken token = CancelToken.create();
    private final Object idleLock = new Object();
    /** Guarded by idleLock. */
    private final ArrayDeque<Dispatcher> idle = new ArrayDeque<>();
    /** Dispatchers alive, for the scheduler's probe of next slots (heldBack). */
    private final Set<Dispatcher> alive = ConcurrentHashMap.newKeySet();
    @SuppressWarnings("unused") private volatile int idleCount;
    @SuppressWarnings("unused") private volatile int total;
    @SuppressWarnings("unused") private volatile int running;
    @SuppressWarnings("unused") private volatile long started;

    @SuppressWarnings("unchecked")
    Dispatchers(RuntimeCore runtime, int workers) {
        this.runtime = runtime;
        this.workers = workers;
        this.maxDispatchers = workers + 1 + MAX_BLOCKED;
        this.queues = (ConcurrentLinkedQueue<EventActor>[]) new ConcurrentLinkedQueue<?>[Scheduler.LEVELS];
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new ConcurrentLinkedQueue<>();
        }
        if (runtime.scheduler != null) {
            runtime.scheduler.heldBackWork(this::heldBack);
        }
    }

    /** A dispatcher starts (true) or ends (false) running. */
    void alive(Dispatcher d, boolean on) {
        if (on) {
            alive.add(d);
        } else {
            alive.remove(d);
        }
    }

    /**
     * The ticker: some actor waits in the next slot of a dispatcher. Seen as waiting
     * work, it gets a handler that runs on after making it runnable asked to yield
     * at its next safepoint; the yield moves the slot to the shared queue
     * (Dispatcher.unmounted). Otherwise nobody would see it until the handler
     * returns (EventActorNextSlotStarvationTest). A snapshot.
     */
    private boolean heldBack() {
        for (Dispatcher d : alive) {
            if (d.holdsNext()) {
                return true;
            }
        }
        return false;
    }

    /** Any thread: {@code a} won IDLE -> SCHEDULED; run it (see the class comment). */
    void schedule(EventActor a) {
        Dispatcher d = Dispatcher.inTurn(this);
        if (d != null) {
            EventActor displaced = d.pushNext(a);
            if (displaced == null) {
                return;
            }
            a = displaced;
        }
        offer(a);
    }

    /** Any thread: {@code a} goes to the back of its level's shared queue. */
    void offer(EventActor a) {
        offer(a, true);
    }

    /**
     * {@link #offer(EventActor)}; {@code mayEnd} false for a carrier's unmount hook
     * (Dispatcher.unmounted), which must not run actors' ends (their exit signals and
     * callbacks) if the closing runtime refuses to start a dispatcher: the parked
     * dispatcher it runs for polls the queues itself once its handler returns.
     */
    void offer(EventActor a, boolean mayEnd) {
        io.verdant.internal.sched.Faults.eventActorOffering();
        queues[a.owner.priorityLevel()].offer(a);
        signal(mayEnd);
    }

    /**
     * Close's canceller, once every green thread of the runtime is cancelled: ends
     * the actors still queued ("Shutdown" in the class comment). Polling one makes
     * it this thread's, as it makes it a dispatcher's; each ends as its turn would
     * (its cancellation, or the link failure that caused it), its callbacks run
     * here, as those of an idle actor close cancels run on its canceller. Also
     * called by a thread whose start of a dispatcher the closing runtime refused
     * (startDispatcher), for an actor it queued after the canceller looked. One not
     * cancelled (close has not reached it yet) goes back to the queue, unsignalled:
     * if it is cancelled by then, it is polled again; otherwise the canceller, which
     * cancels it later and then looks, finds it ("Shutdown" in the class comment).
     */
    void endQueuedAtClose() {
        for (;;) {
            java.util.List<EventActor> notCancelled = null;
            for (EventActor a; (a = poll()) != null; ) {
                if (!a.cancelRequested()) {
                    if (notCancelled == null) {
                        notCancelled = new java.util.ArrayList<>();
                    }
                    notCancelled.add(a);
                    continue;
                }
                try {
                    a.end(null, a.cancellation());
                } catch (Throwable t) {
                    runtime.reportInternalError(t); // its end reports its own errors: a defect, keep on
                }
            }
            if (notCancelled == null) {
                return;
            }
            boolean cancelledSince = false;
            for (EventActor a : notCancelled) {
                queues[a.owner.priorityLevel()].offer(a);
            }
            for (EventActor a : notCancelled) {
                cancelledSince |= a.cancelRequested();
            }
            if (!cancelledSince) {
                return;
            }
        }
    }

    /** Dispatchers: the oldest actor of the highest non-empty level, or null. */
    EventActor poll() {
        for (ConcurrentLinkedQueue<EventActor> q : queues) {
            EventActor a = q.poll();
            if (a != null) {
                return a;
            }
        }
        return null;
    }

    /** Any thread: an actor of a level above {@code level} is queued. */
    boolean higherQueued(int level) {
        for (int l = 0; l < level; l++) {
            if (!queues[l].isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Any thread: some actor is queued. */
    boolean anyQueued() {
        return higherQueued(queues.length);
    }

    /** Any thread, after publishing work: wake or start a dispatcher (class comment). */
    void signal() {
        signal(true);
    }

    /** {@link #signal()}; {@code mayEnd} as for {@link #offer(EventActor, boolean)}. */
    void signal(boolean mayEnd) {
        if (idleCount != 0) {
            Dispatcher d;
            synchronized (idleLock) {
                d = idle.pollLast();
                if (d != null) {
                    d.idle = false;
                    idleCount = idleCount - 1;
                    getAndAddRunning(1);
                    d.wakeAt(bestQueuedLevel());
                }
            }
            if (d != null) {
                LockSupport.unpark(d.thread);
                return;
            }
        }
        if (running <= workers) {
            startDispatcher(bestQueuedLevel(), mayEnd);
        }
    }

    /** Any thread: the level of the best queued actor, or NORMAL's if none is (see "Priority of a woken dispatcher"). */
    private int bestQueuedLevel() {
        for (int l = 0; l < queues.length; l++) {
            if (!queues[l].isEmpty()) {
                return l;
            }
        }
        return Priority.NORMAL.level();
    }

    private void startDispatcher(int level, boolean mayEnd) {
        int t;
        do {
            t = total;
            if (t >= maxDispatchers) {
                return;
            }
        } while (!casTotal(t, t + 1));
        getAndAddRunning(1);
        getAndAddStarted(1L);
        try {
            runtime.spawn(new Dispatcher(this), "verdant-dispatcher", Priority.values()[level], token, null);
        } catch (Throwable closedOrFailed) {
            // Closing (IllegalStateException) or out of memory: the dispatchers alive go on.
            getAndAddTotal(-1);
            getAndAddRunning(-1);
            if (mayEnd && runtime.isClosed()) {
                // An actor this caller queued after close's canceller looked may be left to
                // nobody: the cancelled ones queued end here ("Shutdown" in the class comment).
                endQueuedAtClose();
            }
        }
    }

    /** A dispatcher found no work; false if it must retire now instead of parking. */
    boolean registerIdle(Dispatcher d) {
        int t = total;
        if (t > workers && casTotal(t, t - 1)) {
            io.verdant.internal.sched.Faults.dispatcherRetiring();
            getAndAddRunning(-1);
            // Retiring ("Idle", retire): an actor offered since this dispatcher last looked
            // may have had its signal() count it running and start none; with the others
            // parked in handlers, nobody ran it (DispatcherRetireRaceTest). Looked for again
            // after leaving the count, as an idle one looks after registering.
            if (anyQueued()) {
                signal();
            }
            return false;
        }
        synchronized (idleLock) {
            d.idle = true;
            idle.addLast(d);
            idleCount = idleCount + 1;
            getAndAddRunning(-1);
        }
        return true;
    }

    /** A registered dispatcher takes itself out of idle; false if a signal() already did (and unparks it). */
    boolean leaveIdle(Dispatcher d) {
        synchronized (idleLock) {
            if (!d.idle) {
                return false;
            }
            d.idle = false;
            idle.remove(d);
            idleCount = idleCount - 1;
            getAndAddRunning(1);
            return true;
        }
    }

    /** True while the dispatcher is registered idle (no signal() took it). */
    boolean isIdle(Dispatcher d) {
        synchronized (idleLock) {
            return d.idle;
        }
    }

    /** A dispatcher leaves for good (closing); it was counted running. */
    void exited() {
        getAndAddTotal(-1);
        getAndAddRunning(-1);
    }

    /** A dispatcher's handler parked (or yielded): it no longer counts as running. */
    void blocked() {
        getAndAddRunning(-1);
    }

    /** A dispatcher counted blocked returned from its handler. */
    void unblocked() {
        getAndAddRunning(1);
    }

    /** Dispatchers alive now; a snapshot (tests, diagnostics). */
    int dispatchers() {
        return total;
    }

    /** Dispatchers ever started; a snapshot (tests, diagnostics). */
    long dispatchersStarted() {
        return started;
    }

    // ------------------------------------------------------------------ accessors, named by access mode

    /** Any thread (a dispatcher, a signaller, the closer): counts running dispatchers up or down, atomically. */
    private void getAndAddRunning(int d) {
        RUNNING.getAndAdd(this, d);
    }

    /** A dispatcher leaving, or a start that failed: one fewer alive. */
    private void getAndAddTotal(int d) {
        TOTAL.getAndAdd(this, d);
    }

    /** A starter (t -> t + 1, bounded by maxDispatchers) or a dispatcher retiring (t -> t - 1, above workers). */
    private boolean casTotal(int expect, int update) {
        return TOTAL.compareAndSet(this, expect, update);
    }

    /** A starter: a statistics counter (atomic so none is lost). */
    private void getAndAddStarted(long d) {
        STARTED.getAndAdd(this, d);
    }

    private static final VarHandle TOTAL;
    private static final VarHandle RUNNING;
    private static final VarHandle STARTED;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TOTAL = l.findVarHandle(Dispatchers.class, "total", int.class);
            RUNNING = l.findVarHandle(Dispatchers.class, "running", int.class);
            STARTED = l.findVarHandle(Dispatchers.class, "started", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
