package io.verdant;

import io.verdant.internal.AbandonedWaits;
import io.verdant.internal.ActorCell;
import io.verdant.internal.CallWait;
import io.verdant.internal.Deadline;
import io.verdant.internal.ExitListener;
import io.verdant.internal.GreenThread;
import io.verdant.internal.MailboxBound;
import io.verdant.internal.ReplyCore;
import io.verdant.internal.RuntimeCore;
import io.verdant.internal.Waits;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

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
 * dead letter of the callee's runtime, unless it is {@code null}: see
 * {@link #reply}), never left behind. Each {@code ReplyTo}
 * belongs to one call and answers it once; it may be passed on (a callee may
 * forward the request to a worker that replies). Any thread may reply.
 *
 * <p>Memory consistency effects: actions in a thread prior to a
 * {@link #reply} that returns true happen-before actions subsequent to the
 * return of the call that gets the reply.
 *
 * @param <R> the type of the reply
 */
public final class ReplyTo<R> {
    /*
     * Design
     *   The state machine of the slot (WAITING, REPLIED, DONE, EXITED,
     *   ABANDONED, DROPPED), its memory ordering and the caller's wait live in
     *   internal.ReplyCore. This class holds the contract: argument checks,
     *   watching the callee, registering the request with a bounded mailbox
     *   that may drop it once queued (MailboxBound, "Dropped call requests";
     *   for the whole call, so its end forgets it), dead letters for late
     *   replies, and which exception each ending of the call throws.
     *
     * A caller abandoned by its runtime's close
     *   It never runs again, so never reaches call()'s finally: the close (any
     *   thread, through the blocker: AbandonedWaits) ends the call and forgets it
     *   as that finally would, unwatching the callee and taking the request out
     *   of a DROP_OLDEST mailbox's calls in flight. Else a long-lived callee of
     *   another runtime kept one exit listener (and the dead caller's thread)
     *   per abandoned call until it ended (AbandonedCallerForgottenTest). Both
     *   removals are idempotent, so a caller that runs after all (see
     *   AbandonedWaits) forgets nothing twice. inFlight is volatile and written
     *   before the caller parks; a close that read null forgets nothing. A
     *   caller abandoned while its request waits for room in a full BLOCK
     *   mailbox is parked on the mailbox, not here: the bound ends the call
     *   through the same path (MailboxBound.callSending).
     *
     * What snapshots and dumps show of a waiting caller
     *   Its park blocker is this ReplyTo; WaitReasons.waitedOn maps it to
     *   onAbandoned, a CallWait: the reason "Green.call <1.4.0> 'db'" and, while
     *   the slot is WAITING, the callee as the thread waited for, so a call
     *   cycle (A calls B, B calls A; longer, or mixed with mutex and join waits)
     *   is flagged as a deadlock. A slot no longer WAITING (replied, ended) is
     *   no wait: the caller is about to run. Read only by the observer (one
     *   volatile read of inFlight, one acquire of the slot's state); the caller
     *   writes nothing more for it. A callee that handed the ReplyTo on to
     *   another thread to reply is still the one named (the wait cannot know).
     */
    private final Thread caller;
    private final Pid callerPid;
    private final Pid callee;
    private final RuntimeCore runtime;
    private final ReplyCore core = new ReplyCore();
    private final ExitListener onExit = this::calleeExited;
    /** The park blocker's stand-in for the close and for wait reasons (WaitReasons.waitedOn). */
    private final Waiting onAbandoned = new Waiting();
    /** The operation, for the wait reason: "Green.call" or "Ref.call". */
    private final String what;
    /** What call() must undo when the call ends; null until the callee is watched. */
    private volatile InFlight inFlight;

    /** The callee watched and, with a DROP_OLDEST mailbox ({@code bound} not null), the request remembered. */
    private record InFlight(GreenThread<?> target, Object msg, MailboxBound bound) {
    }

    static {
        // A caller its runtime's close abandons while it waits here: close ends the call (ReplyCore.dropAbandoned)
        // and forgets it (see "A caller abandoned by its runtime's close").
        io.verdant.internal.obs.WaitReasons.registerReplyTo(ReplyTo.class, r -> ((ReplyTo<?>) r).onAbandoned);
    }

    private ReplyTo(Pid callee, RuntimeCore runtime, String what) {
        this.what = what;
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
     *         gave up) — the reply is then dropped and counted as a dead letter,
     *         except a {@code null} reply: it is no message (dead-letter handlers
     *         never see null), so it is dropped uncounted, and only this
     *         {@code false} says it came late
     */
    public boolean reply(R value) {
        if (!core.reply(value)) {
            if (value != null) {
                runtime.deadLetter(callerPid == null ? callee : callerPid, value, io.verdant.internal.DeadLetters.LATE_REPLY);
            }
            return false;
        }
        return true;
    }

    /**
     * Any thread. True while the caller is still waiting for a reply (a
     * snapshot: it may give up right after).
     *
     * @return whether a reply now would be delivered
     */
    public boolean isWaiting() {
        return core.isWaiting();
    }

    private void calleeExited(Signal.Down down) {
        core.calleeExited(down.failure());
    }

    /** The close of the caller's runtime, which abandoned {@code t} parked here. Any thread. */
    private void callerAbandoned(Thread t) {
        core.dropAbandoned(t);
        if (t == caller) {
            forget();
        }
    }

    /**
     * What the caller parked here waits for: the close ends its call through it
     * (AbandonedWaits), snapshots and dumps name the callee through it (CallWait:
     * "Green.call &lt;1.4.0&gt; 'db'", and the callee as the thread waited for while
     * the slot still waits). Nothing is written for it: the caller's park blocker
     * (this ReplyTo, set by the park itself and cleared after it) is the
     * descriptor, and inFlight, volatile, is written before the caller parks.
     */
    private final class Waiting implements AbandonedWaits, CallWait {
        @Override
        public void dropAbandoned(Thread t) {
            callerAbandoned(t);
        }

        @Override
        public GreenThread<?> awaitedCallee() {
            InFlight f = inFlight;
            return f != null && core.isWaiting() ? f.target() : null;
        }

        @Override
        public String callReason() {
            InFlight f = inFlight;
            return what + " " + (f == null ? callee.toString() : io.verdant.internal.obs.WaitReasons.describe(f.target()));
        }
    }

    /** The call has ended: the callee is no longer watched, the request no longer remembered. Idempotent. */
    private void forget() {
        InFlight f = inFlight;
        if (f != null) {
            if (f.bound() != null) {
                f.bound().callEnded(f.msg(), core);
            }
            ActorCell.unwatch(f.target(), onExit);
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
        // One deadline for the whole call: a wait for room in a full BLOCK mailbox counts.
        Deadline deadline = Deadline.after(nanos);
        RuntimeCore rt = RuntimeCore.of(pid);
        GreenThread<?> target = rt == null ? null : rt.lookup(pid);
        if (target == null) {
            throw new CalleeExitedException(pid, new NoSuchGreenThreadException(pid));
        }
        if (target == GreenThread.current()) {
            throw new IllegalStateException(what + ": a green thread cannot call itself (it would wait for its own reply): " + pid);
        }
        ReplyTo<R> slot = new ReplyTo<>(pid, rt, what);
        Object msg = Objects.requireNonNull(request.apply(slot), "the request function returned null");
        ActorCell.watch(target, slot.onExit);
        // The bound is in place before the target could be looked up (RuntimeCore.create).
        MailboxBound b = ActorCell.of(target).boundOrNull();
        if (b != null) {
            b.callStarted(msg, slot.core); // a DROP_OLDEST mailbox may drop the request once queued
        }
        slot.inFlight = new InFlight(target, msg, b);
        try {
            boolean sent;
            if (b != null) {
                b.callSending(slot.onAbandoned); // a close abandoning this caller while it waits for room ends the call
            }
            try {
                sent = RuntimeCore.send(pid, msg, deadline);
            } catch (TimedOutException noRoom) {
                throw new TimedOutException(what + ": no reply from " + pid + " within " + Duration.ofNanos(nanos)
                        + ": " + noRoom.getMessage() + " (the request was not sent)");
            } finally {
                if (b != null) {
                    b.callSent();
                }
            }
            if (!sent && rt.lookup(pid) != null) {
                // Alive, but its bounded mailbox dropped the request (DROP_NEWEST): no reply will come.
                // Alive as its pid looks it up, not only by its status: an ending callee empties its
                // pid slot before its status is final, and a send then fails as to a dead thread
                // (its exit then fails the call: CallToAnEndingCalleeTest).
                slot.core.abandon();
                throw new MailboxFullException(pid, b == null ? 0 : b.capacity(), what + ": the request was dropped");
            }
            return slot.await(deadline, nanos, what, b);
        } finally {
            slot.forget();
        }
    }

    @SuppressWarnings("unchecked") // value is what reply(R) stored
    private R await(Deadline deadline, long nanos, String what, MailboxBound b) {
        return switch (core.await(this, deadline)) {
            case REPLIED -> (R) core.value();
            case EXITED -> throw new CalleeExitedException(callee, core.reason());
            case CANCELLED -> throw Waits.cancelledException(what);
            case TIMED_OUT -> throw new TimedOutException(what + ": no reply from " + callee + " within " + Duration.ofNanos(nanos));
            case DROPPED -> throw new MailboxFullException(callee, b == null ? 0 : b.capacity(),
                    what + ": the request was dropped (DROP_OLDEST) before the callee took it");
        };
    }
}
