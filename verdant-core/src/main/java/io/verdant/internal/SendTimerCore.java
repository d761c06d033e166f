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
     * The current wheel node (armed)
     *   Written by the thread that arms: the creator (first node) and then the
     *   ticker (each re-arm of a periodic timer, from inside the firing node's
     *   action), by CAS from the node it replaces: a node may fire (and re-arm)
     *   before runAt has returned it, and the older node must not overwrite the
     *   newer. cancel() CASes the state first, then cancels the node it reads;
     *   a re-arm writes the new node, then re-reads the state and cancels the
     *   node itself if the timer was cancelled meanwhile. Both accesses are
     *   volatile, so one of the two sides cancels the fresh node: a cancelled
     *   periodic timer never sends again after cancel() returns... except a send
     *   already in progress on the ticker when cancel() was called (documented).
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
        TimerWheel.Timer prev = armedVolatile();
        TimerWheel.Timer node = runtime.timers.runAt(due, this::fire);
        // If the node already fired and its action re-armed (inline when due at once, or on
        // the ticker before we got here), armed moved on from prev: keep the newer node.
        casArmed(prev, node);
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
     * @return true if this call stopped a timer that was still active
     */
    public boolean cancel() {
        if (!casState(ACTIVE, CANCELLED)) {
            return false;
        }
        runtime.timers.cancel(armedVolatile());
        return true;
    }

    /**
     * Any thread. A snapshot.
     *
     * @return whether the timer may still send
     */
    public boolean isActive() {
        return stateVolatile() == ACTIVE;
    }

    /**
     * Any thread. A snapshot, for toString.
     *
     * @return "active", "cancelled" or "done"
     */
    public String stateName() {
        return switch (stateVolatile()) {
            case ACTIVE -> "active";
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

    /** arm() (the creator, or the ticker re-arming): installs the new node unless a re-arm already moved armed on. */
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
