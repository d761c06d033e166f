package io.verdant.internal;

import io.verdant.Behavior;
import io.verdant.CancelledException;
import io.verdant.GreenState;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;

/**
 * The event-specific part of an event actor: its behavior, state, stash and
 * turn bookkeeping. The actor itself is a {@link GreenThread} record with no
 * virtual thread (pid, cell, cancel token, links, monitors, handle), whose
 * body is this object; it has no stack while idle and runs its handler as a
 * method call on a {@link Dispatcher} green thread.
 *
 * <pre>
 * Scheduled flag (ActorCell.waiting; 1 = IDLE, 0 = SCHEDULED)
 *
 *   from       to         by                                     CAS / write
 *   (new)      SCHEDULED  construction: the spawner owns the     the flag's initial 0
 *                         actor until it is published and linked
 *   SCHEDULED  IDLE       the spawner, then (released): as a     as a turn's end, below;
 *                         turn's end, or ended if cancelled      cancelled: ended at once
 *   IDLE       SCHEDULED  a send (ActorCell.enqueue, after the   CAS 1 -> 0; the winner
 *                         message is linked)                     queues the actor (schedule)
 *   IDLE       SCHEDULED  a cancellation (claimEvent)            CAS 1 -> 0; the winner ends
 *                                                                the actor at once (inline)
 *   SCHEDULED  IDLE       the dispatcher ending a turn with an   volatile write 1, then re-check
 *                         empty mailbox, stash replay and no     queue (idleEvent) and cancel
 *                         stop/cancel pending                    flag; take back by CAS 1 -> 0
 *   SCHEDULED  (ended)    the dispatcher (handler threw, stop,   GreenThread.complete; the flag
 *                         cancellation seen)                     stays 0 forever: no later send
 *                                                                can schedule a dead actor
 *
 *   Why the spawner owns a new actor: it is registered for cancellation before
 *   it is published in the pid table (RuntimeCore.spawnEvent), and a cancel that
 *   claimed an IDLE actor in that window ended it while it was in no slot, so
 *   nothing completed it (the slot's emptier completes a thread, PidTable): its
 *   join never returned (UnpublishedEventActorCancelTest). Owned, the actor only
 *   has its cancel flag set then, and released() ends it once it is published.
 *   Sends in that window are queued, and released() schedules the actor for them.
 *
 *   Exactly one party owns a SCHEDULED actor: the one whose CAS won, until it
 *   hands the actor to a run queue (whose publication is the hand-off to the
 *   dispatcher that takes it) or ends it. The owner alone touches the mailbox
 *   head, the stash and state. Stranding argument: a send links its node and
 *   then reads the flag (getAndSet is a full fence); the dispatcher writes 1 and
 *   then reads tail. Either the sender sees 1 and schedules, or the dispatcher
 *   sees the message and keeps the actor; if both try, the CAS picks one.
 *   The cancel flag against the flag is the same pair (see cancelled()).
 *   Checked by EventHandOffLincheckTest (Lincheck stress: sends racing turn ends on
 *   ActorCell's production code); tested on the runtime, cancellation
 *   included, by EventActorHandOffStressTest.
 *
 * Cancellation (GreenThread.interrupt of an event actor -> cancelled())
 *   1. cancel = true (volatile);
 *   2. claimEvent(): an IDLE actor is owned by the canceller, which ends it
 *      here with a CancelledException (or the link failure that caused it);
 *   3. otherwise, under synchronized(this): interrupt runner if a handler of
 *      this actor runs now, so its blocking call throws.
 *   The dispatcher checks cancel before every message; after a turn it writes
 *   runner = null, and if cancel is set, passes through synchronized(this)
 *   before clearing its interrupt status: an interrupt meant for this actor
 *   never leaks into the next actor's handler on the same dispatcher.
 *
 * Threads
 *   handler, state, stash, replay, current, stopRequested: the owner of the turn.
 *   cancel, runner: any thread (volatile).
 * </pre>
 */
public final class EventActor implements java.util.concurrent.Callable<Object> {
    /** Pekko's default throughput (messages per actor turn before the dispatcher moves on). */
    public static final int DEFAULT_THROUGHPUT = 5;

    final GreenThread<Object> owner;
    final ActorCell cell;
    final Dispatchers dispatchers;
    private final String name;
    private final Behavior<Object> behavior;
    final int throughput;
    /** The state; the turn owner only (after the end: the outcome). */
    Object state;
    /** The message being handled, for stash(); turn owner only. */
    Object current;
    /** current is in the stash already: a second stash() of it is a no-op; turn owner only. */
    boolean currentStashed;
    /** Messages put aside by stash(); turn owner only; allocated on first use. */
    private ArrayDeque<Object> stash;
    /** Unstashed messages, handled before the mailbox; turn owner only. */
    private ArrayDeque<Object> replay;
    /** stop() was called in the running handler; turn owner only. */
    boolean stopRequested;
    @SuppressWarnings("unused") private volatile boolean cancel;
    /** The dispatcher thread running a handler of this actor now, or null. */
    volatile Thread runner;

    @SuppressWarnings("unchecked")
    EventActor(RuntimeCore runtime, GreenThread<?> owner, String name, Object initial, Behavior<?> behavior,
               int throughput) {
        this.owner = (GreenThread<Object>) owner;
        this.dispatchers = runtime.dispatchers();
        this.name = name;
        this.state = initial;
        this.behavior = (Behavior<Object>) behavior;
        this.throughput = throughput;
        this.cell = new ActorCell(owner); // SCHEDULED (waiting = 0): the spawner's until released()
    }

