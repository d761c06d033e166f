package io.verdant.internal;

import io.verdant.Pid;
import io.verdant.internal.timer.TimerWheel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The mechanics of {@code io.verdant.SendTimer}: the active/cancelled/done
 * state, the wheel node now armed, firing and re-arming on the ticker.
 * {@code SendTimer} holds the contract (argument checks, the documentation
 * of delivery rules).
 */
public final class SendTimerCore {
    /*
     * Design
     *
     * States (state, CAS only; every CAS is a row)
     *   ACTIVE -> CANCELLED   cancel(), any thread
     *   ACTIVE -> DONE        a one-shot timer fires (claimed before its send,
     *                         so a successful cancel() means it never sent), or a
     *                         periodic one found its addressee dead (the ticker)
     *
     * The armed node (armed)
     *   A timer's nodes form a chain: the creator makes the first, and each
     *   re-arm of a periodic timer makes the next from inside the firing node's
     *   action, on the thread firing it (the ticker), after that node left
     *   PENDING (the wheel's CAS to FIRED precedes the action). So at most one
     *   node of a timer is PENDING at any time, and it is the newest. armed is
     *   the node cancel() will cancel; the thread that made a node installs it
     *   (arm): it reads armed, then reads the node's state, and CASes armed from
     *   what it read to its node, retrying while its node is still PENDING; it
     *   stops once the CAS succeeds or its node has left PENDING (fired, so a
     *   newer node exists or the timer is done; or cancelled). A node still
     *   PENDING is the newest, so an install never puts an older node over a
     *   newer one; and a CAS that fails saw armed move on (nodes are fresh
     *   objects and only PENDING ones are installed, so armed never returns to
     *   a value), so the retry re-reads. A node may fire and re-arm before runAt
     *   has returned it (inline when already due, or on the ticker): the
     *   creator then finds it FIRED and leaves armed to the newer node. (Before:
     *   each arm CASed from the armed node it read before runAt, and gave up if
     *   that failed. When the first node fired on the ticker while its creator
     *   was between runAt and its CAS, and the ticker's re-arm read armed before
     *   the creator's CAS and tried its own after it, the second node was never
     *   installed: cancel() cancelled the fired first node, and the second stayed
     *   armed in the wheel until it fired a period later, sending nothing;
     *   SendTimerCancelRaceTest.)
     *   Versus cancel(): cancel() CASes the state first, then cancels the node
     *   it reads in armed; arm, after installing (or giving up), re-reads the
     *   state and cancels its node itself if the timer was cancelled. Both pairs
     *   of accesses are volatile, so one of the two sides cancels the newest
     *   node.
     *
     * Invariant (cancel)
     *   Once cancel() has returned true and the thread arming a node (if any was
     *   in arm) has left arm, no node of the timer is PENDING: each has fired or
     *   been cancelled, and the wheel unlinks a cancelled node at its next drain
     *   (within a tick; TimerWheel's lazy cancellation) and never runs it. The
     *   arming thread is the ticker in the middle of a firing, which does not
     *   block, so that is at once in practice. A cancelled periodic timer never
     *   sends again after cancel() returns... except a send already in progress
     *   on the ticker when cancel() was called (documented).
     *
     * due
     *   Plain: written by the creator before the first arm (runAt publishes it
     *   to the ticker) and then only by the ticker, in fire().
     */
    private static final int ACTIVE = 0;
    private static final int CANCELLED = 1;
    private static final int DONE = 2;

    private final RuntimeCore runtime;
    private final Pid pid;
    private final Object msg;
    /** Period in nanos; 0 for a one-shot timer. */
    private final long period;
    @SuppressWarnings("unused") private volatile TimerWheel.Timer armed;
    @SuppressWarnings("unused") private volatile int state;
    /** Due time of the node now armed, on the wheel's clock. Ticker (and the creator before arming) only. */
    private long due;

    private SendTimerCore(RuntimeCore runtime, Pid pid, Object msg, long period) {
        this.runtime = runtime;
        this.pid = pid;
        this.msg = msg;
        this.period = period;
    }

