package io.verdant.internal.timer;

import io.verdant.internal.sched.Ticker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A hierarchical timing wheel: the one timer structure of a runtime, behind
 * {@code Green.sleep}, {@code GreenHandle.join(Duration)} and every timed wait
 * of channels, select and the mutex.
 *
 * <pre>
 * Overview (hashed hierarchical wheels after Varghese and Lauck, in the form
 * of tokio's time driver; the lock-free inbox and lazy cancellation after
 * Netty's HashedWheelTimer)
 *   Time is counted in ticks of {@link #TICK_NANOS} since the wheel's origin.
 *   LEVELS levels of SLOTS slots; a slot of level l spans 64^l ticks, so level
 *   0 resolves single ticks and the top level spans 64^6 ticks (2^36 ms, ~795
 *   days). A timer due at tick d while the wheel has processed up to tick
 *   {@code elapsed} lives at the level of the highest 6-bit group in which d
 *   and elapsed differ, in slot (d >> 6*level) & 63. Each slot is an intrusive
 *   doubly linked list; {@code occupied[level]} has bit s set iff slot s is
 *   non-empty.
 *
 * Operations
 *   schedule  any thread, lock-free, O(1) amortised: push the node on the
 *             inbox (a Treiber stack) and wake the ticker if it sleeps. A node
 *             due after the clock's last tick began (its start would pass
 *             Long.MAX_VALUE nanoseconds) can never fire: it stays PENDING
 *             and is never pushed. The push that makes the inbox
 *             PURGE_DEPTH deep (or a multiple of it) purges (see "Memory").
 *   cancel    any thread, lock-free, O(1): CAS the node's state PENDING ->
 *             CANCELLED. A node still in the inbox is simply dropped at the
 *             next drain (most timed waits end long before the next tick, so
 *             their timers never touch the wheel at all); a node already
 *             linked is pushed on the cancelled stack and unlinked, O(1), at
 *             the next drain.
 *   drain     under lock (ticker, or size()): unlink the cancelled stack, link
 *             the inbox's pending nodes at their level and slot, O(1) each; a
 *             node already due (elapsed passed its tick while it sat in the
 *             inbox) is claimed (FIRED) and fired after the lock is released,
 *             with the others (see "Firing").
 *   purge     under lock, by a scheduling thread (see "Memory"): a drain that
 *             claims nothing: a node already due is pushed back on the inbox,
 *             PENDING, before the lock is released, for the ticker's drain to
 *             fire; so every action still runs on the thread driving the wheel.
 *             As a drain's, its taking of the inbox and its linking are one lock
 *             region: any drain sees each node either in the inbox or linked.
 *             Model-checked racing the ticker, cancel() and other purges, with a
 *             purge at every second push (TimerWheelModelCheckTest).
 *   advance   ticker: drain, then process slots in deadline order up to now:
 *             the earliest occupied slot over all levels (one rotate +
 *             numberOfTrailingZeros per level) is taken whole; entries due by
 *             the slot's start fire, the others cascade to a lower level
 *             relative to the new elapsed. A timer cascades at most LEVELS - 1
 *             times per turn of the top level. Timers further out than the top
 *             level spans are linked at the last tick it covers and cascade back
 *             into it, so they fire at their true deadline.
 *
 * Firing (no action stops another, none is lost, every failure is reported)
 *   The claimed nodes of one call (a drain's, then advance's in deadline
 *   order) are chained through next and fired by the calling thread after it
 *   has released the lock, each inside its own try: an action that throws
 *   (an Error such as OutOfMemoryError or StackOverflowError, or a defect)
 *   neither stops the actions after it nor escapes advance(), so the thread
 *   driving the wheel (the ticker, a deterministic runtime's carrier) goes on,
 *   and its throwable goes to the wheel's {@code failures} consumer (the
 *   runtime's reportInternalError: logged off-thread at ERROR). A consumer
 *   that throws in turn is ignored, after which the other actions still run.
 *   Before, a drain fired due inbox nodes under the lock with no guard: a throw
 *   left the rest of the inbox it had taken neither linked nor fired (their
 *   waits never woke), and advance() dropped its actions' throwables unreported
 *   (TimerWheelFailingActionTest). An action scheduled already due fires on
 *   the scheduling thread, inside runAt, and a throw reaches that caller.
 *
 * Timer states (node.state, CAS only; every CAS is a row)
 *   PENDING -> FIRED      drain/advance, under lock (a claim: the action runs
 *                         once the lock is released, see "Firing"); a node
 *                         scheduled already due starts FIRED (a plain store
 *                         before any other thread can see it)
 *   PENDING -> CANCELLED  cancel(), any thread
 *
 * Invariants (under lock)
 *   every linked node has deadline > elapsed and sits at levelFor(deadline);
 *   linked (volatile) is true iff the node is in a slot list, or is being
 *   moved one level down by a cascade (it stays true across the move);
 *   size counts linked nodes (cancelled ones not yet unlinked included).
 *
 * Memory ordering
 *   inbox: volatile CAS on push (it is also the store of the Dekker pair
 *   below), getAndSet on drain; cancelled stack: release CAS on push,
 *   getAndSet on drain. Either way a drained node's fields are visible.
 *   Cancel versus linking: cancel() CASes state (volatile) then reads linked
 *   (volatile); the drain of the inbox sets linked (volatile) then re-reads
 *   state. These four accesses are synchronization actions, totally ordered
 *   consistently with each thread's program order (JLS 17.4.4), so at least
 *   one side sees the other's write: the canceller queues the node, or the
 *   drain unlinks it at once (unlink is idempotent under lock via linked).
 *   A cascade never sets linked to false for a node it re-links, so a cancel
 *   racing a cascade always sees linked and queues the node (issue 10, item 6:
 *   clearing it for the move let a cancel in that window go unqueued, and the
 *   cancelled timer stayed linked until its deadline).
 *
 * Waking the ticker (a Dekker pair, argued under the JMM)
 *   When every worker is idle the ticker sleeps until nanosToNextDeadline().
 *   schedule:  S1 push on inbox (volatile CAS);  S2 read sleeping (volatile),
 *              unpark the ticker if true.
 *   ticker:    T1 sleeping = true (volatile);  T2 drain the inbox (getAndSet,
 *              volatile) and compute the deadline;  T3 park;  T4 sleeping =
 *              false;  T5 advance (drains again).
 *   All four of S1, S2, T1, T2 are synchronization actions, so they appear in
 *   one total order consistent with program order, and a volatile read sees
 *   the last write before it in that order. If T2 comes after S1, the drain
 *   takes the new timer and the park is bounded by its deadline. Otherwise
 *   T1 < T2 < S1 < S2, so S2 sees sleeping = true and unparks (the permit
 *   makes T3 return), or it sees a false written at T4 after T1: then the
 *   ticker has left that park, and its next T1 follows S2 in the order, so the
 *   T2 before its next park drains the timer. A release-only CAS at S1 is not enough: a release store followed
 *   by a load may be reordered (store-load), which is exactly the reordering
 *   a Dekker pair must forbid; on x86 the locked CAS hid this, but the JMM
 *   (and ARM or POWER) does not promise it. The volatile CAS costs nothing
 *   extra on x86 (a locked instruction either way) and one full fence elsewhere.
 *   A backed-off ticker (Ticker, "Backing off") is the same pair with dozeUntil
 *   in place of sleeping: T1 writes dozeUntil (volatile), S2 reads it and
 *   unparks if the new deadline is earlier (a timer due later fires when the
 *   doze ends, within a tick of its deadline); T4 writes Long.MIN_VALUE.
 *
 * Memory
 *   one {@link Timer} node (48 bytes with compressed oops) per armed wait,
 *   unreachable after it fires or its cancellation is drained: within a tick
 *   while the runtime works, but the ticker of an idle runtime drains only when
 *   it wakes, at the earliest armed deadline (or when work or a new timer wakes
 *   it). So cancel() clears the node's target as soon as it wins the CAS: a
 *   cancelled node still in the inbox or linked keeps neither the waiting thread
 *   nor an action and what it captured (a SendTimer's message), only its own 48
 *   bytes, until the drain. Before, a SendTimer cancelled from a platform thread
 *   while its runtime slept kept its message for as long as the delay it was
 *   armed with (CancelledTimerRetainsNothingTest). The nodes awaiting a drain
 *   are bounded by the cancels since the last drain. A real-time runtime drains
 *   at every tick while it works, and a new timer wakes a sleeping ticker
 *   (wakeForTimer), which then drains both stacks: a platform thread arming
 *   and cancelling a million hour-long timers in an idle runtime leaves at
 *   most the last one (IdleWheelCancelledNodesTest). A deterministic runtime
 *   drains only when every green thread waits (DetScheduler.idle): a thread
 *   that armed and cancelled timers without ever letting the runtime go quiet
 *   (a timed receive answered at once, in a ping-pong; a sendAfter cancelled
 *   in a loop) left every node in the inbox: 47 MB after a million cancelled
 *   sendAfter, 76 MB after a million rounds of a ping-pong. So the pushes count
 *   the inbox's depth (Timer.depth, exact: a drain takes the whole stack) and
 *   the push that makes it a multiple of PURGE_DEPTH purges: the cancelled
 *   nodes are dropped, the cancelled stack unlinked, the pending nodes linked.
 *   The wheel then holds fewer than PURGE_DEPTH nodes in its inbox, besides
 *   the armed timers and the nodes it had linked that were cancelled since
 *   the last purge; one lock and a walk of PURGE_DEPTH nodes every PURGE_DEPTH
 *   pushes. A real-time ticker purges nothing while it keeps up; one that a
 *   loaded machine runs late no longer lets its inbox grow with the delay (up
 *   to 3,727 nodes were seen awaiting its drain in an idle runtime).
 *   The wheel itself is LEVELS x SLOTS references (a few KB).
 * </pre>
 */
public final class TimerWheel implements Ticker.Clockwork {
    /** The ticker's period ({@link Ticker#TICK_NANOS}, defined once there): a
     * timeout fires within about a tick after its deadline (never before it). */
    public static final long TICK_NANOS = Ticker.TICK_NANOS;
    static final int LEVEL_BITS = 6;
    static final int SLOTS = 1 << LEVEL_BITS;
    static final int LEVELS = 6;
    /** Largest tick distance representable: one full turn of the top level, minus one. */
    static final long MAX_TICKS = (1L << (LEVEL_BITS * LEVELS)) - 1;
    /** The inbox depth at which (and at each multiple of which) a push purges the wheel
     * (see "Memory"): about 48 KB of nodes awaiting a drain, for one lock and a walk of
     * as many nodes, amortised O(1) a push. Not tuned: a power of two (the test is a
     * mask), small against a heap, large enough that a purge is rare beside a ticker. */
    static final int PURGE_DEPTH = 1024;

    static final int PENDING = 0;
    static final int FIRED = 1;
    static final int CANCELLED = 2;

    private final Clock clock;
    private final long origin;
    /** The last tick the clock can reach: the one whose start is at most Long.MAX_VALUE nanoseconds (see schedule). */
    private final long lastTick;
    /** Called with a new timer's deadline (this wheel's clock) after its push (Ticker.wakeForTimer). */
    private final java.util.function.LongConsumer wakeTicker;
    /** Given what a fired action threw (see "Firing"): RuntimeCore.reportInternalError. */
    private final java.util.function.Consumer<Throwable> failures;
    /** PURGE_DEPTH - 1, or a model check's smaller depth less one (the package-private
     * constructor): a push purges when its depth has these bits clear. */
    private final int purgeMask;
    private final Object lock = new Object();
    private final Timer[][] slots = new Timer[LEVELS][SLOTS];
    private final long[] occupied = new long[LEVELS];
    /** Last tick processed; guarded by lock. */
    private long elapsed;
    /** Number of linked timers; guarded by lock. */
    private int size;
    /** Timers scheduled since the last drain: any thread pushes (volatile CAS, the store
     * of the ticker Dekker pair), drained under lock (getAndSet). */
    @SuppressWarnings("unused") private volatile Timer inbox;
    /** Timers cancelled while linked: any thread pushes, drained under lock. */
    @SuppressWarnings("unused") private volatile Timer cancelled;
    /** Tests only (null otherwise): runs under the lock for each timer a cascade is
     * about to re-link one level down, so a test can land a cancel() in that window. */
    java.util.function.Consumer<Timer> cascadeHook;

    /**
     * @param clock      the time source
     * @param wakeTicker called after a schedule with the timer's deadline in
     *                   nanoseconds of {@code clock}; wakes the ticker if it is
     *                   asleep (or dozes past the deadline) so it re-reads the
     *                   next deadline
     * @param failures   given each throwable a fired action throws (on the
     *                   thread firing it; see "Firing"); should not throw
     */
    public TimerWheel(Clock clock, java.util.function.LongConsumer wakeTicker,
                      java.util.function.Consumer<Throwable> failures) {
        this(clock, wakeTicker, failures, PURGE_DEPTH);
    }

    /**
     * Tests only: a wheel that purges at every {@code purgeDepth} pushes instead of
     * {@link #PURGE_DEPTH}, so a model check can race purges with a handful of timers.
     *
     * @param purgeDepth a power of two, at least 1 (1: every push purges)
     */
    TimerWheel(Clock clock, java.util.function.LongConsumer wakeTicker,
               java.util.function.Consumer<Throwable> failures, int purgeDepth) {
        if (purgeDepth < 1 || Integer.bitCount(purgeDepth) != 1) {
            throw new IllegalArgumentException("purgeDepth must be a power of two, not " + purgeDepth);
        }
        this.purgeMask = purgeDepth - 1;
        this.clock = clock;
        this.origin = clock.nanoTime();
        this.lastTick = Long.divideUnsigned(Long.MAX_VALUE - origin, TICK_NANOS); // exact even for a negative origin
        this.wakeTicker = wakeTicker;
        this.failures = java.util.Objects.requireNonNull(failures, "failures");
    }

    public Clock clock() {
        return clock;
    }

    /** A timer node: fires by unparking {@code thread}, or by running {@code action}. */
    public static final class Timer {
        final long deadlineTick;
        /** The thread to unpark or the action to run. Plain: written at construction
         * (published with the node by the inbox CAS) and cleared by the one cancel()
         * that wins PENDING -> CANCELLED; read only by fire(), after its thread won
         * PENDING -> FIRED. The two CASes exclude each other, so the read and the
         * clearing never race (see "Memory"). */
        Object target;
        /** Slot-list links (under lock); {@code next} is also the inbox link before the drain. */
        Timer prev;
        Timer next;
        /** Link in the cancelled stack. */
        Timer cancelNext;
        /** Nodes in the inbox from this one down, itself included, when it was pushed
         * (see "Memory"), or put back by a purge. Plain: written by its pusher (or the
         * purge) before the CAS that publishes it, read by a later pusher after an
         * acquire read of the inbox's head. */
        int depth;
        byte level;
        byte slot;
        @SuppressWarnings("unused") volatile int state;
        volatile boolean linked;

        Timer(long deadlineTick, Object target) {
            this.deadlineTick = deadlineTick;
            this.target = target;
        }

        /** The ticker firing (PENDING -> FIRED) or any thread cancelling (PENDING -> CANCELLED): one wins (volatile CAS). */
        boolean casState(int expect, int update) {
            return STATE.compareAndSet(this, expect, update);
        }

        void fire() {
            if (target instanceof Thread t) {
                LockSupport.unpark(t);
            } else {
                ((Runnable) target).run();
            }
        }
    }

    // ------------------------------------------------------------------ schedule / cancel (any thread)

    /**
     * Any thread. Arms a timer that unparks {@code thread} at or after
     * {@code deadlineNanos} (this wheel's clock). A deadline already reached
     * unparks at once (and returns a fired node).
     */
    public Timer wakeAt(long deadlineNanos, Thread thread) {
        return schedule(deadlineNanos, thread);
    }

    /**
     * Any thread. Arms a timer that runs {@code action} on the ticker thread at
     * or after {@code deadlineNanos}. The action must be short and must not block.
     * A deadline already reached runs it at once, on the caller (whom a throw
     * reaches); later, a throw is reported, never propagated (see "Firing").
     */
    public Timer runAt(long deadlineNanos, Runnable action) {
        return schedule(deadlineNanos, action);
    }

    private Timer schedule(long deadlineNanos, Object target) {
        long tick = ceilTick(deadlineNanos);
        Timer t = new Timer(tick, target);
        if (tick <= nowTick()) {
            t.state = FIRED;
            t.fire();
            return t;
        }
        if (tick > lastTick) {
            // Due after the clock's last tick began (a "never" saturated to near Long.MAX_VALUE):
            // it can never fire, so it stays PENDING off the wheel. Linked, its tick's start
            // overflowed nanosToNextDeadline, which then asked for a pass every nanosecond: a
            // deterministic runtime moved its clock 1 ns at a time for ever
            // (UnreachableDeadlineDeterministicTest).
            return t;
        }
        Timer head;
        do {
            head = inboxAcquire();
            t.next = head;
            t.depth = head == null ? 1 : head.depth + 1;
        } while (!weakCasInbox(head, t)); // volatile: the Dekker store (see "Waking the ticker")
        wakeTicker.accept(deadlineNanos); // as asked (the tick's start could overflow for a far deadline)
        if ((t.depth & purgeMask) == 0) {
            purge();
        }
        return t;
    }

    /**
     * Any thread that scheduled, from schedule: unlinks the cancelled stack, drops the
     * inbox's cancelled nodes and links its pending ones; a node already due goes back
     * on the inbox, still PENDING and before the lock is released, for the ticker to
     * claim and fire (see "purge" and "Memory").
     */
    private void purge() {
        synchronized (lock) {
            Timer due = drainLocked(false);
            if (due != null) {
                int count = 1;
                Timer tail = due;
                while (tail.next != null) {
                    tail = tail.next;
                    count++;
                }
                Timer head;
                do {
                    head = inboxAcquire();
                    tail.next = head;
                    // Their depths on the inbox they go back on, as a push's: the depth a node
                    // had when first pushed (up to PURGE_DEPTH - 1) made every later push purge
                    // until the next drain (TimerWheelPurgeTest). Published by the CAS.
                    int depth = (head == null ? 0 : head.depth) + count;
                    for (Timer x = due; x != tail.next; x = x.next) {
                        x.depth = depth--;
                    }
                } while (!weakCasInbox(head, due));
            }
        }
    }

    /** Any thread, lock-free. Disarms {@code t}; true if it had not fired. Idempotent; null is ignored. */
    public boolean cancel(Timer t) {
        if (t == null || !t.casState(PENDING, CANCELLED)) {
            return false;
        }
        t.target = null; // it will never fire: keep nothing of the waiter until the drain (see "Memory")
        if (t.linked) {
            Timer head;
            do {
                head = cancelledOpaque();
                t.cancelNext = head;
            } while (!weakCasCancelledRelease(head, t));
        }
        return true;
    }

    /** Any thread: true while {@code t} has neither fired nor been cancelled (volatile read). */
    public boolean isPending(Timer t) {
        return t.state == PENDING;
    }

    /** Any thread: true once {@code t} has fired. */
    public boolean isFired(Timer t) {
        return t.state == FIRED;
    }

    /** Timers armed and neither fired nor cancelled; a snapshot (drains, under the lock, and fires what the drain found due). */
    public int size() {
        Timer due;
        int n;
        synchronized (lock) {
            due = drainLocked();
            n = size;
        }
        fireAll(due);
        return n;
    }

    /**
     * Tests only, any thread: the timer nodes this wheel references now, without
     * draining: the linked ones (cancelled ones not yet unlinked included), those
     * in the inbox, and those on the cancelled stack that are no longer linked.
     * Under the lock, so no drain runs meanwhile (pushes only prepend).
     */
    int nodesHeld() {
        synchronized (lock) {
            int n = size;
            for (Timer t = (Timer) INBOX.getVolatile(this); t != null; t = t.next) {
                n++;
            }
            for (Timer t = (Timer) CANCELLED_STACK.getVolatile(this); t != null; t = t.cancelNext) {
                if (!t.linked) {
                    n++;
                }
            }
            return n;
        }
    }

    // ------------------------------------------------------------------ advance (ticker)

    /**
     * Ticker thread only (or a deterministic driver). Fires every timer whose
     * deadline tick has been reached, in deadline order, after releasing the lock.
     * Never throws for an action: every due action runs, and what one throws is
     * reported (see "Firing").
     */
    @Override
    public void advance() {
        long now = nowTick();
        Timer early;
        Timer due = null;
        Timer dueTail = null;
        synchronized (lock) {
            early = drainLocked();
            while (size > 0) {
                int level = -1;
                int slot = -1;
                long slotStart = Long.MAX_VALUE;
                for (int l = 0; l < LEVELS; l++) {
                    if (occupied[l] == 0) {
                        continue;
                    }
                    long start = nextOccupiedStartLocked(l);
                    if (start < slotStart) {
                        slotStart = start;
                        level = l;
                        slot = (int) ((start >>> (LEVEL_BITS * l)) & (SLOTS - 1));
                    }
                }
                if (level < 0 || slotStart > now) {
                    break;
                }
                if (slotStart > elapsed) {
                    elapsed = slotStart;
                }
                Timer head = slots[level][slot];
                slots[level][slot] = null;
                occupied[level] &= ~(1L << slot);
                for (Timer t = head; t != null; ) {
                    Timer next = t.next;
                    t.prev = null;
                    t.next = null;
                    size--;
                    if (t.deadlineTick > elapsed && t.state == PENDING) {
                        // Cascade: linked stays true while the node moves down a level,
                        // so a cancel() landing now queues it and the next drain unlinks it.
                        if (cascadeHook != null) {
                            cascadeHook.accept(t);
                        }
                        link(t);
                    } else {
                        t.linked = false;
                        if (t.deadlineTick <= elapsed && t.casState(PENDING, FIRED)) {
                            if (dueTail == null) {
                                due = t;
                            } else {
                                dueTail.next = t;
                            }
                            dueTail = t;
                        }
                    }
                    t = next;
                }
            }
            if (now > elapsed) {
                elapsed = now;
            }
        }
        fireAll(early);
        fireAll(due);
    }

    /**
     * The thread that claimed them, without the lock: fires the chain {@code due}
     * (linked through next), each in its own try (see "Firing").
     */
    private void fireAll(Timer due) {
        while (due != null) {
            Timer next = due.next;
            due.next = null;
            try {
                due.fire();
            } catch (Throwable t) {
                try {
                    failures.accept(t);
                } catch (Throwable ignored) {
                    // The report itself failed (an OutOfMemoryError while logging): nothing
                    // left to tell; the actions after this one still run.
                }
            }
            due = next;
        }
    }

    /**
     * Ticker thread. Nanoseconds until the earliest armed timer is due (at
     * least 1), or -1 if none is armed.
     */
    @Override
    public long nanosToNextDeadline() {
        Timer due;
        long wait;
        synchronized (lock) {
            due = drainLocked();
            if (size == 0) {
                wait = -1;
            } else {
                long best = Long.MAX_VALUE;
                for (int l = 0; l < LEVELS; l++) {
                    if (occupied[l] != 0) {
                        best = Math.min(best, nextOccupiedStartLocked(l));
                    }
                }
                long dueNanos = origin + best * TICK_NANOS;
                wait = Math.max(1L, dueNanos - clock.nanoTime());
            }
        }
        fireAll(due);
        return wait;
    }

    // ------------------------------------------------------------------ internals (under lock)

    /**
     * The tick at which the first occupied slot of {@code level} at or after
     * {@code elapsed} begins (level must have an occupied slot). Its slot index
     * is {@code (start >>> (LEVEL_BITS * level)) & (SLOTS - 1)}.
     */
    private long nextOccupiedStartLocked(int level) {
        long occ = occupied[level];
        int shift = LEVEL_BITS * level;
        int nowSlot = (int) ((elapsed >>> shift) & (SLOTS - 1));
        int s = (Long.numberOfTrailingZeros(Long.rotateRight(occ, nowSlot)) + nowSlot) & (SLOTS - 1);
        long levelRange = 1L << (shift + LEVEL_BITS);
        long start = (elapsed & ~(levelRange - 1)) + ((long) s << shift);
        if (start < elapsed) {
            // The slot is behind elapsed in this turn: it holds the next turn's timers.
            start += levelRange;
        }
        return start;
    }

    /**
     * Unlinks cancelled timers, then links the inbox's pending ones; claims the
     * already due (PENDING -> FIRED) and returns them, chained through next in
     * inbox order, for the caller to fire once it has released the lock (see
     * "Firing"). Runs no action.
     */
    private Timer drainLocked() {
        return drainLocked(true);
    }

    /**
     * {@link #drainLocked()}; with {@code claim} false, the already due are left
     * PENDING (a purge's, which pushes them back on the inbox).
     */
    private Timer drainLocked(boolean claim) {
        Timer due = null;
        Timer dueTail = null;
        Timer c = getAndSetCancelled(null);
        while (c != null) {
            Timer nextC = c.cancelNext;
            c.cancelNext = null;
            if (c.linked) {
                unlink(c);
            }
            c = nextC;
        }
        Timer t = getAndSetInbox(null);
        while (t != null) {
            Timer nextT = t.next;
            t.next = null;
            if (t.state == PENDING) {
                if (t.deadlineTick <= elapsed) {
                    if (!claim || t.casState(PENDING, FIRED)) {
                        if (dueTail == null) {
                            due = t;
                        } else {
                            dueTail.next = t;
                        }
                        dueTail = t;
                    }
                } else {
                    link(t);
                    if (t.state != PENDING) {
                        // Cancelled between our read and linked = true: its canceller may not have queued it.
                        unlink(t);
                    }
                }
            }
            t = nextT;
        }
        return due;
    }

    private void link(Timer t) {
        long tick = Math.min(t.deadlineTick, elapsed + MAX_TICKS);
        long masked = (tick ^ elapsed) | (SLOTS - 1);
        int significant = 63 - Long.numberOfLeadingZeros(masked);
        int level = Math.min(significant / LEVEL_BITS, LEVELS - 1);
        int slot = (int) ((tick >>> (LEVEL_BITS * level)) & (SLOTS - 1));
        Timer head = slots[level][slot];
        t.next = head;
        t.prev = null;
        if (head != null) {
            head.prev = t;
        }
        slots[level][slot] = t;
        occupied[level] |= 1L << slot;
        t.level = (byte) level;
        t.slot = (byte) slot;
        t.linked = true;
        size++;
    }

    private void unlink(Timer t) {
        if (!t.linked) {
            return;
        }
        int level = t.level;
        int slot = t.slot;
        if (t.prev != null) {
            t.prev.next = t.next;
        } else {
            slots[level][slot] = t.next;
            if (t.next == null) {
                occupied[level] &= ~(1L << slot);
            }
        }
        if (t.next != null) {
            t.next.prev = t.prev;
        }
        t.prev = null;
        t.next = null;
        t.linked = false;
        size--;
    }

    private long nowTick() {
        return Math.floorDiv(clock.nanoTime() - origin, TICK_NANOS);
    }

    /**
     * The first tick at or after {@code nanos}: a timer never fires early. Saturating:
     * a deadline near Long.MAX_VALUE (a "never" delay, saturated by its caller) once
     * overflowed the subtraction or the rounding to a negative tick, which schedule
     * took for due, so it fired at once (TimerWheelFarDeadlineTest).
     */
    private long ceilTick(long nanos) {
        long d = nanos - origin;
        if (((nanos ^ origin) & (nanos ^ d)) < 0) { // the subtraction overflowed
            d = nanos > origin ? Long.MAX_VALUE : 0;
        }
        return d <= 0 ? 0 : d / TICK_NANOS + (d % TICK_NANOS != 0 ? 1 : 0);
    }

    // ------------------------------------------------------------------ accessors, named by access mode

    /** Any thread pushing: the head to link below its node; the CAS that follows validates it.
     * Acquire, for the head's depth (written before the CAS that published it); a plain
     * load on x86. */
    private Timer inboxAcquire() {
        return (Timer) INBOX.getAcquire(this);
    }

    /** Any thread pushing: volatile (weak) CAS, the store of the Dekker pair in "Waking the ticker". */
    private boolean weakCasInbox(Timer expect, Timer t) {
        return INBOX.weakCompareAndSet(this, expect, t);
    }

    /** The ticker (drain): takes the whole inbox, volatile (the ticker's side of the Dekker pair). */
    private Timer getAndSetInbox(Timer t) {
        return (Timer) INBOX.getAndSet(this, t);
    }

    /** Any thread cancelling a linked timer: the head to link below it; opaque, the CAS validates it. */
    private Timer cancelledOpaque() {
        return (Timer) CANCELLED_STACK.getOpaque(this);
    }

    /** Any thread cancelling: release publishes the node's cancelNext to the ticker's getAndSet. */
    private boolean weakCasCancelledRelease(Timer expect, Timer t) {
        return CANCELLED_STACK.weakCompareAndSetRelease(this, expect, t);
    }

    /** The ticker (drain): takes the whole cancelled stack. */
    private Timer getAndSetCancelled(Timer t) {
        return (Timer) CANCELLED_STACK.getAndSet(this, t);
    }

    private static final VarHandle INBOX;
    private static final VarHandle CANCELLED_STACK;
    private static final VarHandle STATE;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            INBOX = l.findVarHandle(TimerWheel.class, "inbox", Timer.class);
            CANCELLED_STACK = l.findVarHandle(TimerWheel.class, "cancelled", Timer.class);
            STATE = l.findVarHandle(Timer.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
