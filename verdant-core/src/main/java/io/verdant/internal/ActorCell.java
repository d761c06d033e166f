package io.verdant.internal;

import io.verdant.CancelledException;
import io.verdant.LinkedFailureException;
import io.verdant.Pid;
import io.verdant.Signal;
import io.verdant.TimedOutException;
import io.verdant.internal.timer.TimerWheel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The actor side of one green thread: its mailbox, its links and monitors, and
 * what happens to them when it ends. Allocated lazily, on the first send to the
 * thread, its first receive, link, monitor or linked spawn; a green thread that
 * never uses messages never has one (memory per parked thread is a benchmark).
 *
 * <pre>
 * Mailbox: an intrusive MPSC linked queue (Vyukov) plus a consumer-private save queue
 *   tail   producers append with getAndSet(tail, node), then link prev.next = node
 *          (release). getAndSet is the linearization point: messages are ordered
 *          by it, so two sends by one sender arrive in the order sent.
 *   head   consumer only: a consumed dummy; head.next is the oldest message.
 *          Empty iff head == tail. The first dummy is the cell itself (it is a
 *          MailboxLink: no stub node per mailbox, issue 11); once the queue has
 *          moved past it the consumer clears its link (else the cell, alive as
 *          long as its thread, would hold the chain of every node consumed since)
 *          and never recycles it. A producer between its getAndSet and its link
 *          leaves head.next == null while tail != head: the consumer spins (it is
 *          two instructions on the producer's side; a preempted platform-thread
 *          producer is waited out with Thread.yield).
 *   spare  consumer only: the node the last poll() consumed (the old dummy), kept
 *          for the owner's next send (see "Node recycling").
 *   saved  consumer only: messages already taken off the queue that a selective
 *          receive skipped, oldest first. Every receive scans saved before the
 *          queue, so skipped messages keep their order relative to each other
 *          and to later arrivals (Erlang's save queue). Allocated on first skip.
 *
 * Blocking and wake-up (consumer = the owning green thread; protocol of Waits)
 *   0. safepoint poll and cancellation check on entry (Waits.enter);
 *   1. scan saved, then drain the queue looking for a match (on entry only if
 *      mayHoldMessage(): see "Compiled code and parked receivers");
 *   2. check cancellation and the deadline;
 *   3. waiting = 1 (volatile write), then re-check head != tail;
 *   4. park (a timed park arms one timer on the runtime's wheel);
 *   5. waiting = 0 (a read, and an opaque store only if still 1: see clearWaiting), go to 1.
 *   A producer enqueues (getAndSet: a full fence) and then reads waiting; if it
 *   is 1 and its CAS 1 -> 0 wins it unparks the owner. Steps 3/enqueue form a
 *   Dekker pair over {tail, waiting}: either the consumer sees the message or
 *   the producer sees the waiter. A lost CAS or a leftover permit only causes a
 *   spurious wake-up, which the loop absorbs. The unpark from a running green
 *   thread puts the receiver in that worker's LIFO slot (ping-pong locality)
 *   if nothing else is runnable there, else behind the queued work, where
 *   more messages reach it before it runs (Scheduler, "Wake-ups behind
 *   queued work").
 *
 * Node recycling (issue 11: the node was the only allocation of a send)
 *   When poll() advances head from h to n, h is dead to the queue: its next was
 *   set by the one producer that swapped it out of tail (the consumer read that
 *   link), no producer touches h again, and h is not the tail. The consumer keeps
 *   h (unless h is the cell itself, the first dummy) in its own cell's spare; a send made by the same green thread (the thread
 *   for which GreenThread.current() returns this cell's owner: the owner itself,
 *   or for an event actor the dispatcher running its turn, which is also the
 *   consumer) takes it, clears next and sets msg with plain writes, and publishes
 *   both through its getAndSet of the addressee's tail, like a new node. So in
 *   request/reply traffic a node travels from mailbox to mailbox and a send
 *   allocates nothing; sends from threads that never received allocate as before.
 *   spare is touched by one thread at a time (the owner or the turn's
 *   dispatcher), so it is a plain field. The observers' walk (approxDepth) may
 *   follow a recycled node into another mailbox: its count is an estimate,
 *   capped, and stays memory-safe.
 *
 * Links, monitors, exit (guarded by synchronized(this))
 *   links     peers linked two-way (GreenThreads); parent  the thread that spawned
 *   this one linked (or supervised) and gets its exit as a message even when it
 *   does not trap exits; monitors  watchers owed one Down each.
 *   exited    set once by {@link #exited} under the lock: links and monitors added
 *   after that fire at once instead (see link/monitor), so every watcher gets
 *   exactly one Down and every peer exactly one exit signal.
 *   watching  the targets this owner monitors (see "Demonitor versus an exit in flight").
 *   Besides green threads, monitors may hold {@link ExitListener}s (watch/unwatch):
 *   internal watchers (a pending call, a name registration) told by a callback
 *   instead of a Down message, under the same exactly-once rule.
 *   killedBy  the first failure that propagated here along a link while not
 *   trapping exits (CAS from null); the owner is interrupted and its outcome
 *   becomes that failure whatever its body does (as an Erlang exit signal).
 *   The owner's completion reads it by a CAS of null to ENDED (endKills), so
 *   a kill either becomes the outcome or fails its CAS: a kill that loses (to
 *   an earlier kill, or to the owner's end) was not delivered, and the failure
 *   it carried does not count as observed through this link (it is logged as
 *   unobserved unless something else observed it).
 *
 * Unlink versus an exit in flight (Erlang's guarantee since OTP 23)
 *   Once unlink(self, peer) returns, no exit signal of peer's reaches self
 *   through that link (nor self's reaches peer), even if peer's exit was
 *   already under way. The exit reads its links under its own lock and then
 *   tells them one by one, outside it; owed (under the ended cell's lock)
 *   holds the peers it has yet to tell. Telling a peer is, under the ended
 *   cell's lock: take it out of owed (if it is not there, it unlinked: tell
 *   nothing), then deliver, which is the append of the Signal to its mailbox
 *   or the CAS of its killedBy. unlink removes the peer from owed under that
 *   same lock. So the two are ordered: either the signal was delivered before
 *   unlink took the lock (it may already sit in the mailbox, or the kill is
 *   decided: as in Erlang, a caller that traps exits may find an exit message
 *   received before its unlink), or it never is. Only lock-free steps run
 *   under the lock (an append's getAndSet, a CAS); the wake-ups that may park,
 *   spawn a dispatcher or run cancel callbacks (unpark, an event actor's
 *   scheduling, the kill's cancel) come after it. A peer unlinked before the
 *   exit told it also leaves linksAtExit, so a later link by it is told (by
 *   link, at once), and a peer told by the exit stays there, so a later link
 *   is not told twice. The exit takes itself out of a peer's links only after
 *   telling that peer: until then the peer finds it there by pid (linkedPeer),
 *   which Green.unlink needs, since an ending thread's pid stops looking it
 *   up (its slot is emptied) before its exit reads its links.
 *
 * Demonitor versus an exit in flight (Erlang's demonitor)
 *   Once demonitor(watcher, target) returns true, no Down of that monitor
 *   reaches the watcher, even from an exit already under way. As for links:
 *   the exit marks exited under its lock and leaves monitors in place, now
 *   the list of watchers it still owes (reversed once, so taking from its
 *   end tells them in the order they watched); it then takes them one at a
 *   time under its lock, and for a green thread appends the Down to its
 *   mailbox under that same lock (appendNoWake: lock-free), waking it after.
 *   An ExitListener taken is called outside the lock. demonitor and unwatch
 *   remove from monitors under that lock, so each either removes the entry
 *   before the exit took it (true: never told) or finds it gone (false: the
 *   Down is delivered, or the listener called or being called). No monitor
 *   or watch is added once exited is set (they tell at once instead).
 *   There is no monitor reference: a monitor is the pair (watcher, target),
 *   one list entry each, and demonitor removes one of equal entries.
 *   watching (the watcher's own lock) records each monitor's target on the
 *   watcher's side, added by monitor before the target's entry and removed
 *   by demonitor or by the exit after the Down: Green.demonitor finds a
 *   target that has ended by pid there (monitoredTarget), as Green.unlink
 *   finds one among its links (its pid slot is emptied before its exit).
 *   A watcher's own exit takes its watching and removes its entry from each
 *   target's monitors (under that target's lock), as Erlang drops the
 *   monitors of a process that dies: a long-lived target keeps no entry
 *   per ended watcher. Only the watcher adds to its watching, so none is
 *   added after.
 *
 * Compiled code and parked receivers (issue 11: the wake benchmark's deoptimization storm)
 *   A receiver parks inside compiled code (take, usually inlined into a bigger
 *   method), and resumes in that same compiled code however long it waited: if
 *   the method was recompiled meanwhile, the parked frames still run the old
 *   version. An uncommon trap in the code a resumed receiver runs therefore
 *   fires once per parked frame, not once per method: each is a deoptimization
 *   of its own (tens of microseconds). poll() used to be where that happened:
 *   take's first look (before parking) and its look after the park shared
 *   poll's bytecode and so its profile, and a million receivers that all start
 *   with an empty mailbox made that profile say "next is always null"; C2
 *   compiled the receive with that speculation (speculate_null_assert at
 *   poll's null check) and every resumed receiver then trapped on it (loaded
 *   runs: 4,454 and 10,000 deoptimizations of poll in the first warm-up round of
 *   10,000 receivers; once, seen on older code, 73 % of the samples of 10+ s
 *   rounds in interpreted poll). So the entry's look is mayHoldMessage(),
 *   bytecode that only a receive's start runs: scan and poll run before a park
 *   only when the mailbox may hold a message, and their profiles are shaped by
 *   receives that find one, as the look after a park does. Code that a resumed
 *   receiver runs should keep this property: no branch whose profile is made
 *   only by callers that had not parked.
 *
 * Event actors (owner.vthread == null, see EventActor)
 *   The same queue; {@code waiting} doubles as the actor's scheduled flag:
 *   1 = IDLE (in no run queue, no turn running), 0 = SCHEDULED (queued or in a
 *   turn). A producer's CAS 1 -> 0 after its enqueue wins the right to schedule
 *   the actor (wake() hands it to the dispatchers instead of unparking a thread).
 *   The consumer is whichever dispatcher runs the actor's turn; at the end of a
 *   turn it calls {@link #idleEvent}: waiting = 1 (volatile), then re-check the
 *   queue, and take the actor back (CAS 1 -> 0) if something arrived: the same
 *   Dekker pair as the receive protocol above, so no message is left in an
 *   actor that is not scheduled. head and saved pass from one dispatcher to the
 *   next through that CAS and the run queue's publication. Green.receive is
 *   refused (the actor has no stack to wait on).
 *
 * Closed mailboxes (Verdant.call's temporary thread: a reply after the call ended is a dead letter)
 *   An ended thread's messages are normally dropped with it. One whose leftovers
 *   must reach someone closes its mailbox as it ends (close): it sets waiting =
 *   CLOSED (volatile, never changed again: a producer's CAS 1 -> 0 fails on it,
 *   and the owner no longer receives), then drains saved and the queue to its
 *   sink, under the lock of the close (a Closed object: not the cell's lock, so
 *   a sender appending an exit signal under its own cell's lock never holds two
 *   cells' locks). A producer reads waiting after its append
 *   (getAndSet: a full fence), as it does to wake the owner: the same Dekker
 *   pair over {tail, waiting}. Either it reads a value from before CLOSED, and
 *   then the owner's drain, which reads the queue after writing CLOSED, finds
 *   its message; or it reads CLOSED and drains the queue itself under the lock
 *   (drainClosed), finding its message unless a drain before it took it.
 *   Drains run under that lock, one consumer at a time, and do not recycle
 *   nodes (pollClosed). So every message appended, before the close or after,
 *   reaches the sink exactly once. Before, the temporary thread drained its
 *   mailbox in an end callback, and a reply whose send had looked it up alive
 *   but appended after that drain was lost (VerdantCallLateReplyRaceTest).
 *
 * Threads
 *   send/enqueue: any thread. take/poll/trapExits: the owner only.
 *   link/unlink/addMonitor/exited: any thread, under the lock (deliverExit and
 *   the Downs: the ended thread's lock, see "Unlink versus an exit in flight"
 *   and "Demonitor versus an exit in flight"). No thread holds
 *   two cells' locks at once.
 * </pre>
 */
public final class ActorCell extends MailboxLink {
    /** Spins on a half-linked node before yielding the CPU; a producer is two instructions
     * from linking it, so a handful of spins covers every case but a descheduled producer. */
    private static final int LINK_SPINS = 64;

    final GreenThread<?> owner;
    /** Consumer only: the last consumed link (this cell itself until the first message is taken). */
    private MailboxLink head;
    @SuppressWarnings("unused") private volatile MailboxLink tail;
    @SuppressWarnings("unused") private volatile int waiting;
    /** waiting's value once the owner closed its mailbox (see "Closed mailboxes"); never changed after. */
    private static final int CLOSED = 2;
    /** Set once by close, before waiting = CLOSED (which publishes it); null while open. */
    private Closed closed;
    /** Consumer only (and sends made by the consumer's own thread): a recycled node, or null. See "Node recycling". */
    private Node spare;
    /** Consumer only. */
    private ArrayDeque<Object> saved;
    /** Consumer only: true while a selective receive's filter (user code) runs; a receive
     * from inside it is refused (it would take from the queues the scan is walking). */
    private boolean inFilter;
    /** Owner writes, any thread reads (exit delivery). */
    volatile boolean trapExits;
    /** The bound of a bounded mailbox, or null: set once before the owner is published (so
     * before any send can reach it), read by any thread. */
    private volatile MailboxBound bound;
    @SuppressWarnings("unused") private volatile Throwable killedBy;

    // Guarded by this.
    private boolean exited;
    private GreenThread<?> parent;
    private List<GreenThread<?>> links;
    /** The links the exit read (null before it, or if there were none): a peer among them
     * that links again while the exit runs, or after, is told once, by the exit (link).
     * A peer that unlinks before the exit told it leaves it (so a later link tells it).
     * Never modified once set, only replaced (the exit iterates the list it read).
     * Kept as long as the cell: a dead thread's handle holds its peers' records. */
    private List<GreenThread<?>> linksAtExit;
    /** While the exit tells its links: the peers it has yet to tell (a copy of linksAtExit,
     * less those told and those that unlinked); null before and after. */
    private List<GreenThread<?>> owed;
    /** Green threads owed a Down, and {@link ExitListener}s owed a callback: before the exit,
     * in the order they watched; during it, the ones it has yet to tell, in reverse order
     * (the exit takes them from the end); null after it. */
    private List<Object> monitors;
    /** The green threads this owner monitors, one entry per monitor (null if none), kept
     * until the Down is delivered or the monitor removed: demonitor by pid finds a target
     * that has ended and whose exit may not have told this owner yet (monitoredTarget). */
    private List<GreenThread<?>> watching;

    ActorCell(GreenThread<?> owner) {
        this.owner = owner;
        this.head = this; // the cell is its queue's first dummy: see "Mailbox"
        this.tail = this;
    }

    /** Any thread: the cell of {@code g}, created on first use. */
    public static ActorCell of(GreenThread<?> g) {
        ActorCell c = g.cell;
        if (c != null) {
            return c;
        }
        ActorCell fresh = new ActorCell(g);
        ActorCell witness = g.casCell(fresh);
        return witness == null ? fresh : witness;
    }

    // ------------------------------------------------------------------ mailbox: producers

    /**
     * Any thread. Appends {@code msg}; wakes the owner if it waits. Never
     * refused, and not counted by a bounded mailbox (runtime signals, see
     * {@link MailboxBound}); user sends go through {@link #offer}.
     */
    public void enqueue(Object msg) {
        append(msg);
    }

    /**
     * Any thread. A user message for the owner, admitted by its mailbox's bound
     * if it has one (see {@link MailboxBound#offer}); a {@link Signal} a user made
     * is a user message too: counted, refused and dropped by the bound like any
     * other (MailboxBound, "Signals a user sends"). The runtime's own signals go
     * through {@link #enqueue} and its peers, never here.
     *
     * @param limit the sender's own deadline for a wait for room (see MailboxBound#offer)
     * @return a {@link MailboxBound} outcome: DELIVERED, DROPPED or OWNER_DEAD
     */
    int offer(Pid pid, Object msg, boolean mayBlock, Deadline limit) {
        MailboxBound b = bound;
        if (b == null) {
            append(msg);
            return MailboxBound.DELIVERED;
        }
        return b.offer(owner, this, pid, msg, mayBlock, limit);
    }

    /** The spawner, before the owner is published in the pid table: gives it a bounded mailbox. */
    void bound(MailboxBound b) {
        b.owner(owner);
        bound = b;
        watch(owner, b);
    }

    /** The bound of a bounded mailbox, or null. Any thread. */
    public MailboxBound boundOrNull() {
        return bound;
    }

    /**
     * Any thread. Appends {@code msg} with no counting; wakes the owner if it waits.
     *
     * @return true if this call won the wake-up (CAS waiting 1 -> 0): it unparked
     *         the owner, or scheduled the event actor; for an ownerless test cell
     *         the caller itself now owns the turn (EventHandOffHarness)
     */
    boolean append(Object msg) {
        if (appendNoWake(msg)) {
            wake();
            return true;
        }
        return false;
    }

    /**
     * Any thread. Appends {@code msg} (it is in the mailbox when this returns)
     * and claims the wake-up, leaving it to the caller: an exit signal is
     * appended under the ended thread's cell lock and the owner woken after it
     * (deliverExit).
     *
     * @return true if this call won the wake-up (CAS waiting 1 -> 0): the caller must call {@link #wake}
     */
    private boolean appendNoWake(Object msg) {
        return link(node(msg));
    }

    /**
     * Any sender to a bounded mailbox, its message already counted by {@code b}
     * (MailboxBound.offer): as {@link #append}, and if the message's node cannot be
     * allocated (OutOfMemoryError), the count is given back before the error is
     * thrown: nothing was appended, and a place counted with no message in it would
     * stay taken for the owner's life (MailboxNodeOutOfMemoryTest).
     */
    void appendCounted(Object msg, MailboxBound b) {
        Node n;
        boolean recorded = false;
        try {
            if (msg instanceof Signal) {
                b.userSignalSent(msg); // before the append: see MailboxBound, "Signals a user sends"
                recorded = true;
            }
            n = node(msg);
        } catch (Throwable t) {
            if (recorded) {
                b.userSignalTaken(msg);
            }
            b.uncount();
            throw t;
        }
        if (link(n)) {
            wake();
        }
    }

    /** Any thread: appends node {@code n}; true if this call won the wake-up (see {@link #appendNoWake}). */
    private boolean link(Node n) {
        MailboxLink prev = getAndSetTail(n);
        prev.setNextRelease(n);
        int w = waiting;
        if (w == CLOSED) {
            drainClosed(); // appended after the ended owner's last look: see "Closed mailboxes"
            return false;
        }
        return w != 0 && casWaiting(1, 0);
    }

    /**
     * The owner, ending (Verdant.call's temporary thread, from its end callback):
     * closes the mailbox and hands every message still in it, saved or queued,
     * to {@code sink}, as every message appended later will be, by its sender
     * (see "Closed mailboxes"). {@code sink} runs outside the cell's lock, on
     * the thread that drained the message; it must not throw.
     *
     * @param sink what becomes of a message nobody will receive (a dead letter)
     */
    public void close(java.util.function.Consumer<Object> sink) {
        Closed c = new Closed(sink);
        closed = c;
        setWaitingVolatile(CLOSED); // publishes closed; before the queue is read: the Dekker store against an append
        List<Object> left = new ArrayList<>();
        synchronized (c) {
            if (saved != null) {
                left.addAll(saved);
                saved.clear();
            }
            for (Object m; (m = pollClosed()) != null; ) {
                left.add(m);
            }
        }
        left.forEach(sink);
    }

    /** A sender that appended to a closed mailbox: drains it to its sink (see "Closed mailboxes"). */
    private void drainClosed() {
        Closed c = closed; // written before CLOSED, which the caller read
        List<Object> left = new ArrayList<>(1);
        synchronized (c) {
            for (Object m; (m = pollClosed()) != null; ) {
                left.add(m);
            }
        }
        left.forEach(c.sink);
    }

    /** A closed mailbox's sink; its monitor is the drains' lock (not the cell's: see "Closed mailboxes"). */
    private static final class Closed {
        final java.util.function.Consumer<Object> sink;

        Closed(java.util.function.Consumer<Object> sink) {
            this.sink = sink;
        }
    }

    /**
     * Holding the closed mailbox's lock: the oldest queued message, or null; as
     * poll(), but the node is not recycled (a drainer is not the owner, whose
     * spare it would be).
     */
    private Object pollClosed() {
        return poll(false);
    }

    /**
     * Any thread: a node holding {@code msg}, the calling green thread's spare if
     * it has one (see "Node recycling"), else a new one. Not yet published: the
     * caller's getAndSet of a tail publishes the plain writes made here.
     */
    private static Node node(Object msg) {
        GreenThread<?> me = GreenThread.current();
        ActorCell mine = me == null ? null : me.cell;
        Node n;
        if (mine == null || (n = mine.spare) == null) {
            io.verdant.internal.sched.Faults.mailboxNodeAllocating();
            return new Node(msg);
        }
        mine.spare = null;
        n.setNextPlain(null);
        n.msg = msg;
        return n;
    }

    private void wake() {
        if (owner == null) {
            // An ownerless test harness cell: append's result tells its caller.
            return;
        }
        Thread t = owner.vthread;
        if (t != null) {
            LockSupport.unpark(t);
        } else {
            EventActor.schedule(owner);
        }
    }

    /** Any thread: the scheduled flag of an event actor (1 IDLE, 0 SCHEDULED); diagnostics. */
    int waitingFlag() {
        return waiting;
    }

    /**
     * Event actors, the dispatcher owning the turn: marks the actor IDLE if its
     * queue is empty. Returns true if it is now IDLE (a later send schedules
     * it), false if a message arrived and the caller still owns the actor.
     */
    boolean idleEvent() {
        setWaitingVolatile(1);
        if (tail == head && (saved == null || saved.isEmpty())) {
            return true;
        }
        return !casWaiting(1, 0);
    }

    /**
     * Any thread: claims an IDLE event actor (CAS 1 -> 0) without a message, as
     * a cancellation does; true if the caller now owns it (must end or schedule it).
     */
    boolean claimEvent() {
        return waiting != 0 && casWaiting(1, 0);
    }

    /** Event actors, the dispatcher owning the turn: the oldest message, or null. */
    Object pollEvent() {
        return scan(Matcher.ANY);
    }

    // ------------------------------------------------------------------ mailbox: consumer

    /**
     * Owner only: false if the mailbox certainly holds no message (the queue is
     * empty and nothing is saved), so a receive may go straight to waiting; true
     * if it may hold one (scan then decides). Reads tail (volatile) and the
     * consumer's own fields.
     */
    private boolean mayHoldMessage() {
        if (tail != head) {
            return true;
        }
        ArrayDeque<Object> s = saved;
        return s != null && !s.isEmpty();
    }

    /** Owner only: the oldest queued message, or null if the queue is empty. */
    private Object poll() {
        return poll(true);
    }

    /**
     * The oldest queued message, or null if the queue is empty: the owner's poll
     * ({@code recycle}: the consumed node becomes its spare) or a closed mailbox's
     * drainer's (pollClosed).
     */
    private Object poll(boolean recycle) {
        MailboxLink h = head;
        MailboxLink n = h.nextAcquire();
        if (n == null) {
            if (tail == h) {
                return null;
            }
            int spins = 0;
            while ((n = h.nextAcquire()) == null) {
                if (++spins < LINK_SPINS) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }
        head = n;
        Node node = (Node) n; // only the cell is a link that is not a node, and nothing links to it
        Object m = node.msg;
        node.msg = null;
        if (h != this) {
            if (recycle) {
                spare = (Node) h; // dead to the queue: see "Node recycling"
            }
        } else {
            h.setNextPlain(null); // the cell, dead as a link: its next would hold every node consumed since
        }
        return m;
    }

    /** Owner only: the first message {@code matcher} accepts without blocking, or null. */
    private Object scan(Matcher matcher) {
        MailboxBound b = bound;
        if (b != null) {
            Object m = scanBounded(b, matcher);
            if (m != null && (!(m instanceof Signal) || b.userSignalTaken(m))) {
                b.taken(); // a user message (a Signal only if a user sent it): MailboxBound, "Signals a user sends"
            }
            return m;
        }
        return scanQueue(matcher);
    }

    /**
     * Owner only: DROP_OLDEST drops the excess oldest (non-signal) messages as
     * dead letters first; a dropped call request fails its call at once
     * (MailboxBound, "Dropped call requests").
     */
    private Object scanBounded(MailboxBound b, Matcher matcher) {
        dropExcess(b);
        return scanQueue(matcher);
    }

    /**
     * Owner only: DROP_OLDEST's drop of the excess oldest messages (see scanBounded).
     * The drops are reported (dead letters, failed calls) only once they are all out
     * of saved and uncounted: the dead-letter handler runs here, on the owner, and a
     * handler that reads the owner's mailbox (Green.mailboxSize, a receive) would
     * otherwise re-enter this method in the middle of the iteration over saved: a
     * ConcurrentModificationException out of the owner's receive, and more messages
     * dropped than the excess (DropOldestHandlerReentryTest).
     */
    private void dropExcess(MailboxBound b) {
        int excess = b.excess();
        if (excess > 0) {
            drainToSaved(); // everything into saved, in order
            List<Object> drops = new ArrayList<>(excess);
            for (Iterator<Object> it = saved == null ? java.util.Collections.emptyIterator() : saved.iterator();
                 excess > 0 && it.hasNext(); ) {
                Object oldest = it.next();
                if (!(oldest instanceof Signal) || b.userSignalTaken(oldest)) { // the runtime's signals stay
                    it.remove();
                    excess--;
                    b.taken();
                    drops.add(oldest);
                }
            }
            for (Object dropped : drops) {
                owner.runtime.deadLetter(owner.pid(), dropped, DeadLetters.DROPPED_OLDEST);
                b.dropped(dropped); // a call's request: its caller is told now
            }
        }
    }

    /**
     * Owner only: the first message {@code matcher} accepts without blocking, or null.
     * A filter that throws leaves the mailbox as it was, order included, and
     * the exception propagates: a message it threw on is already off the queue,
     * so it goes to the end of saved, which is exactly its place (saved holds
     * only messages older than everything still queued). A filter may not
     * receive: a receive or size() from inside it throws IllegalStateException
     * (it would take from the save queue this scan iterates: one message
     * returned twice and another lost), which then propagates as above.
     */
    private Object scanQueue(Matcher matcher) {
        if (matcher instanceof Matcher.Filter) {
            inFilter = true;
            try {
                return scanSaved(matcher);
            } finally {
                inFilter = false;
            }
        }
        return scanSaved(matcher);
    }

    /** Owner only: scanQueue's body (see there). */
    private Object scanSaved(Matcher matcher) {
        ArrayDeque<Object> s = saved;
        if (s != null && !s.isEmpty()) {
            if (matcher == Matcher.ANY) {
                return s.pollFirst();
            }
            for (Iterator<Object> it = s.iterator(); it.hasNext(); ) {
                Object m = it.next();
                if (matcher.matches(m)) {
                    it.remove();
                    return m;
                }
            }
        }
        if (matcher == Matcher.ANY) {
            // A plain receive: the oldest queued message, no filter call, no save queue.
            return poll();
        }
        Object m;
        while ((m = poll()) != null) {
            boolean hit;
            try {
                hit = matcher.matches(m);
            } catch (Throwable filterFailed) {
                skip(m);
                throw filterFailed;
            }
            if (hit) {
                return m;
            }
            skip(m);
        }
        return null;
    }

    /** Owner only: {@code m}, just taken off the queue, joins the end of saved. */
    private void skip(Object m) {
        if (saved == null) {
            saved = new ArrayDeque<>();
        }
        saved.addLast(m);
    }

    /**
     * Owner only. The first message {@code matcher} accepts, waiting until
     * {@code deadline} ({@link Deadline#NOW}: do not wait, return null if none).
     * Follows the waiting protocol of {@link Waits}: safepoint and cancellation
     * check on entry (for a waiting call), parks with this mailbox as the
     * blocker, timed parks on the runtime's wheel.
     *
     * @param matcher which messages to take
     * @param deadline how long to wait
     * @param what the operation's name, for exception messages
     * @return the message; null only for {@link Deadline#NOW} with no match
     * @throws CancelledException if cancelled or interrupted before or while
     *         waiting (interrupt status left set); nothing is taken
     * @throws TimedOutException  if the deadline passed with no match
     */
    public Object take(Matcher matcher, Deadline deadline, String what) {
        return take(matcher, deadline, what, this);
    }

    /**
     * Owner only. As {@link #take(Matcher, Deadline, String)}, parking with
     * {@code blocker} instead of this mailbox: what snapshots and dumps read as
     * the wait (Verdant.call's thread waiting for its reply parks with a CallWait
     * naming the callee). Only the park's blocker differs.
     *
     * @param matcher which messages to take
     * @param deadline how long to wait
     * @param what the operation's name, for exception messages
     * @param blocker the park blocker, not null
     * @return the message; null only for {@link Deadline#NOW} with no match
     */
    public Object take(Matcher matcher, Deadline deadline, String what, Object blocker) {
        if (owner != null && owner.vthread == null) {
            throw EventActor.noReceive(what);
        }
        if (inFilter) {
            throw inFilter(what);
        }
        if (!deadline.isNow()) {
            Waits.enter(what);
        } else {
            Safepoints.point(what);
        }
        // The entry's look (see "Compiled code and parked receivers"): an empty mailbox is
        // seen here, by bytecode that a resumed receiver never runs again.
        Object m = mayHoldMessage() ? scan(matcher) : null;
        if (m != null || deadline.isNow()) {
            return m;
        }
        TimerWheel.Timer timer = null;
        try {
            for (;;) {
                if (Waits.cancelled()) {
                    throw Waits.cancelledException(what);
                }
                if (deadline.expired()) {
                    throw new TimedOutException(what + ": no matching message within " + deadline.timeout());
                }
                setWaitingVolatile(1);
                if (tail == head) {
                    timer = Waits.park(blocker, deadline, timer);
                }
                clearWaiting();
                m = scan(matcher);
                if (m != null) {
                    return m;
                }
            }
        } finally {
            Waits.disarm(timer);
        }
    }

    /**
     * Any thread: whether a message may be queued that the owner has not yet
     * looked at (the queue, not the messages it saved: those it has seen). A
     * snapshot for an observer that must know whether a parked owner is about to
     * be woken (Verdant.call's wait, WaitReasons). head is the owner's plain field,
     * read first and racily: a stale head is an older node, never equal to a later
     * tail, so a stale read answers true (a wait seen as ending: the observer then
     * reports less, never a wait that is over); equal means the owner had taken
     * everything up to the tail read after it.
     *
     * @return true if the queue may be non-empty
     */
    public boolean hasUnseenMessage() {
        MailboxLink h = head;
        return tail != h;
    }

    /**
     * Owner only. Like {@link #take} but deaf to cancellation and interrupts
     * (the caller's interrupt status is cleared while it waits and restored
     * after): for a supervisor or scope that must wait for its children to end
     * even while it is itself being cancelled. Timed parks use the runtime's
     * wheel, as every Verdant wait does.
     *
     * @param matcher which messages to take
     * @param deadline how long to wait (not {@link Deadline#NOW})
     * @return the message, or null if the deadline passed
     */
    public Object takeUninterruptibly(Matcher matcher, Deadline deadline) {
        if (owner != null && owner.vthread == null) {
            throw EventActor.noReceive("receive");
        }
        if (inFilter) {
            throw inFilter("receive");
        }
        boolean interrupted = Thread.interrupted();
        TimerWheel.Timer timer = null;
        try {
            // As in take: the entry's look and the look after a park are different bytecode
            // (see "Compiled code and parked receivers").
            Object m = mayHoldMessage() ? scan(matcher) : null;
            if (m != null) {
                return m;
            }
            for (;;) {
                if (deadline.expired()) {
                    return null;
                }
                setWaitingVolatile(1);
                if (tail == head) {
                    timer = Waits.park(this, deadline, timer);
                }
                clearWaiting();
                if (Thread.interrupted()) {
                    interrupted = true;
                }
                m = scan(matcher);
                if (m != null) {
                    return m;
                }
            }
        } finally {
            Waits.disarm(timer);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Owner only: number of messages in the mailbox; a snapshot (drains the queue into
     * saved). A DROP_OLDEST mailbox drops its excess first, as a receive would: the
     * owner never sees more than the capacity (plus signals).
     */
    public int size() {
        if (inFilter) {
            throw inFilter("Green.mailboxSize");
        }
        MailboxBound b = bound;
        if (b != null) {
            dropExcess(b);
        }
        drainToSaved();
        int n = saved == null ? 0 : saved.size();
        // An event actor's handler (the turn's owner): unstashed messages wait in front of the mailbox.
        return owner != null && owner.body instanceof EventActor a ? n + a.replaySize() : n;
    }

    private static IllegalStateException inFilter(String what) {
        return new IllegalStateException(what + " called inside a selective receive's filter");
    }

    /** Owner only: moves every queued message to the end of saved, in order. */
    private void drainToSaved() {
        Object m;
        while ((m = poll()) != null) {
            if (saved == null) {
                saved = new ArrayDeque<>();
            }
            saved.addLast(m);
        }
    }

    // ------------------------------------------------------------------ links and monitors

    /**
     * The spawner: {@code child} was spawned linked by {@code parent} (after its
     * publication, before it starts). A child that has ended already (close
     * abandoned it in that window) is not linked: its parent is told now, as
     * {@link #link} tells a late linker, since its exit has read its links.
     */
    public static void linkChild(GreenThread<?> parent, GreenThread<?> child) {
        ActorCell pc = of(parent);
        ActorCell cc = of(child);
        boolean ended;
        synchronized (cc) {
            cc.parent = parent;
            ended = cc.exited || child.isDone();
            if (!ended) {
                cc.addLink(parent);
            }
        }
        if (ended) {
            deliverExit(child, cc, parent, false);
            return;
        }
        io.verdant.internal.sched.Faults.linkChildAdding();
        synchronized (pc) {
            pc.addLink(child);
        }
    }

    private void addLink(GreenThread<?> peer) {
        if (links == null) {
            links = new ArrayList<>(2);
        }
        if (!links.contains(peer)) {
            links.add(peer);
        }
    }

    /**
     * Two-way link between {@code self} and {@code peer}. If the peer already
     * ended, its exit signal is delivered to {@code self} now. Self's side is
     * made first: the peer's exit takes itself out of self's links after telling
     * self, so a side added after that exit would keep the dead peer for ever
     * (LinkDuringExitTest); it is taken out again if the peer turns out ended.
     */
    public static void link(GreenThread<?> self, GreenThread<?> peer) {
        if (self == peer) {
            return;
        }
        ActorCell sc = of(self);
        ActorCell pc = of(peer);
        boolean hadLink;
        synchronized (sc) {
            hadLink = sc.links != null && sc.links.contains(peer);
            sc.addLink(peer);
        }
        boolean peerEnded;
        boolean toldByExit;
        synchronized (pc) {
            peerEnded = pc.exited || peer.isDone();
            // Already linked (a second link): the peer's exit tells self, or told it already
            // (its links read at the exit), so telling it here too would be a second signal
            // (RelinkDuringExitTest).
            List<GreenThread<?>> at = pc.exited ? pc.linksAtExit : pc.links;
            toldByExit = at != null && at.contains(self);
            if (!peerEnded) {
                pc.addLink(self);
            }
        }
        io.verdant.internal.sched.Faults.linkPeerSideMade();
        if (peerEnded) {
            if (!hadLink) {
                synchronized (sc) {
                    if (sc.links != null) {
                        sc.links.remove(peer);
                    }
                }
            }
            if (!toldByExit) {
                deliverExit(peer, pc, self, false);
            }
        }
    }

    /**
     * Removes the link both ways (and a parent relation either way). Any thread.
     * Once it returns, neither side's exit signal reaches the other through this
     * link, even from an exit already under way: a signal delivered before (a
     * message in the mailbox, a kill) stays delivered (see "Unlink versus an exit
     * in flight").
     */
    public static void unlink(GreenThread<?> self, GreenThread<?> peer) {
        ActorCell sc = self.cell;
        ActorCell pc = peer.cell;
        if (sc != null) {
            synchronized (sc) {
                sc.unlinkLocked(peer);
            }
        }
        if (pc != null) {
            synchronized (pc) {
                pc.unlinkLocked(self);
            }
        }
    }

    /**
     * Any thread: the green thread linked with {@code self} whose pid is {@code pid},
     * or null. Finds a peer that has ended and whose exit may not have told
     * {@code self} yet: its pid no longer looks it up, but its exit removes it from
     * the links of a peer only after telling that peer (exited).
     */
    public static GreenThread<?> linkedPeer(GreenThread<?> self, Pid pid) {
        return byPid(self, pid, true);
    }

    /** Any thread: the thread with {@code pid} among {@code self}'s links (or the threads it monitors), or null. */
    private static GreenThread<?> byPid(GreenThread<?> self, Pid pid, boolean inLinks) {
        ActorCell sc = self.cell;
        if (sc == null) {
            return null;
        }
        synchronized (sc) {
            List<GreenThread<?>> threads = inLinks ? sc.links : sc.watching;
            if (threads != null) {
                for (GreenThread<?> g : threads) {
                    if (g.pid().equals(pid)) {
                        return g;
                    }
                }
            }
        }
        return null;
    }

    /** Under this cell's lock: {@code peer} is no longer linked, nor owed this owner's exit signal. */
    private void unlinkLocked(GreenThread<?> peer) {
        if (links != null) {
            links.remove(peer);
        }
        if (parent == peer) {
            parent = null;
        }
        if (owed != null && owed.remove(peer)) {
            // The exit read it but has not told it: it will not now, and a later link
            // must tell it (link reads linksAtExit). Replaced, not modified: the exit
            // iterates the list it read.
            List<GreenThread<?>> rest = new ArrayList<>(linksAtExit);
            rest.remove(peer);
            linksAtExit = rest;
        }
    }

    /** {@code watcher} gets one Down when {@code target} ends (now, if it has ended). */
    public static void monitor(GreenThread<?> watcher, GreenThread<?> target) {
        ActorCell wc = of(watcher);
        ActorCell tc = of(target);
        // The watcher's record first: the exit removes it after the Down (see "Demonitor
        // versus an exit in flight"), so it must be there before the exit can see the monitor.
        synchronized (wc) {
            if (wc.watching == null) {
                wc.watching = new ArrayList<>(2);
            }
            wc.watching.add(target);
        }
        boolean ended;
        synchronized (tc) {
            ended = tc.exited || target.isDone();
            if (!ended) {
                if (tc.monitors == null) {
                    tc.monitors = new ArrayList<>(2);
                }
                tc.monitors.add(watcher);
            }
        }
        if (ended) {
            synchronized (wc) {
                wc.watching.remove(target);
            }
            wc.enqueue(down(target));
        }
    }

    /**
     * Any thread: a green thread that {@code self} monitors whose pid is {@code pid}, or
     * null. Finds a target that has ended and whose exit may not have told {@code self}
     * yet: its pid no longer looks it up, but its exit removes it from the watcher's
     * records only after the Down (exited).
     */
    public static GreenThread<?> monitoredTarget(GreenThread<?> self, Pid pid) {
        return byPid(self, pid, false);
    }

    /**
     * Any thread. {@code listener} is told once when {@code target} ends; at
     * once, on the caller, if it has already ended.
     */
    public static void watch(GreenThread<?> target, ExitListener listener) {
        ActorCell tc = of(target);
        boolean ended;
        synchronized (tc) {
            ended = tc.exited || target.isDone();
            if (!ended) {
                if (tc.monitors == null) {
                    tc.monitors = new ArrayList<>(2);
                }
                tc.monitors.add(listener);
            }
        }
        if (ended) {
            listener.exited(down(target));
        }
    }

    /**
     * Any thread. Removes {@code listener} from {@code target}'s watchers; true if it was
     * there, and then it is not called. False if it was never there or the exit has taken
     * it (it is being called, or was).
     */
    public static boolean unwatch(GreenThread<?> target, ExitListener listener) {
        ActorCell tc = target.cell;
        if (tc == null) {
            return false;
        }
        synchronized (tc) {
            return tc.monitors != null && tc.monitors.remove(listener);
        }
    }

    /**
     * Removes one monitor of {@code target} by {@code watcher}; true if there was one whose
     * Down was not delivered, and then it never is, even from an exit under way. False if
     * there was none, or the Down was delivered (it stays in the mailbox). See "Demonitor
     * versus an exit in flight".
     */
    public static boolean demonitor(GreenThread<?> watcher, GreenThread<?> target) {
        ActorCell tc = target.cell;
        if (tc == null) {
            return false;
        }
        boolean removed;
        synchronized (tc) {
            removed = tc.monitors != null && tc.monitors.remove(watcher);
        }
        if (removed) {
            ActorCell wc = watcher.cell;
            if (wc != null) {
                synchronized (wc) {
                    if (wc.watching != null) {
                        wc.watching.remove(target);
                    }
                }
            }
        }
        return removed;
    }

    /** Tests: monitor entries (watchers and listeners) on this cell, and the targets its owner watches. */
    synchronized int monitorCount() {
        return monitors == null ? 0 : monitors.size();
    }

    synchronized int watchingCount() {
        return watching == null ? 0 : watching.size();
    }

    synchronized int linkCount() {
        return links == null ? 0 : links.size();
    }

    /** Owner only (or before start). */
    public void trapExits(boolean on) {
        trapExits = on;
    }

    /**
     * The owner's completion, once: the failure that killed it through a link, or
     * null; either way no later kill is accepted (see killedBy in the class comment).
     */
    Throwable endKills() {
        Throwable k = (Throwable) KILLED_BY.compareAndExchange(this, (Throwable) null, ENDED);
        return k == ENDED ? null : k;
    }

    /** killedBy of an owner that has ended without being killed: later kills fail their CAS. */
    private static final Throwable ENDED = new Ended();

    private static final class Ended extends Throwable {
        private static final long serialVersionUID = 1L;

        Ended() {
            super("ended", null, false, false);
        }
    }

    // ------------------------------------------------------------------ exit

    /**
     * Called once by the owner's completion (after its status is final). Any thread.
     *
     * @return true if the exit reached a live peer: a link (signal or kill), the
     *         linked parent, or a monitor (its Down)
     */
    boolean exited() {
        boolean reached = false;
        List<GreenThread<?>> ls;
        boolean anyMonitor;
        List<GreenThread<?>> targets;
        synchronized (this) {
            exited = true;
            targets = watching;
            watching = null;
            ls = links;
            links = null;
            linksAtExit = ls;
            owed = ls == null ? null : new ArrayList<>(ls);
            // monitors stays: it is now the watchers still owed (see "Demonitor versus an
            // exit in flight"), reversed so that taking from its end tells them in order.
            anyMonitor = monitors != null && !monitors.isEmpty();
            if (anyMonitor) {
                java.util.Collections.reverse(monitors);
            } else {
                monitors = null;
            }
        }
        if (targets != null) {
            dropMonitorsOn(targets);
        }
        if (ls != null) {
            for (GreenThread<?> peer : ls) {
                reached |= deliverExit(owner, this, peer, true);
                // After the delivery: until then the peer finds this thread among its links,
                // so an unlink by pid (whose lookup no longer finds it) still reaches it (linkedPeer).
                ActorCell pc = peer.cell;
                if (pc != null) {
                    synchronized (pc) {
                        if (pc.links != null) {
                            pc.links.remove(owner);
                        }
                    }
                }
            }
            synchronized (this) {
                owed = null;
            }
        }
        if (anyMonitor) {
            // One Down per watcher that gets one in its mailbox, made before the lock: a bounded
            // mailbox tells the runtime's signals from a user's by identity (MailboxBound, "Signals
            // a user sends"), so one instance in two mailboxes, forwarded by the watcher that got
            // it to the other, was both there, and the take of the runtime's copy counted as the
            // take of the user's (BoundedMailboxForwardedDownTest).
            Signal.Down d = null;
            for (;;) {
                Object w;
                ActorCell wc = null;
                boolean wake = false;
                if (d == null) {
                    d = down(owner);
                }
                synchronized (this) {
                    // What is left is owed: a watcher that demonitored meanwhile is not in it.
                    if (monitors == null || monitors.isEmpty()) {
                        monitors = null;
                        break;
                    }
                    w = monitors.remove(monitors.size() - 1);
                    if (w instanceof GreenThread<?> g && !g.isDone()) {
                        wc = of(g); // made by monitor already: a read
                        wake = wc.appendNoWake(d);
                    }
                }
                if (wc != null) {
                    d = null; // in wc's mailbox: the next watcher gets its own
                }
                if (w instanceof GreenThread<?> g) {
                    if (wc != null) {
                        if (wake) {
                            wc.wake();
                        }
                        reached = true;
                        // After the Down: until then demonitor by pid finds this thread (monitoredTarget).
                        synchronized (wc) {
                            if (wc.watching != null) {
                                wc.watching.remove(owner);
                            }
                        }
                    }
                } else {
                    // An internal watcher (a pending call, a name, a mailbox bound): told, but
                    // not counted as an observer of the exit.
                    try {
                        ((ExitListener) w).exited(d);
                    } catch (Throwable t) {
                        owner.runtime.reportInternalError(t);
                    }
                }
            }
        }
        return reached;
    }

    /**
     * Called once by close's abandon of the owner (after its status is final), which
     * runs instead of {@link #exited}: tells the internal watchers ({@link ExitListener}s:
     * a pending call, a name, a mailbox bound's blocked senders), which may be outside
     * this runtime (a platform thread's call) and would otherwise wait for an exit that
     * never comes; and the green threads of other runtimes that monitor it (a Down, as
     * an exit gives) or are linked to it (its exit signal, as for a failure: its outcome
     * is a CancelledException). The owner's own monitors are removed from their targets,
     * as at an exit. Links and monitors of this runtime's threads (cancelled or abandoned
     * with it) are left alone. A watch after this finds the owner done (its status is
     * written before this takes the lock) and tells itself.
     */
    void abandoned() {
        List<ExitListener> told = null;
        List<GreenThread<?>> downTo = null;
        List<ActorCell> toWake = null;
        List<GreenThread<?>> targets;
        List<GreenThread<?>> linkedElsewhere = null;
        // Link signals before the Downs, as at an exit.
        synchronized (this) {
            if (links != null) {
                for (GreenThread<?> peer : links) {
                    if (peer.runtime() != owner.runtime()) {
                        if (linkedElsewhere == null) {
                            linkedElsewhere = new ArrayList<>(2);
                        }
                        linkedElsewhere.add(peer);
                    }
                }
            }
            if (linkedElsewhere != null) {
                // Told as an exit tells its links (see "Unlink versus an exit in flight"): a
                // peer that unlinks meanwhile leaves owed and is not told. They stay in links
                // (exited stays false): a relink by a peer told finds itself there, not told twice.
                linksAtExit = linkedElsewhere;
                owed = new ArrayList<>(linkedElsewhere);
            }
        }
        if (linkedElsewhere != null) {
            for (GreenThread<?> peer : linkedElsewhere) {
                deliverExit(owner, this, peer, true);
                ActorCell pc = peer.cell; // made by link
                synchronized (pc) {
                    if (pc.links != null) {
                        pc.links.remove(owner);
                    }
                }
            }
            synchronized (this) {
                owed = null;
            }
        }
        Signal.Down d = down(owner);
        synchronized (this) {
            targets = watching;
            watching = null;
            if (monitors != null) {
                for (Iterator<Object> it = monitors.iterator(); it.hasNext(); ) {
                    Object w = it.next();
                    if (w instanceof ExitListener l) {
                        it.remove();
                        if (told == null) {
                            told = new ArrayList<>(2);
                        }
                        told.add(l);
                    } else if (w instanceof GreenThread<?> g && g.runtime() != owner.runtime()) {
                        // A watcher in another runtime: told as by an exit (under this lock, see
                        // "Demonitor versus an exit in flight"), else it waited for ever.
                        it.remove();
                        if (!g.isDone()) {
                            ActorCell wc = of(g); // made by monitor already: a read
                            if (downTo == null) {
                                downTo = new ArrayList<>(2);
                                toWake = new ArrayList<>(2);
                            }
                            downTo.add(g);
                            // Its own instance, as at an exit (see exited): a rare path, under the lock.
                            if (wc.appendNoWake(new Signal.Down(d.pid(), d.result(), d.failure()))) {
                                toWake.add(wc);
                            }
                        }
                    }
                }
            }
        }
        if (toWake != null) {
            for (ActorCell wc : toWake) {
                wc.wake();
            }
            for (GreenThread<?> g : downTo) {
                ActorCell wc = g.cell;
                synchronized (wc) {
                    if (wc.watching != null) {
                        wc.watching.remove(owner);
                    }
                }
            }
        }
        if (targets != null) {
            dropMonitorsOn(targets); // as at an exit: a target in another runtime kept this thread
        }
        if (told == null) {
            return;
        }
        for (ExitListener l : told) {
            try {
                l.exited(d);
            } catch (Throwable t) {
                owner.runtime.reportInternalError(t);
            }
        }
    }

    /**
     * At the owner's exit or abandonment, with the watching list it took: removes the
     * owner's monitor entry from each target (under that target's lock). The owner's
     * own monitors die with it, as in Erlang: else a long-lived target kept an entry,
     * and this ended thread, per watcher that never demonitored.
     */
    private void dropMonitorsOn(List<GreenThread<?>> targets) {
        for (GreenThread<?> t : targets) {
            ActorCell tc = t.cell; // made by monitor
            synchronized (tc) {
                if (tc.monitors != null) {
                    tc.monitors.remove(owner);
                }
            }
        }
    }

    /**
     * The exit signal of {@code ended} (whose cell is {@code ec}) reaches {@code peer}; true if it did.
     * The delivery itself (the signal's append to the peer's mailbox, or the kill's CAS of
     * killedBy) is made under ec's lock, the lock unlink takes; the wake-up (unpark, an
     * event actor's scheduling, the kill's cancel) after it (see "Unlink versus an exit in flight").
     *
     * @param fromExit true for ended's own exit, which tells only the peers it still owes
     *        (a peer that unlinked meanwhile is not told); false for a late link (link,
     *        linkChild), which tells the linker now
     */
    private static boolean deliverExit(GreenThread<?> ended, ActorCell ec, GreenThread<?> peer, boolean fromExit) {
        if (peer.isDone()) {
            return false;
        }
        Pid pid = ended.pid();
        Throwable failure = ended.failureOrNull();
        ActorCell pc = of(peer);
        boolean trap = pc.trapExits;
        // Made before the lock: a stack trace, user code (toString) in a failure's message.
        Object signal = failure == null ? new Signal.Exit(pid, ended.rawOutcome())
                : trap ? new Signal.Failure(pid, failure) : new LinkedFailureException(pid, ended.name(), failure);
        boolean wake = false;
        boolean kill = false;
        synchronized (ec) {
            if (fromExit && (ec.owed == null || !ec.owed.remove(peer))) {
                return false; // unlinked after the exit read its links
            }
            if (!trap && failure == null && ec.parent != peer) {
                return false; // a normal end reaches only a peer that traps exits, or the parent
            }
            if (signal instanceof LinkedFailureException reason) {
                kill = pc.casKilledBy(null, reason);
                if (!kill) {
                    return false; // killed by another failure first, or ended: this one went nowhere
                }
            } else {
                wake = pc.appendNoWake(signal);
            }
        }
        if (wake) {
            pc.wake();
        }
        if (kill) {
            cancelKilled(peer);
        }
        return true;
    }

    /**
     * Kills cancelled by this thread in a kill's cancel, or null when it makes none:
     * queued, and cancelled after it, by cancelKilled.
     */
    private static final ThreadLocal<ArrayDeque<GreenThread<?>>> KILLING = new ThreadLocal<>();

    /**
     * The cancel of a kill, on the ended peer's thread. An idle event actor ends on
     * the thread that cancels it, and its end kills its own linked peers: cancelled
     * there, a chain of linked idle actors took that thread one stack level deeper per
     * actor, and a small stack overflowed and left the rest of the chain alive,
     * linked to dead peers (LinkedEventActorChainCancelTest). A kill made inside a
     * kill's cancel is queued and cancelled here after it, one after the other; no
     * caller waits for a killed peer to end, so the delay is harmless.
     */
    private static void cancelKilled(GreenThread<?> peer) {
        ArrayDeque<GreenThread<?>> queued = KILLING.get();
        if (queued != null) {
            queued.add(peer);
            return;
        }
        queued = new ArrayDeque<>();
        KILLING.set(queued);
        try {
            peer.cancel();
            for (GreenThread<?> p; (p = queued.poll()) != null; ) {
                p.cancel();
            }
        } finally {
            KILLING.remove();
        }
    }

    private static Signal.Down down(GreenThread<?> target) {
        Throwable failure = target.failureOrNull();
        Object result = failure == null && target.isDone() ? target.rawOutcome() : null;
        return new Signal.Down(target.pid(), result, failure);
    }

    /** Down for a pid that names no live thread (stale, dead, or never existed). */
    public static Signal.Down noProcess(Pid pid) {
        return new Signal.Down(pid, null, new io.verdant.NoSuchGreenThreadException(pid));
    }

    /** A queued message: a link (see {@link MailboxLink}) with the message; msg is cleared when it is taken. */
    static final class Node extends MailboxLink {
        Object msg;

        Node(Object msg) {
            this.msg = msg;
        }
    }

    /**
     * Any thread: the number of messages waiting, counted up to {@code cap} (an
     * observer's estimate, for snapshots). Walks the queue from the consumer's
     * head, read opaquely: the consumer may advance past the nodes being
     * counted, so the figure can include messages taken meanwhile, or (a node
     * recycled meanwhile, see "Node recycling") messages of another mailbox;
     * nodes stay reachable while walked (the GC keeps them), so the walk is
     * memory-safe and ends at a tail or the cap. The save queue's size is read racily too
     * (ArrayDeque.size from its two indices: some value in 0..capacity).
     * Messages themselves are never read.
     */
    public int approxDepth(int cap) {
        int n = 0;
        MailboxLink node = headOpaque();
        while (n < cap && node != null && (node = node.nextAcquire()) != null) {
            n++;
        }
        ArrayDeque<Object> s = saved;
        if (s != null) {
            n += Math.max(0, s.size());
        }
        if (owner != null && owner.body instanceof EventActor a) {
            // Unstashed messages wait in front of an event actor's mailbox (Actors.unstashAll).
            n += a.approxReplaySize();
        }
        return Math.min(n, cap);
    }

    // ------------------------------------------------------------------ accessors, named by access mode

    /** Any producer: swaps its node in as the tail (atomic: producers are serialised here). */
    private MailboxLink getAndSetTail(Node n) {
        return (MailboxLink) TAIL.getAndSet(this, n);
    }

    /** A producer waking the owner, or a claimer of an event actor (1 -> 0), or the turn's owner retracting IDLE: one wins. */
    private boolean casWaiting(int expect, int update) {
        return WAITING.compareAndSet(this, expect, update);
    }

    /** The owner, before it re-checks the queue: volatile (the Dekker store against a producer's append). */
    private void setWaitingVolatile(int w) {
        WAITING.setVolatile(this, w);
    }

    /**
     * The owner, after a park or a re-check that found a message (step 5 of the
     * receive protocol): back to 0 so producers stop trying to wake it. Usually
     * a read only: a producer's winning CAS (1 -> 0) already cleared it for the
     * wake-up that ended the park. Otherwise (the re-check found a message, a
     * timer or a spare permit ended the park) an opaque store: no fence is
     * needed, because no value of this flag can lose a wake-up. A producer that
     * reads a stale 1 makes a spurious wake-up at worst; one that reads 0 while
     * the owner is about to wait is covered by step 3, whose volatile store of 1
     * comes after this store in the flag's coherence order (same thread, same
     * variable) and before the owner's re-check of the queue.
     */
    private void clearWaiting() {
        if ((int) WAITING.getOpaque(this) != 0) {
            WAITING.setOpaque(this, 0);
        }
    }

    /** Any thread (an ended linked peer): the first kill reason wins; fails once the owner has ended (ENDED). */
    private boolean casKilledBy(Throwable expect, Throwable reason) {
        return KILLED_BY.compareAndSet(this, expect, reason);
    }

    /** Any thread (approxDepth): the consumer's head, opaque; a racy snapshot by design. */
    private MailboxLink headOpaque() {
        return (MailboxLink) HEAD.getOpaque(this);
    }

    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle WAITING;
    private static final VarHandle KILLED_BY;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TAIL = l.findVarHandle(ActorCell.class, "tail", MailboxLink.class);
            HEAD = l.findVarHandle(ActorCell.class, "head", MailboxLink.class);
            WAITING = l.findVarHandle(ActorCell.class, "waiting", int.class);
            KILLED_BY = l.findVarHandle(ActorCell.class, "killedBy", Throwable.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
