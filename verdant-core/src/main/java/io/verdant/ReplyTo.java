package io.verdant;

import io.verdant.internal.ActorCell;
import io.verdant.internal.Deadline;
import io.verdant.internal.ExitListener;
import io.verdant.internal.GreenThread;
import io.verdant.internal.MailboxBound;
import io.verdant.internal.RuntimeCore;
import io.verdant.internal.Waits;
import io.verdant.internal.timer.TimerWheel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.concurrent.locks.LockSupport;

/**
 * The reply address of one request–reply {@linkplain Green#call call}: the
 * caller puts it in its request message, the callee answers through it once
 * (Erlang's {@code From} of {@code gen_server:call}, Pekko's {@code replyTo}
 * of {@code ask}).
 *
 * <pre>{@code
 * record Get(String key, ReplyTo<Integer> replyTo) {}
 * // caller:
 * int v = Green.call(cache, (ReplyTo<Integer> r) -> new Get("x", r), Duration.ofSeconds(1));
 * // callee:
 * if (Green.receive() instanceof Get(String key, ReplyTo<Integer> replyTo)) replyTo.reply(map.get(key));
 * }</pre>
 *
 * The reply never enters the caller's mailbox: it is handed to the waiting
 * caller directly, so it cannot be confused with other messages, and a reply
 * that comes after the call timed out or was cancelled is dropped (counted as a
 * dead letter of the callee's runtime), never left behind. Each {@code ReplyTo}
 * belongs to one call and answers it once; it may be passed on (a callee may
 * forward the request to a worker that replies). Any thread may reply.
 *
 * @param <R> the type of the reply
 */
public final class ReplyTo<R> {
    /*
     * Design
     *
     * Overview
     *   A one-shot slot, the caller's thread parked on it. The caller also
     *   watches the callee (ActorCell.watch: an ExitListener in its monitor
     *   list), so the callee's end completes the slot too.
     *
     * States (state, CAS only except the one release store; every write is a row)
     *   WAITING -> REPLIED     reply(), any thread: claims the slot
     *   REPLIED -> DONE        the same replier, after writing value (setRelease)
     *   WAITING -> EXITED      the callee ended (its completion runs the listener),
     *                          reason written before the CAS
     *   WAITING -> ABANDONED   the caller gave up (timeout, cancellation)
     *   Exactly one CAS out of WAITING wins, so a call ends exactly one way, and
     *   a reply after ABANDONED (or a second reply) finds the slot taken: it is
     *   dropped and reported as a dead letter.
     *
     * Memory ordering
     *   value is written by the replier between its CAS and its releasing store
     *   of DONE; reason by the (single) exit listener before its CAS. The caller
     *   reads them after an acquiring read of state that saw DONE or EXITED.
     *   A caller that sees REPLIED spins: the replier is two stores from DONE.
     *
     * Blocking and wake-up
     *   The caller parks with Waits.park (a timer on its runtime's wheel if it is
     *   green, parkNanos otherwise) and re-reads state after every wake-up; the
     *   winner unparks it after its final store. Checks cancellation and the
     *   deadline each round, as every Verdant wait does.
     */
    private static final int WAITING = 0;
    private static final int REPLIED = 1;
    private static final int DONE = 2;
    private static final int EXITED = 3;
    private static final int ABANDONED = 4;

    private final Thread caller;
    private final Pid callerPid;
    private final Pid callee;
    private final RuntimeCore runtime;
    @SuppressWarnings("unused") private volatile int state;
    private Object value;
    private Throwable reason;
    private final ExitListener onExit = this::calleeExited;

    private ReplyTo(Pid callee, RuntimeCore runtime) {
        this.caller = Thread.currentThread();
        GreenThread<?> g = GreenThread.current();
        this.callerPid = g == null ? null : g.pid();
        this.callee = callee;
        this.runtime = runtime;
    }