    /**
     * The spawner, once the actor is published in the pid table and linked to its
     * parent: hands over the actor it has owned since construction (class
     * comment). Ended here if it was cancelled meanwhile (its completion then
     * empties its slot and tells its links); otherwise IDLE as at a turn's end,
     * or scheduled if a message arrived meanwhile.
     */
    void released() {
        if (cancel) {
            end(null, cancellation());
        } else if (!cell.idleEvent()) {
            schedule(owner);
        } else if (cancel && cell.claimEvent()) {
            end(null, cancellation());
        }
    }

    /** Never called: an event actor has no thread to run a body. */
    @Override
    public Object call() {
        throw new IllegalStateException("an event actor has no body");
    }

    String name() {
        return name;
    }

    Behavior<Object> behavior() {
        return behavior;
    }

    /** Any thread; RUNNING while a handler runs, WAITING while it blocks or while idle, RUNNABLE while queued. */
    GreenState state() {
        Thread r = runner;
        if (r != null) {
            // In a turn: WAITING while the handler blocks (its dispatcher is parked for it), as a
            // thread-backed green thread parked in the same call would be.
            Thread.State s = r.getState();
            return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.BLOCKED
                    ? GreenState.WAITING : GreenState.RUNNING;
        }
        return cell.waitingFlag() == 0 ? GreenState.RUNNABLE : GreenState.WAITING;
    }

    /** Any thread: the event actor {@code g} won the right to run (ActorCell.wake). */
    static void schedule(GreenThread<?> g) {
        EventActor a = (EventActor) g.body;
        a.dispatchers.schedule(a);
    }

    static IllegalStateException noReceive(String what) {
        return new IllegalStateException(what + " is not available in an event actor's handler: the actor has no "
                + "stack to wait on, and its mailbox belongs to the dispatcher, which passes each message to the "
                + "behavior (nothing was taken from it). To wait for a particular message, Actors.stash() the "
                + "others and Actors.unstashAll() when it comes; to wait for a reply, use Green.call (its reply "
                + "does not go through the mailbox); or spawn a green-thread actor for a receive loop");
    }

    boolean cancelRequested() {
        return cancel;
    }

    // ------------------------------------------------------------------ cancellation

    /** Any thread: the actor's token was cancelled (steps in the class comment). */
    void cancelled() {
        setCancelVolatile(true);
        if (cell.claimEvent()) {
            end(null, cancellation());
            return;
        }
        synchronized (this) {
            Thread r = runner;
            if (r != null) {
                r.interrupt();
            }
        }
    }

    CancelledException cancellation() {
        return new CancelledException("event actor " + owner.pid() + (name.isEmpty() ? "" : " [" + name + "]")
                + " was cancelled");
    }

    /** The owner of the turn, after runner = null: lets a racing cancel finish its interrupt first. */
    void afterTurn() {
        if (cancel) {
            synchronized (this) {
                // Empty: waits out a cancel() that read runner before it was cleared.
            }
        }
    }

    /** The owner of the turn (or the canceller that claimed it): ends the actor once. */
    void end(Object finalState, Throwable failure) {
        state = null;
        stash = null;
        replay = null;
        current = null;
        owner.complete(failure == null ? finalState : null, failure);
    }

    // ------------------------------------------------------------------ stash

    /** Turn owner: the next message of this actor, replayed stash first; null if none. */
    Object nextMessage() {
        ArrayDeque<Object> r = replay;
        if (r != null && !r.isEmpty()) {
            return r.pollFirst();
        }
        return cell.pollEvent();
    }

    /** Turn owner: unstashed messages wait to be handled. */
    boolean hasReplay() {
        return replay != null && !replay.isEmpty();
    }

    /** Turn owner, in a handler: puts the current message aside. */
    void stashCurrent() {
        if (current == null) {
            throw new IllegalStateException("Actors.stash: no message is being handled");
        }
        if (currentStashed) {
            return; // put aside once: a second entry would be handled twice after unstashAll
        }
        if (stash == null) {
            stash = new ArrayDeque<>();
        }
        stash.addLast(current);
        currentStashed = true;
    }

    /** Turn owner: stashed messages go back in front of the mailbox, in stash order; their number. */
    int unstashAll() {
        ArrayDeque<Object> s = stash;
        if (s == null || s.isEmpty()) {
            return 0;
        }
        int n = s.size();
        if (replay == null || replay.isEmpty()) {
            replay = s;
            stash = null;
        } else {
            // Unstashed during a replay: the new batch goes before what is left of it.
            while (!s.isEmpty()) {
                replay.addFirst(s.pollLast());
            }
        }
        return n;
    }

    /** Turn owner: number of stashed messages. */
    int stashSize() {
        return stash == null ? 0 : stash.size();
    }

    /** Turn owner: unstashed messages not yet handled (in front of the mailbox: Green.mailboxSize counts them). */
    int replaySize() {
        ArrayDeque<Object> r = replay;
        return r == null ? 0 : r.size();
    }

    /**
     * Any thread (a snapshot's mailbox depth, ActorCell.approxDepth): unstashed
     * messages not yet handled, an estimate. The deque is the turn owner's, read
     * racily as approxDepth reads the save queue: ArrayDeque.size from its two
     * indices, some value in 0..capacity, never an exception.
     */
    int approxReplaySize() {
        ArrayDeque<Object> r = replay;
        return r == null ? 0 : Math.max(0, r.size());
    }

    // ------------------------------------------------------------------ accessors, named by access mode

    /** Any thread (cancelled(): step 1 of "Cancellation" in the class comment), volatile. */
    private void setCancelVolatile(boolean b) {
        CANCEL.setVolatile(this, b);
    }

    private static final VarHandle CANCEL;
    static {
        try {
            CANCEL = MethodHandles.lookup().findVarHandle(EventActor.class, "cancel", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
