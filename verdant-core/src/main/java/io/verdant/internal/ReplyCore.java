package io.verdant.internal;

import io.verdant.internal.timer.TimerWheel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The one-shot reply slot behind {@code io.verdant.ReplyTo}: the state
 * machine that decides how a request–reply call ends, and the caller's wait
 * on it. {@code ReplyTo} holds the contract (argument checks, watching the
 * callee, dead letters, which exception the call throws).
 */
public final class ReplyCore implements AbandonedWaits {
    /*
     * Design
     *
     * Overview
     *   A one-shot slot, the caller's thread parked on it. The caller also
     *   watches the callee (ActorCell.watch, done by ReplyTo), so the callee's
     *   end completes the slot too (calleeExited).
     *
     * States (state, CAS only except the one release store; every write is a row)
     *   WAITING -> REPLIED     reply(), any thread: claims the slot
     *   REPLIED -> DONE        the same replier, after writing value (setRelease)
     *   WAITING -> EXITED      the callee ended (its completion runs the listener),
     *                          reason written before the CAS
     *   WAITING -> ABANDONED   the caller gave up (timeout, cancellation, a
     *                          request refused on sending: abandon()), or the
     *                          close of its runtime abandoned it (dropAbandoned)
     *   WAITING -> DROPPED     the callee's DROP_OLDEST mailbox dropped the
     *                          request before the callee took it (the callee's
     *                          trim, through MailboxBound: requestDropped())
     *   Exactly one CAS out of WAITING wins, so a call ends exactly one way, and
     *   a reply after ABANDONED (or a second reply) finds the slot taken: reply()
     *   returns false and ReplyTo reports the value as a dead letter.
     *
     * Who writes which field
     *   state   any thread, by the table above
     *   value   the replier that won WAITING -> REPLIED, before its release of DONE
     *   reason  the exit listener (it runs once, on the callee's completion),
     *           before its CAS to EXITED
     *   caller  final: the thread that made the call, the only one that awaits
     *
     * Memory ordering
     *   value is written by the replier between its CAS and its releasing store
     *   of DONE; reason by the (single) exit listener before its CAS. The caller
     *   reads them after an acquiring read of state that saw DONE or EXITED.
     *   A caller that sees REPLIED spins: the replier is two stores from DONE.
     *
     * Blocking and wake-up
     *   The caller parks with Waits.park (a timer on its runtime's wheel if it is
     *   green, parkNanos otherwise), with ReplyTo as the blocker, and re-reads
     *   state after every wake-up; the winner unparks it after its final store.
     *   Checks cancellation and the deadline each round, as every Verdant wait does.
     */
    private static final int WAITING = 0;
    private static final int REPLIED = 1;
    private static final int DONE = 2;
    private static final int EXITED = 3;
    private static final int ABANDONED = 4;
    private static final int DROPPED = 5;

    /** How {@link #await} ended. */
    public enum Outcome {
        /** A reply arrived: {@link #value()} holds it. */
        REPLIED,
        /** The callee ended first: {@link #reason()} says why. */
        EXITED,
        /** The deadline passed; the slot is abandoned. */
        TIMED_OUT,
        /** The caller was cancelled or interrupted; the slot is abandoned. */
        CANCELLED,
        /** The callee's mailbox dropped the request (DROP_OLDEST): no reply can come. */
        DROPPED
    }

    private final Thread caller;
    @SuppressWarnings("unused") private volatile int state;
    private Object value;
    private Throwable reason;

    /** A waiting slot whose caller is the current thread. */
    public ReplyCore() {
        this.caller = Thread.currentThread();
    }

    /**
     * Any thread. Claims the slot and hands {@code v} to the caller.
     *
     * @param v the reply (may be null)
     * @return true if the caller was still waiting and gets it; false if the
     *         call had already ended (the reply is not delivered)
     */
    public boolean reply(Object v) {
        if (!casState(WAITING, REPLIED)) {
            return false;
        }
        this.value = v;
        setStateRelease(DONE);
        LockSupport.unpark(caller);
        return true;
    }

    /**
     * Any thread. A snapshot: whether a reply now would be delivered.
     *
     * @return true while the slot is WAITING
     */
    public boolean isWaiting() {
        return stateAcquire() == WAITING;
    }

