package io.verdant;

import io.verdant.internal.RuntimeCore;
import io.verdant.internal.timer.TimerWheel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * A message scheduled for later delivery to a pid, once
 * ({@link Green#sendAfter}) or periodically ({@link Green#sendEvery}), on the
 * runtime's timer wheel (Erlang's {@code erlang:send_after}, Pekko's timers).
 * Cancel it with {@link #cancel()}.
 *
 * <ul>
 * <li>The message is sent as by {@link Green#send}, from the runtime's ticker
 *     thread, at or after its due time (within about a millisecond; never
 *     early). A timer send never waits: to a full bounded mailbox it behaves
 *     as {@link Mailbox.Overflow#DROP_NEWEST} whatever the mailbox's policy
 *     (the message becomes a dead letter).</li>
 * <li>If the addressee is not alive when the timer fires, the message is a
 *     dead letter and the timer stops (a periodic timer too: as in Erlang, a
 *     timer to a pid dies with it).</li>
 * <li>Periodic timers run at a fixed rate from the first due time; if the
 *     ticker falls more than a period behind (a paused process), the missed
 *     sends are skipped, not sent in a burst.</li>
 * </ul>
 * All methods may be called from any thread.
 */
public final class SendTimer {
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
     */
    private static final int ACTIVE = 0;
    private static final int CANCELLED = 1;
    private static final int DONE = 2;

    private final RuntimeCore runtime;
    private final Pid pid;
    private final Object msg;
    /** Period in nanos; 0 for a one-shot timer. */
    private final long period;
    private volatile TimerWheel.Timer armed;
    @SuppressWarnings("unused") private volatile int state;
    /** Due time of the node now armed, on the wheel's clock. Ticker (and the creator before arming) only. */
    private long due;

    private SendTimer(RuntimeCore runtime, Pid pid, Object msg, long period) {
        this.runtime = runtime;
        this.pid = pid;
        this.msg = msg;
        this.period = period;
    }

    /** Arms a timer; the runtime is the pid's. */
    static SendTimer start(Pid pid, Object msg, long delayNanos, long periodNanos) {
        Objects.requireNonNull(pid, "pid");
        Objects.requireNonNull(msg, "msg");
        RuntimeCore rt = RuntimeCore.of(pid);
        if (rt == null || rt.isClosed()) {
            throw new IllegalStateException("the runtime of " + pid + " is closed: cannot schedule a send to it");
        }
        SendTimer t = new SendTimer(rt, pid, msg, periodNanos);
        long now = rt.timers.clock().nanoTime();
        t.due = saturatedAdd(now, delayNanos);
        if (delayNanos == 0) {
            t.fire(); // at once, on the caller (the wheel would round up to the next tick)
        } else {
            t.arm();
        }
        return t;
    }

    private void arm() {
        TimerWheel.Timer prev = armed;
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
     * Stops the timer: a one-shot timer that has not fired never sends; a
     * periodic one sends no more (a send already under way on the ticker at
     * this moment may still arrive). Idempotent.
     *
     * @return true if this call stopped a timer that was still active; false if
     *         it had already fired (one-shot), stopped because its addressee
     *         was dead, or been cancelled
     */
    public boolean cancel() {
        if (!casState(ACTIVE, CANCELLED)) {
            return false;
        }
        runtime.timers.cancel(armed);
        return true;
    }

    /**
     * True while the timer may still send: not cancelled, not fired (one-shot),
     * addressee not found dead.
     *
     * @return whether the timer is still active (a snapshot)
     */
    public boolean isActive() {
        return stateVolatile() == ACTIVE;
    }

    /**
     * The addressee.
     *
     * @return the pid the timer sends to
     */
    public Pid pid() {
        return pid;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    @Override
    public String toString() {
        return "SendTimer[" + msg.getClass().getSimpleName() + " -> " + pid
                + (period == 0 ? "" : ", every " + java.time.Duration.ofNanos(period))
                + ", " + switch (stateVolatile()) {
                    case ACTIVE -> "active";
                    case CANCELLED -> "cancelled";
                    default -> "done";
                } + "]";
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

    /** arm() (the creator, or the ticker re-arming): installs the new node unless a re-arm already moved armed on. */
    private boolean casArmed(TimerWheel.Timer expect, TimerWheel.Timer t) {
        return ARMED.compareAndSet(this, expect, t);
    }

    private static final VarHandle STATE;
    private static final VarHandle ARMED;
    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(SendTimer.class, "state", int.class);
            ARMED = MethodHandles.lookup().findVarHandle(SendTimer.class, "armed", TimerWheel.Timer.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
