package io.verdant.internal;

import io.verdant.MailboxFullException;
import io.verdant.Pid;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The bound of one green thread's bounded mailbox (public side:
 * {@code io.verdant.Mailbox}): a count of the messages in it and the senders
 * waiting for room.
 *
 * <pre>
 * Overview
 *   The mailbox itself stays ActorCell's lock-free MPSC queue; the bound only
 *   counts. count = user messages in the mailbox (queue + the owner's save
 *   queue). A user send adds one (offer(): reserve a unit by CAS below
 *   capacity, or for DROP_OLDEST add unconditionally); every user message the
 *   owner takes out subtracts one (taken()). The runtime's own signals (exits
 *   and Downs, appended by ActorCell.enqueue/appendNoWake, never through
 *   offer) are never counted, refused or dropped.
 *
 * Signals a user sends (userSignals)
 *   Signal is a public sealed type of public records, so a user can make one
 *   and send it: it is a user message, counted, refused and dropped like any
 *   other (BoundedMailboxUserSignalTest; before, any Signal bypassed the
 *   bound, so a sender could fill the mailbox without limit). The owner tells
 *   the two apart by identity, not type: a sender of a Signal instance records
 *   it in userSignals (a multiset by identity: the same instance may be sent
 *   twice) before its append, and the owner, taking or dropping a Signal,
 *   counts it as a user message only if it finds (and removes) it there. Both
 *   sides hold this bound's monitor for it; the append's release and the
 *   owner's acquire of the node order the record before the owner's look.
 *   Identity is enough because the runtime never puts one signal instance in
 *   two mailboxes (each monitor gets a Down of its own: ActorCell.exited), so
 *   an instance a user sends here (say a Down it got and forwards) is never
 *   also queued here as the runtime's (BoundedMailboxForwardedDownTest).
 *   Only sends and takes of Signal instances pay for it (a type check the
 *   bounded path already made): plain messages take no lock, and the send
 *   fast path gains no atomic or fence.
 *
 * Overflow policies (policy = Mailbox.Overflow ordinal)
 *   BLOCK        reserve, or wait for room (below) up to blockNanos, then fail
 *   DROP_NEWEST  reserve, or drop the new message (the caller dead-letters it)
 *   DROP_OLDEST  always enqueue (count may exceed capacity); the owner drops
 *                the excess oldest messages as dead letters on its next take
 *                (ActorCell.scanBounded: only the consumer may remove from an
 *                MPSC queue)
 *   FAIL         reserve, or throw MailboxFullException
 *
 * Waiting for room (BLOCK; any sender thread but the owner)
 *   1. enter (safepoint, cancellation check) -- done by the caller's send path;
 *   2. loop: try to reserve; publish the thread in {@code blocked}; re-check
 *      count (it may have dropped between the failed reserve and the publish);
 *      check cancellation, the deadline and whether the owner ended; park.
 *      The deadline is blockNanos from the start, or the sender's own if that
 *      comes first (a call's: its timeout bounds the whole call), which then
 *      ends the wait with TimedOutException instead of MailboxFullException;
 *   3. finally remove the thread from {@code blocked}; a sender that leaves
 *      without a place (cancelled, timed out) and finds room passes a wake-up
 *      on (signalNext).
 *   The owner, after each take, polls one sender off {@code blocked} and
 *   unparks it. count and the queue are both accessed with volatile semantics:
 *   either the sender's re-check sees the lower count, or the owner's poll of
 *   blocked finds the sender (a Dekker pair), so no wake-up is lost. A woken
 *   sender that loses the slot to another sender just waits again (the other
 *   sender has the room the wake-up announced).
 *   Invariant: while count < capacity, no sender stays parked in blocked with
 *   no wake-up on its way. Each take sends one wake-up to the sender it polls;
 *   that sender either reserves (the loop tries to reserve first thing after a
 *   park) or leaves. A sender that leaves may have been polled between its
 *   publication and its exit checks, and so may carry the only wake-up meant
 *   for the room now free: on its way out it re-reads count and, if there is
 *   room, polls and unparks the next waiter. The extra wake-up this makes when
 *   it was not polled is harmless (the woken sender re-checks).
 *   The owner's end wakes every blocked sender (an ExitListener): they see it
 *   dead and report a dead letter instead of waiting out their timeout.
 *   A sender its runtime's close abandoned never runs again: close takes it
 *   out of blocked and passes on a wake-up it may have had (dropAbandoned).
 *   A call's caller never reaches the end of its call then either: while its
 *   request may wait here it is in callSends, and close ends its call too
 *   (ReplyTo forgets it: its exit listener on the owner goes).
 *   A blocked sender parks with this bound as its blocker; its toString is the
 *   sender's wait reason in snapshots and dumps ("Mailbox of &lt;1.2.0&gt; 'db'
 *   bounded(64) full"): the owner and the capacity, never a message.
 *   While the mailbox is full it names the owner as the thread it waits for
 *   (blockingOwner), so a dump flags a cycle of such waits, or one mixed
 *   with calls, joins and mutex waits, as a deadlock.
 *
 * Dropped call requests (DROP_OLDEST)
 *   A call's request is an ordinary message, so the policy may drop it; its
 *   caller must then be told at once (as DROP_NEWEST's refusal tells it),
 *   not left to wait out its timeout for a reply that cannot come. calls
 *   maps each request now in flight to this owner, by identity, to its
 *   call's ReplyCore: the caller adds it before its send and removes it when
 *   the call ends, whatever the outcome (ReplyTo.call), so the map holds only
 *   calls in progress. The owner, dropping a message (dropped()), looks it up
 *   and fails that call (ReplyCore.requestDropped: a CAS out of WAITING, so a
 *   call that ended meanwhile is left alone). Other policies never drop a
 *   queued message and keep no map.
 *
 * Threads
 *   offer, callStarted, callEnded, toString: any thread. taken, excess,
 *   dropped: the owner only. exited: the owner's completion. owner(): the
 *   spawner, once, before the owner is published.
 * </pre>
 */
public final class MailboxBound implements ExitListener, AbandonedWaits {
    static final int BLOCK = 0;
    static final int DROP_NEWEST = 1;
    static final int DROP_OLDEST = 2;
    static final int FAIL = 3;

    /** Outcomes of {@link #offer}. */
    public static final int DELIVERED = 0;
    public static final int DROPPED = 1;
    public static final int OWNER_DEAD = 2;

    final int capacity;
    final int policy;
    final long blockNanos;
    @SuppressWarnings("unused") private volatile int count;
    private final ConcurrentLinkedQueue<Thread> blocked = new ConcurrentLinkedQueue<>();
    /** The green thread whose mailbox this bounds; set once by the spawner before publication (toString). */
    private volatile GreenThread<?> owner;
    /** DROP_OLDEST only (else null): call requests in flight to the owner, see "Dropped call requests". */
    private final ConcurrentHashMap<Request, ReplyCore> calls;
    /** BLOCK only (else null): callers whose call's request is being sent, and how to end that call if abandoned. */
    private final ConcurrentHashMap<Thread, AbandonedWaits> callSends;

    /**
     * A bound.
     *
     * @param capacity   at least 1
     * @param policy     the ordinal of {@code Mailbox.Overflow}
     * @param blockNanos how long a BLOCK send waits
     */
    public MailboxBound(int capacity, int policy, long blockNanos) {
        this.capacity = capacity;
        this.policy = policy;
        this.blockNanos = blockNanos;
        this.calls = policy == DROP_OLDEST ? new ConcurrentHashMap<>() : null;
        this.callSends = policy == BLOCK ? new ConcurrentHashMap<>() : null;
    }

    /**
     * The caller of a call to the owner, before it sends the request: if the
     * send may wait here for room (BLOCK) and close abandons the caller then,
     * {@code endCall} ends its call (see "Waiting for room"). Pair with
     * {@link #callSent}.
     *
     * @param endCall what ends the call of the current thread when it is abandoned
     */
    public void callSending(AbandonedWaits endCall) {
        if (callSends != null) {
            callSends.put(Thread.currentThread(), endCall);
        }
    }

    /** The caller, once its request's send returned or threw: undoes {@link #callSending}. */
    public void callSent() {
        if (callSends != null) {
            callSends.remove(Thread.currentThread());
        }
    }

    /**
     * The caller of a call to the owner, before it sends {@code request}: if
     * this policy may drop the request once queued (DROP_OLDEST), remembers
     * that dropping it must fail {@code call}. Pair with {@link #callEnded}.
     *
     * @param request the call's request message
     * @param call the call's reply slot
     */
    public void callStarted(Object request, ReplyCore call) {
        if (calls != null) {
            calls.put(new Request(request), call);
        }
    }

    /** The caller, when its call ended (any outcome): forgets {@code request}. */
    public void callEnded(Object request, ReplyCore call) {
        if (calls != null) {
            calls.remove(new Request(request), call);
        }
    }

    /** Tests: call requests remembered (DROP_OLDEST; 0 for other policies). */
    int callsInFlight() {
        return calls == null ? 0 : calls.size();
    }

    /** Owner only: {@code msg} was dropped (DROP_OLDEST); if it is a call's request, that call fails now. */
    void dropped(Object msg) {
        if (calls != null && !calls.isEmpty()) {
            ReplyCore call = calls.remove(new Request(msg));
            if (call != null) {
                call.requestDropped();
            }
        }
    }

    /** A message as a map key by identity (two equal requests are two calls). */
    private record Request(Object msg) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Request r && r.msg == msg;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(msg);
        }
    }

    /**
     * Signals a user sent (see "Signals a user sends"), by identity, with how many times each
     * is in the mailbox; null until the first. Guarded by this bound's monitor.
     */
    private java.util.IdentityHashMap<Object, int[]> userSignals;

    /**
     * Any sender, before it appends {@code signal}, a {@link io.verdant.Signal} it counted:
     * records it as a user message (see "Signals a user sends").
     */
    synchronized void userSignalSent(Object signal) {
        if (userSignals == null) {
            userSignals = new java.util.IdentityHashMap<>();
        }
        userSignals.computeIfAbsent(signal, k -> new int[1])[0]++;
    }

    /**
     * Owner only: whether {@code signal}, a {@link io.verdant.Signal} leaving the mailbox
     * (taken or dropped), is one a user sent and so was counted; if so, forgets it once
     * (the caller then calls {@link #taken}). The runtime's own signals are never recorded.
     * Also a sender whose counted signal was not appended (its node's allocation failed).
     */
    synchronized boolean userSignalTaken(Object signal) {
        int[] n = userSignals == null ? null : userSignals.get(signal);
        if (n == null) {
            return false;
        }
        if (--n[0] == 0) {
            userSignals.remove(signal);
        }
        return true;
    }

    /** Any thread: a message entered the mailbox without a reservation (DROP_OLDEST). */
    void added() {
        getAndAddCount(1);
    }

    /** Owner only: a message left the mailbox. */
    void taken() {
        int left = getAndAddCount(-1) - 1;
        if (left < capacity && policy == BLOCK) {
            Thread t = blocked.poll();
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    /**
     * A sender whose counted message was not enqueued (its node's allocation failed:
     * ActorCell.appendCounted): gives its place back, waking a waiting sender as
     * {@link #taken} does. Any thread.
     */
    void uncount() {
        taken();
    }

    /** Owner only: number of messages beyond capacity (DROP_OLDEST drops them). */
    int excess() {
        return policy == DROP_OLDEST ? count - capacity : 0;
    }

    private boolean reserve() {
        for (;;) {
            int c = count;
            if (c >= capacity) {
                return false;
            }
            if (casCount(c, c + 1)) {
                return true;
            }
        }
    }

    /**
     * Any thread. Admits a user message to the mailbox of {@code target}, whose
     * cell is {@code cell}, by the policy; enqueues it if admitted.
     *
     * @param mayBlock false for senders that must never wait or throw (timers): a full mailbox drops
     * @param limit the sender's own deadline (a call's timeout), or {@link Deadline#FOREVER}:
     *        a BLOCK wait for room ends at the earlier of it and the mailbox's block timeout
     * @return {@link #DELIVERED}, {@link #DROPPED} (the caller dead-letters it), or
     *         {@link #OWNER_DEAD} (it ended while the sender waited; dead-letter it)
     * @throws MailboxFullException for FAIL, or BLOCK out of time or sent by the owner itself
     * @throws io.verdant.TimedOutException if {@code limit} passed first while waiting for room
     *         (nothing was enqueued)
     * @throws io.verdant.CancelledException if a blocked sender is cancelled or interrupted
     */
    int offer(GreenThread<?> target, ActorCell cell, Pid pid, Object msg, boolean mayBlock, Deadline limit) {
        if (policy == DROP_OLDEST) {
            added();
            cell.appendCounted(msg, this);
            return DELIVERED;
        }
        if (reserve()) {
            cell.appendCounted(msg, this);
            return DELIVERED;
        }
        if (policy == DROP_NEWEST || !mayBlock) {
            return DROPPED;
        }
        if (policy == FAIL) {
            throw new MailboxFullException(pid, capacity, "");
        }
        if (GreenThread.current() == target) {
            throw new MailboxFullException(pid, capacity, "its owner cannot wait for room in its own mailbox");
        }
        Waits.enter("Green.send");
        Deadline own = Deadline.after(blockNanos);
        boolean limited = !limit.isForever() && limit.remaining() < own.remaining();
        Deadline deadline = limited ? limit : own;
        Thread me = Thread.currentThread();
        io.verdant.internal.timer.TimerWheel.Timer timer = null;
        boolean placed = false;
        try {
            for (;;) {
                if (reserve()) {
                    placed = true;
                    cell.appendCounted(msg, this);
                    return DELIVERED;
                }
                blocked.add(me);
                if (count < capacity) {
                    blocked.remove(me);
                    continue;
                }
                if (target.isDone()) {
                    return OWNER_DEAD;
                }
                io.verdant.internal.sched.Faults.senderWaiting();
                if (Waits.cancelled()) {
                    throw Waits.cancelledException("Green.send to a full mailbox of " + pid);
                }
                if (deadline.expired()) {
                    if (limited) {
                        throw new io.verdant.TimedOutException("no room in the mailbox of " + pid + " within "
                                + limit.timeout());
                    }
                    throw new MailboxFullException(pid, capacity, "no room within " + Duration.ofNanos(blockNanos));
                }
                timer = Waits.park(this, deadline, timer);
                blocked.remove(me);
            }
        } finally {
            blocked.remove(me);
            Waits.disarm(timer);
            if (!placed) {
                signalNext(); // the owner's wake-up may have picked this sender: see "Waiting for room"
            }
        }
    }

    /** A sender leaving without a place: if there is room, wakes the next waiting sender. */
    private void signalNext() {
        if (count < capacity) {
            Thread t = blocked.poll();
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    /**
     * Close of the runtime of {@code t}, a sender it abandoned while it waited
     * here: it leaves {@code blocked}, and a wake-up the owner may already have
     * given it (it never runs to use or pass it on) goes to the next sender if
     * there is room. Any thread.
     */
    @Override
    public void dropAbandoned(Thread t) {
        blocked.remove(t);
        signalNext();
        AbandonedWaits call = callSends == null ? null : callSends.remove(t);
        if (call != null) {
            call.dropAbandoned(t);
        }
    }

    /** The spawner, before the owner is published: the green thread whose mailbox this bounds. */
    void owner(GreenThread<?> g) {
        owner = g;
    }

    /**
     * A blocked sender's wait reason (WaitReasons): "Mailbox of &lt;1.2.0&gt; 'db' bounded(64)
     * full", the owner (pid and name, if it has one) and the capacity; never a message.
     * A sender parks here only when it found the mailbox full. Any thread.
     */
    @Override
    public String toString() {
        GreenThread<?> g = owner;
        String of = g == null ? "" : " of " + io.verdant.internal.obs.WaitReasons.describe(g);
        return "Mailbox" + of + " bounded(" + capacity + ") full";
    }

    /**
     * The green thread a sender parked here waits for (WaitReasons.waitingFor): the
     * owner while the mailbox is full, else null. Room frees only when the owner
     * takes a message (or ends), so a sender of a full mailbox waits for the owner,
     * and a dump's deadlock check may follow the edge: a cycle needs the owner to
     * wait too, for a thread that waits on (a running or idle receiver breaks it).
     * Below capacity the sender is not stuck: a wake-up is on its way to some
     * sender ("Waiting for room", invariant), so it is no edge; a woken sender not
     * yet run would otherwise look blocked on an owner that now waits for it.
     * Any thread; one volatile read of count, no write.
     *
     * @return the owner, or null
     */
    public GreenThread<?> blockingOwner() {
        return policy == BLOCK && count >= capacity ? owner : null;
    }

    /** The owner ended: wake every blocked sender (they see it dead). */
    @Override
    public void exited(io.verdant.Signal.Down down) {
        for (Thread t; (t = blocked.poll()) != null; ) {
            LockSupport.unpark(t);
        }
    }

    /** The most messages the mailbox admits. Any thread. */
    public int capacity() {
        return capacity;
    }

    /** Messages now counted in the mailbox; a snapshot. Any thread. */
    public int count() {
        return count;
    }

    // ------------------------------------------------------------------ accessors, named by access mode

    /** Any thread (+1) or the owner (-1): volatile RMW (see the class comment); returns the count before. */
    private int getAndAddCount(int d) {
        return (int) COUNT.getAndAdd(this, d);
    }

    /** Any sender reserving a place: volatile CAS. */
    private boolean casCount(int expect, int update) {
        return COUNT.compareAndSet(this, expect, update);
    }

    private static final VarHandle COUNT;
    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(MailboxBound.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