    /**
     * The exit listener (once, on the callee's completion): ends the call with
     * {@code why} unless it already ended.
     *
     * @param why the callee's failure, or null if it ended normally
     */
    public void calleeExited(Throwable why) {
        if (stateOpaque() != WAITING) {
            return;
        }
        reason = why;
        if (casState(WAITING, EXITED)) {
            LockSupport.unpark(caller);
        }
    }

    /**
     * The callee's owner thread, dropping the request of this call from its
     * DROP_OLDEST mailbox (MailboxBound): ends the call unless it already ended,
     * and wakes the caller. Never blocks.
     */
    public void requestDropped() {
        if (casState(WAITING, DROPPED)) {
            LockSupport.unpark(caller);
        }
    }

    /**
     * Close of the caller's runtime, which abandoned the caller {@code t} while it
     * waited here: WAITING -&gt; ABANDONED, so a later reply is refused (and
     * dead-lettered) rather than reported delivered to a thread that never runs.
     * Any thread.
     */
    @Override
    public void dropAbandoned(Thread t) {
        if (t == caller) {
            casState(WAITING, ABANDONED);
        }
    }

    /**
     * The caller, when its request could not be delivered: WAITING -&gt; ABANDONED,
     * so a late reply is dropped.
     */
    public void abandon() {
        casState(WAITING, ABANDONED);
    }

    /**
     * The caller only. Waits until the call ends: a reply, the callee's exit,
     * the drop of its request by the callee's mailbox, the deadline, or the
     * caller's cancellation (the last two abandon the slot, as does an error
     * thrown by the wait, a StackOverflowError in its park).
     *
     * @param blocker the object waited on (LockSupport's blocker)
     * @param deadline the call's deadline, made when it started
     * @return how the call ended
     */
    public Outcome await(Object blocker, Deadline deadline) {
        TimerWheel.Timer timer = null;
        try {
            for (;;) {
                int s = stateAcquire();
                if (s == DONE) {
                    return Outcome.REPLIED;
                }
                if (s == EXITED) {
                    return Outcome.EXITED;
                }
                if (s == DROPPED) {
                    return Outcome.DROPPED;
                }
                if (s == ABANDONED) {
                    return Outcome.CANCELLED; // by the close that abandoned this caller (dropAbandoned)
                }
                if (s == REPLIED) {
                    Thread.onSpinWait(); // the replier is between its CAS and its release store
                    continue;
                }
                boolean cancelled = Waits.cancelled();
                if (cancelled || deadline.expired()) {
                    if (casState(WAITING, ABANDONED)) {
                        return cancelled ? Outcome.CANCELLED : Outcome.TIMED_OUT;
                    }
                    continue;
                }
                timer = Waits.park(blocker, deadline, timer);
            }
        } catch (Throwable t) {
            // A StackOverflowError in the park: the call ends here, so a later reply is
            // refused (and dead-lettered) rather than delivered to a caller that is gone.
            casState(WAITING, ABANDONED);
            throw t;
        } finally {
            Waits.disarm(timer);
        }
    }

    /**
     * The caller, after {@link #await} returned {@link Outcome#REPLIED}.
     *
     * @return the reply
     */
    public Object value() {
        return value;
    }

    /**
     * The caller, after {@link #await} returned {@link Outcome#EXITED}.
     *
     * @return the callee's failure, or null if it ended normally
     */
    public Throwable reason() {
        return reason;
    }

    // ------------------------------------------------------------------ accessors, named by access mode

    /** Any thread: the state with acquire, pairing with the replier's release of DONE (the value is published). */
    private int stateAcquire() {
        return (int) STATE.getAcquire(this);
    }

    /** Any thread: a fast check whose outcome a CAS confirms. */
    private int stateOpaque() {
        return (int) STATE.getOpaque(this);
    }

    /** Any thread: the one transition out of WAITING (reply, callee exit, abandon, drop). */
    private boolean casState(int expect, int update) {
        return STATE.compareAndSet(this, expect, update);
    }

    /** The replier, after its CAS to REPLIED and writing the value: publishes it. */
    private void setStateRelease(int s) {
        STATE.setRelease(this, s);
    }

    private static final VarHandle STATE;
    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ReplyCore.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