    /**
     * Arms a timer on {@code rt}'s wheel (or sends at once for a zero delay, on
     * the caller: the wheel would round up to the next tick). Arguments checked
     * by the caller.
     *
     * @param rt the addressee's runtime, open
     * @param pid the addressee
     * @param msg the message
     * @param delayNanos the delay to the first send, at least 0
     * @param periodNanos the period, or 0 for a one-shot timer
     * @return the armed timer
     */
    public static SendTimerCore start(RuntimeCore rt, Pid pid, Object msg, long delayNanos, long periodNanos) {
        SendTimerCore t = new SendTimerCore(rt, pid, msg, periodNanos);
        long now = rt.timers.clock().nanoTime();
        t.due = saturatedAdd(now, delayNanos);
        if (delayNanos == 0) {
            t.fire();
        } else {
            t.arm();
        }
        return t;
    }

    private void arm() {
        TimerWheel.Timer node = runtime.timers.runAt(due, this::fire);
        io.verdant.internal.sched.Faults.sendTimerArming(); // tests: hold the arming thread here
        // Install the node while it is PENDING, the newest of the chain (see "The armed
        // node"); once it fired (inline, or on the ticker before we got here) a newer
        // node, if any, is its action's to install.
        for (;;) {
            TimerWheel.Timer cur = armedVolatile();
            if (!runtime.timers.isPending(node) || casArmed(cur, node)) {
                break;
            }
        }
        if (stateVolatile() == CANCELLED) {
            runtime.timers.cancel(node);
        }
    }

    /** The wheel's action: on the ticker thread (or on the creator for a zero delay). */
    private void fire() {
        if (period == 0) {
            // Claim first: a cancel() that returns true means the message was never sent,
            // and the addressee never sees the message while the timer still looks active.
            if (casState(ACTIVE, DONE)) {
                RuntimeCore.offer(pid, msg, false); // never waits, never throws for a full mailbox
            }
            return;
        }
        if (stateVolatile() != ACTIVE) {
            return;
        }
        boolean delivered = RuntimeCore.offer(pid, msg, false);
        if (!delivered && runtime.lookup(pid) == null) {
            casState(ACTIVE, DONE);
            return;
        }
        long now = runtime.timers.clock().nanoTime();
        long next = saturatedAdd(due, period);
        if (next <= now) {
            next = saturatedAdd(now, period); // fell behind: skip the missed periods
        }
        due = next;
        arm();
    }

    /**
     * Any thread. Stops the timer (ACTIVE -&gt; CANCELLED) and cancels its node.
     *
     * @return true if this call stopped a timer that was still active (a timer of a
     *         closing or closed runtime is not: it can no longer send)
     */
    public boolean cancel() {
        if (!casState(ACTIVE, CANCELLED)) {
            return false;
        }
        runtime.timers.cancel(armedVolatile());
        return !runtime.isClosed();
    }

    /**
     * Any thread. A snapshot.
     *
     * @return whether the timer may still send: ACTIVE, and its runtime open (a closed
     *         runtime's wheel never fires again, and its threads have ended)
     */
    public boolean isActive() {
        return stateVolatile() == ACTIVE && !runtime.isClosed();
    }

    /**
     * Any thread. A snapshot, for toString.
     *
     * @return "active", "cancelled" or "done"
     */
    public String stateName() {
        return switch (stateVolatile()) {
            case ACTIVE -> runtime.isClosed() ? "done" : "active";
            case CANCELLED -> "cancelled";
            default -> "done";
        };
    }

    /** @return the message sent */
    public Object msg() {
        return msg;
    }

    /** @return the period in nanoseconds, 0 for a one-shot timer */
    public long periodNanos() {
        return period;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    // ------------------------------------------------------------------ accessors, named by access mode

    /** Any thread: the state, volatile (arm() reads it after its CAS of armed, so a cancel between them is seen). */
    private int stateVolatile() {
        return (int) STATE.getVolatile(this);
    }

    /** Any thread: ACTIVE -> DONE (fired) or ACTIVE -> CANCELLED; one wins. */
    private boolean casState(int expect, int update) {
        return STATE.compareAndSet(this, expect, update);
    }

    /** arm() and cancel(): the node now armed, volatile (cancel() reads it after its CAS of state). */
    private TimerWheel.Timer armedVolatile() {
        return (TimerWheel.Timer) ARMED.getVolatile(this);
    }

    /** arm() (the creator, or the ticker re-arming): installs its node if armed is still what it read. */
    private boolean casArmed(TimerWheel.Timer expect, TimerWheel.Timer t) {
        return ARMED.compareAndSet(this, expect, t);
    }

    private static final VarHandle STATE;
    private static final VarHandle ARMED;
    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(SendTimerCore.class, "state", int.class);
            ARMED = MethodHandles.lookup().findVarHandle(SendTimerCore.class, "armed", TimerWheel.Timer.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