    /**
     * Any thread. Answers the call: the caller returns {@code value}. Only the
     * first reply counts.
     *
     * @param value the reply (may be null, for example for a {@code ReplyTo<Void>})
     * @return true if the caller was still waiting and gets it; false if the call
     *         had already ended (timed out, cancelled, answered, or the caller
     *         gave up) — the reply is then dropped and counted as a dead letter
     */
    public boolean reply(R value) {
        if (!casState(WAITING, REPLIED)) {
            if (value != null) {
                runtime.deadLetter(callerPid == null ? callee : callerPid, value);
            }
            return false;
        }
        this.value = value;
        setStateRelease(DONE);
        LockSupport.unpark(caller);
        return true;
    }

    /**
     * Any thread. True while the caller is still waiting for a reply (a
     * snapshot: it may give up right after).
     *
     * @return whether a reply now would be delivered
     */
    public boolean isWaiting() {
        return stateAcquire() == WAITING;
    }

    private void calleeExited(Signal.Down down) {
        Throwable why = down.failure();
        if (stateOpaque() != WAITING) {
            return;
        }
        reason = why;
        if (casState(WAITING, EXITED)) {
            LockSupport.unpark(caller);
        }
    }

    @Override
    public String toString() {
        return "ReplyTo[" + (callerPid == null ? caller.getName() : callerPid) + " <- " + callee + "]";
    }

    // ------------------------------------------------------------------ the caller's side

    /**
     * Any thread. The request–reply call behind {@link Green#call} and {@link Ref#call}.
     */
    static <R> R call(Pid pid, Function<? super ReplyTo<R>, ?> request, Duration timeout, String what) {
        Objects.requireNonNull(pid, "pid");
        Objects.requireNonNull(request, "request");
        long nanos = RuntimeCore.toNanos(timeout, "timeout");
        Waits.enter(what);
        RuntimeCore rt = RuntimeCore.of(pid);
        GreenThread<?> target = rt == null ? null : rt.lookup(pid);
        if (target == null) {
            throw new CalleeExitedException(pid, new NoSuchGreenThreadException(pid));
        }
        if (target == GreenThread.current()) {
            throw new IllegalStateException(what + ": a green thread cannot call itself (it would wait for its own reply): " + pid);
        }
        ReplyTo<R> slot = new ReplyTo<>(pid, rt);
        Object msg = Objects.requireNonNull(request.apply(slot), "the request function returned null");
        ActorCell.watch(target, slot.onExit);
        try {
            if (!RuntimeCore.send(pid, msg) && !target.isDone()) {
                // Alive, but its bounded mailbox dropped the request (DROP_NEWEST): no reply will come.
                slot.casState(WAITING, ABANDONED);
                MailboxBound b = ActorCell.of(target).boundOrNull();
                throw new MailboxFullException(pid, b == null ? 0 : b.capacity(), what + ": the request was dropped");
            }
            return slot.await(nanos, what);
        } finally {
            ActorCell.unwatch(target, slot.onExit);
        }
    }

    @SuppressWarnings("unchecked")
    private R await(long nanos, String what) {
        Deadline deadline = Deadline.after(nanos);
        TimerWheel.Timer timer = null;
        try {
            for (;;) {
                int s = stateAcquire();
                if (s == DONE) {
                    return (R) value;
                }
                if (s == EXITED) {
                    throw new CalleeExitedException(callee, reason);
                }
                if (s == REPLIED) {
                    Thread.onSpinWait(); // the replier is between its CAS and its release store
                    continue;
                }
                boolean cancelled = Waits.cancelled();
                if (cancelled || deadline.expired()) {
                    if (casState(WAITING, ABANDONED)) {
                        throw cancelled ? Waits.cancelledException(what)
                                : new TimedOutException(what + ": no reply from " + callee + " within " + Duration.ofNanos(nanos));
                    }
                    continue;
                }
                timer = Waits.park(this, deadline, timer);
            }
        } finally {
            Waits.disarm(timer);
        }
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

    /** Any thread: the one transition out of WAITING (reply, callee exit, abandon). */
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
            STATE = MethodHandles.lookup().findVarHandle(ReplyTo.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
