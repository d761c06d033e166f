package io.verdant.internal.chan;

import io.verdant.Channel;
import io.verdant.ChannelClosedException;
import io.verdant.TimedOutException;
import io.verdant.internal.Deadline;
import io.verdant.internal.Waits;
import io.verdant.internal.sync.SpinLock;
import io.verdant.internal.timer.TimerWheel;

import java.time.Duration;
import java.util.Optional;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The one channel implementation: rendezvous (capacity 0), bounded, unbounded
 * (capacity Integer.MAX_VALUE).
 *
 * <pre>
 * Overview
 *   A short spin lock guards everything: the ring buffer, the queue of parked
 *   senders, the queue of parked receivers and the closed flag. A parked
 *   operation is a {@link Node}; whoever completes it (a partner, close) first
 *   wins its waiter by CAS (see Node), so a select's nodes can sit in several
 *   channels and exactly one of them fires.
 *
 * Invariants (under the lock; "live" = its waiter not yet claimed or aborted)
 *   receivers has live nodes only while the buffer is empty and no live sender waits;
 *   senders has live nodes only while the buffer is full (capacity 0: always "full");
 *   once closed, nothing is ever queued again (waiters present at close are
 *   claimed CLOSED); buffered values stay until received.
 *   Dead nodes (claimed elsewhere by a select, or aborted) may stay queued until
 *   a partner polls and drops them or their owner unlinks them.
 *
 * Operations (under the lock)
 *   send: closed -> throw; a live receiver -> hand the value to it (it is
 *         unparked after unlock, from the sender's thread: the scheduler puts
 *         it in this carrier's LIFO slot, or behind the work queued there);
 *         room in the buffer -> append;
 *         otherwise queue a send node and wait.
 *   receive: buffer non-empty -> take the head and move one live sender's
 *         value into the freed room; else a live sender -> take its value;
 *         else closed -> throw; otherwise queue a receive node and wait.
 *   close: make the wake list (a slot per queued node), then set closed, claim
 *         every live waiter with CLOSED, unpark them after unlock. Should the list's
 *         allocation fail, nothing has changed: the channel stays open, its waiters
 *         unclaimed. (An overflow of the stack after closed is set, at a call's
 *         entry, can still leave waiters unclaimed, or claimed and not woken: the
 *         wake-up itself is a call.)
 *
 * Waiting (the steps of Waits): enter (safepoint + cancellation check), lock,
 *   publish the node, unlock, park until the node's waiter leaves WAITING. On
 *   timeout or cancellation the waiter takes the lock and, if its node is still
 *   WAITING, marks it ABORTED and unlinks it in that critical section, then
 *   throws, having changed nothing; if a partner completed it first, the
 *   operation completed and is reported as success. (A plain node changes state
 *   only under the lock: no CAS on the hand-off path; a select's nodes use the
 *   CAS protocol of Node, since they sit under several locks.)
 *
 * Queues
 *   The parked senders and receivers are two intrusive, doubly linked FIFO
 *   lists whose heads and tails are fields of the channel itself, linked through
 *   Node.prev/next (Node.queued says whether a node is still linked, so a
 *   waiter may withdraw after a partner already dequeued it). They used to be
 *   two WaitQueue objects: every hand-off then read one more object (the
 *   receiver queue of the channel sent on, the sender queue of the channel
 *   received from) which, in a ring of 10,000 threads, is a cache miss per
 *   hop; the lists in the channel's own fields share the lines the lock word
 *   brings in anyway. A node's queue is always the one its {@code send} flag
 *   names (select enqueues a send case as a sender, a receive case as a
 *   receiver). Removing from the middle (a timed-out or cancelled waiter) is
 *   O(1); removing a node that is not queued does nothing.
 *
 * Node reuse
 *   A plain operation that parks takes its node from its carrier's spare slot
 *   (Worker.spareNode, one node, touched only by green threads running on that
 *   carrier, in sequence) and, once it FIRED, gives it back there (Node.plain,
 *   Node.recycle): a rendezvous hand-off allocates nothing, which also spares
 *   the garbage collections whose aftermath makes the JDK allocate fresh stack
 *   chunks for thousands of parked continuations. Why the node is the waiter's
 *   alone when it recycles it:
 *   1. the partner that completed it dequeued it first (pollSender/
 *      pollReceiver unlink it under the lock and leave next/prev null, queued
 *      false), so no channel reaches it;
 *   2. every partner reads what it needs of the node (item, owner.thread)
 *      before complete()'s releasing store of FIRED and touches it no more
 *      after it; the waiter's acquiring read of FIRED therefore follows
 *      every access of the partner (close() reads owner.thread first too);
 *   3. a node that ended otherwise (CLOSED, ABORTED, a failure) is not
 *      recycled: it is left to the garbage collector.
 *   A reused node gets its thread, send, item and state WAITING by plain
 *   writes before it is queued: the channel lock publishes them, as it does a
 *   new node's. A select's nodes (SelectNode) are never reused.
 *
 * Layout
 *   In a ring of rendezvous channels the channel a hop sends on was last
 *   touched thousands of hops ago: cold. A send reads the class word
 *   (Channel is an interface), the lock word, closed and the receiver queue's
 *   head and tail. Declared in this order they lie in bytes 8..48 of the
 *   64-byte object (JOL, JDK 25, compressed oops and class pointers): one
 *   cache line when the object starts at offset 0, 8 or 16 of a line, where
 *   the former order (receiver queue at 52..60) needed one only at offset 0.
 *
 * The lock
 *   The channel is its own SpinLock (the lock word sits in the channel object):
 *   critical sections are a few dozen instructions and never park, call user
 *   code or allocate beyond a node (a ChannelClosedException, whose message
 *   runs the close cause's toString(), is made after unlock; close allocates
 *   its wake list under it, before it changes anything). Select takes the
 *   locks of all its channels in id order (no deadlock). Waking (unpark)
 *   always happens after unlock.
 *   Parked operations park with the channel as their blocker.
 * </pre>
 */
public final class ChannelImpl<T> extends SpinLock implements Channel<T>, io.verdant.internal.AbandonedWaits {
    private static final AtomicLong IDS = new AtomicLong();

    final long id = IDS.incrementAndGet();
    final int capacity;
    // Declaration order is the layout (see "Layout"): HotSpot places the
    // primitives first (after the lock word of SpinLock), then the references
    // in the order declared.
    private int head;
    private int count;
    private volatile boolean closed;
    /** Parked operations, FIFO: intrusive doubly linked lists through Node.prev/next (see "Queues"). */
    private Node receiversHead;
    private Node receiversTail;
    private Node sendersHead;
    private Node sendersTail;
    private Object[] buf;
    /** Why it was closed (close(Throwable)), or null; written once under the lock before {@code closed}. */
    private Throwable cause;

    public ChannelImpl(int capacity) {
        this.capacity = capacity;
        this.buf = capacity == 0 ? null : new Object[Math.min(capacity, 16)];
    }

    // ------------------------------------------------------------------ public API

    @Override
    public void send(T value) {
        doSend(value, Deadline.FOREVER);
    }

    @Override
    public boolean trySend(T value) {
        return doSend(value, Deadline.NOW);
    }

    @Override
    public void send(T value, Duration timeout) {
        doSend(value, Deadline.after(timeout, "timeout"));
    }

    @Override
    public T receive() {
        return doReceive(Deadline.FOREVER);
    }

    @Override
    public Optional<T> tryReceive() {
        return Optional.ofNullable(doReceive(Deadline.NOW));
    }

    @Override
    public T receive(Duration timeout) {
        return doReceive(Deadline.after(timeout, "timeout"));
    }

    @Override
    public boolean close() {
        return doClose(null);
    }

    @Override
    public boolean close(Throwable cause) {
        return doClose(Objects.requireNonNull(cause, "cause"));
    }

    @Override
    public java.util.Optional<Throwable> closeCause() {
        return closed ? java.util.Optional.ofNullable(cause) : java.util.Optional.empty();
    }

    private boolean doClose(Throwable why) {
        io.verdant.internal.Safepoints.point("Channel.close");
        Thread[] wake;
        int woken = 0;
        lock();
        try {
            if (closed) {
                return false;
            }
            // The wake list is made first, at its full size: the nodes queued (live or dead)
            // bound the waiters the close will claim, as nothing is queued while it holds the
            // lock. An allocation that fails (OutOfMemoryError) then leaves the channel open and
            // every waiter unclaimed, for a later close or its own timeout; a list that grew as
            // the waiters were claimed left the one claimed when it failed out of the queue and
            // never woken (ChannelCloseOutOfMemoryTest).
            int queued = queuedLocked();
            io.verdant.internal.sched.Faults.closeWakeListAllocating();
            wake = queued == 0 ? NO_THREADS : new Thread[queued];
            cause = why; // before the volatile write of closed: whoever sees closed sees the cause
            closed = true;
            // Dead nodes (claimed elsewhere, aborted) are just dropped.
            for (Node n = pollLiveSender(); n != null; n = pollLiveSender()) {
                wake[woken++] = n.owner.thread;
                n.complete(Node.CLOSED, null);
            }
            for (Node n = pollLiveReceiver(); n != null; n = pollLiveReceiver()) {
                wake[woken++] = n.owner.thread;
                n.complete(Node.CLOSED, null);
            }
        } finally {
            try {
                unlock();
            } catch (StackOverflowError e) {
                lock = 0; // see SpinLock, "Overflow"
            }
        }
        for (int i = 0; i < woken; i++) {
            LockSupport.unpark(wake[i]);
        }
        return true;
    }

    /** Queued nodes (live or dead) in both queues. Lock held. */
    private int queuedLocked() {
        int size = 0;
        for (Node n = sendersHead; n != null; n = n.next) {
            size++;
        }
        for (Node n = receiversHead; n != null; n = n.next) {
            size++;
        }
        return size;
    }

    /** doClose's wake list when nobody waits. */
    private static final Thread[] NO_THREADS = new Thread[0];

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public Iterator<T> iterator() {
        return new Iterator<>() {
            private T next;

            @Override
            public boolean hasNext() {
                if (next != null) {
                    return true;
                }
                try {
                    next = receive();
                    return true;
                } catch (ChannelClosedException e) {
                    if (e.getCause() != null) {
                        throw e; // closed with a cause: the consumer learns it (Channel.iterator)
                    }
                    return false;
                }
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("channel closed and drained");
                }
                T v = next;
                next = null;
                return v;
            }
        };
    }

    @Override
    public String toString() {
        String kind = capacity == 0 ? "rendezvous" : capacity == Integer.MAX_VALUE ? "unbounded" : "bounded(" + capacity + ")";
        return "Channel#" + id + "[" + kind + (closed ? ", closed]" : "]");
    }

    // ------------------------------------------------------------------ send / receive

    private boolean doSend(T value, Deadline deadline) {
        Objects.requireNonNull(value, "value");
        boolean tryOnly = deadline.isNow();
        if (!tryOnly) {
            Waits.enter("Channel.send");
        } else {
            io.verdant.internal.Safepoints.point("Channel.trySend");
        }
        Node n;
        Thread wake;
        lock();
        try {
            if (closed) {
                // Thrown after unlock (wake and n null say so): the exception's message
                // runs the close cause's toString(), user code (see "The lock").
                wake = null;
                n = null;
            } else if ((wake = offerLocked(value)) == null) {
                if (tryOnly) {
                    return false;
                }
                if (deadline.expired()) {
                    throw timedOut("send", deadline);
                }
                n = Node.plain(io.verdant.internal.Carriers.current(), true, value);
                enqueueSender(n);
            } else {
                n = null;
            }
        } finally {
            try {
                unlock();
            } catch (StackOverflowError e) {
                lock = 0; // see SpinLock, "Overflow"
            }
        }
        if (n == null) {
            if (wake == null) {
                throw closedException();
            }
            if (wake != NO_WAKE) {
                LockSupport.unpark(wake);
            }
            return true;
        }
        try {
            awaitSingle(n, deadline, "Channel.send", "send");
        } catch (Throwable t) {
            try {
                withdraw(n);
            } catch (StackOverflowError e) {
                // The undo overflowed, perhaps at its entry: the node may still be queued and
                // WAITING. Abandon it with a store, which makes no call (see Node: partners
                // then drop it; one that read it WAITING just before still completes it).
                if (n.state == Node.WAITING) {
                    n.state = Node.ABORTED;
                }
            }
            throw t;
        }
        n.recycle();
        return true;
    }

    private T doReceive(Deadline deadline) {
        boolean tryOnly = deadline.isNow();
        if (!tryOnly) {
            Waits.enter("Channel.receive");
        } else {
            io.verdant.internal.Safepoints.point("Channel.tryReceive");
        }
        Node n;
        Object v;
        Thread wake = null;
        boolean closedAndDrained = false;
        lock();
        try {
            if (count > 0) {
                v = takeBufferedLocked();
                wake = refillLocked();
                n = null;
            } else {
                Node s = pollLiveSender();
                if (s != null) {
                    v = s.item;
                    wake = s.owner.thread;
                    s.complete(Node.FIRED, null);
                    n = null;
                } else if (closed) {
                    // Thrown after unlock: its message runs the cause's toString() (see doSend).
                    closedAndDrained = true;
                    v = null;
                    n = null;
                } else if (tryOnly) {
                    return null;
                } else if (deadline.expired()) {
                    throw timedOut("receive", deadline);
                } else {
                    v = null;
                    n = Node.plain(io.verdant.internal.Carriers.current(), false, null);
                    enqueueReceiver(n);
                }
            }
        } finally {
            try {
                unlock();
            } catch (StackOverflowError e) {
                lock = 0; // see SpinLock, "Overflow"
            }
        }
        if (n == null) {
            if (closedAndDrained) {
                throw closedException();
            }
            if (wake != null) {
                LockSupport.unpark(wake);
            }
            @SuppressWarnings("unchecked")
            T t = (T) v;
            return t;
        }
        try {
            awaitSingle(n, deadline, "Channel.receive", "receive");
        } catch (Throwable t) {
            try {
                withdraw(n);
            } catch (StackOverflowError e) {
                // The undo overflowed, perhaps at its entry: the node may still be queued and
                // WAITING. Abandon it with a store, which makes no call (see Node: partners
                // then drop it; one that read it WAITING just before still completes it).
                if (n.state == Node.WAITING) {
                    n.state = Node.ABORTED;
                }
            }
            throw t;
        }
        @SuppressWarnings("unchecked")
        T t = (T) n.item;
        n.recycle();
        return t;
    }

    /** Waits for a plain operation's node; returns normally iff it FIRED. */
    private void awaitSingle(Node n, Deadline deadline, String op, String verb) {
        TimerWheel.Timer timer = null;
        // An untimed wait parks at once the first time round: Waits.enter checked
        // cancellation a few instructions ago, and a cancellation since then
        // interrupts this thread (CancelNode.cancel, EventActor.cancelled), which
        // makes the park return at once, so the next round sees it. Saves the
        // cancellation check (a current-thread look-up) on every hand-off.
        boolean skipCheck = deadline.isForever();
        try {
            for (;;) {
                int s = n.stateAcquire();
                if (s == Node.FIRED) {
                    return;
                }
                if (s == Node.CLOSED) {
                    throw closedException();
                }
                if (s == Node.ABORTED) {
                    throw Waits.cancelledException(op); // withdrawn by close: abandoned (dropAbandoned)
                }
                if (s == Node.WAITING && skipCheck) {
                    skipCheck = false;
                } else if (s == Node.WAITING) {
                    boolean cancelled = Waits.cancelled();
                    if (cancelled || deadline.expired()) {
                        // Abort and unlink in one critical section (see Node: a plain
                        // node changes state only under the channel's lock).
                        boolean aborted;
                        lock();
                        try {
                            aborted = n.tryAbortLocked();
                            if (aborted) {
                                unlinkLocked(n);
                            }
                        } finally {
                            try {
                                unlock();
                            } catch (StackOverflowError e) {
                                lock = 0; // see SpinLock, "Overflow"
                            }
                        }
                        if (aborted) {
                            throw cancelled ? Waits.cancelledException(op) : timedOut(verb, deadline);
                        }
                        continue;
                    }
                } else {
                    // CLAIMED: only a select's waiter passes through it (see Node);
                    // kept so this loop stays correct should a plain node ever use it.
                    Thread.onSpinWait();
                    continue;
                }
                timer = Waits.park(this, deadline, timer);
            }
        } finally {
            Waits.disarm(timer);
        }
    }

    /**
     * After awaitSingle threw: takes {@code n} out of the queue if it still waits
     * there. A cancellation, a timeout or a close has settled the node already
     * (ABORTED and unlinked, or CLOSED); an error thrown inside the wait (a
     * StackOverflowError in park, an OutOfMemoryError arming the timer) has not,
     * and a node left WAITING would later take a sender's value for a receiver
     * that is gone, or give a receiver the value of a send that threw. A node a
     * partner completed before the abort stays completed: its value goes with
     * the failing thread, as one it had received just before failing would.
     * Runs in doSend's or doReceive's frame, which has the stack the failed wait needed.
     */
    private void withdraw(Node n) {
        if (n.stateAcquire() != Node.WAITING) {
            return;
        }
        lock();
        try {
            if (n.tryAbortLocked()) {
                unlinkLocked(n);
            }
        } finally {
            try {
                unlock();
            } catch (StackOverflowError e) {
                lock = 0; // see SpinLock, "Overflow"
            }
        }
    }

    /**
     * Close of the runtime of {@code t}, which abandoned it parked here: aborts
     * and unlinks its plain operation, or aborts its select, if nobody has
     * completed it, and then unlinks the select's cases in its other channels
     * too (a partner there would drop them, but an idle channel kept them, and
     * the dead thread, for as long as it saw no partner). Any thread.
     */
    @Override
    public void dropAbandoned(Thread t) {
        SelectNode select;
        lock();
        try {
            SelectNode r = dropAbandonedLocked(receiversHead, t);
            SelectNode s = dropAbandonedLocked(sendersHead, t);
            select = r != null ? r : s;
        } finally {
            try {
                unlock();
            } catch (StackOverflowError e) {
                lock = 0; // see SpinLock, "Overflow"
            }
        }
        if (select != null) {
            SelectCore.withdrawAbandoned(select); // its cases in the other channels (this one is the blocker)
        }
    }

    /** Returns the waiter of a select of {@code t} found queued here, or null. */
    private SelectNode dropAbandonedLocked(Node head, Thread t) {
        SelectNode select = null;
        for (Node n = head, next; n != null; n = next) {
            next = n.next;
            Node w = n.owner;
            if (w.thread != t) {
                continue;
            }
            if (w != n) {
                select = (SelectNode) w;
            }
            if (w == n ? n.tryAbortLocked() : w.tryAbort() || w.stateAcquire() == Node.ABORTED) {
                unlinkLocked(n);
            }
        }
        return select;
    }

    // ------------------------------------------------------------------ under the lock (also used by Select)

    /**
     * Marker: the value was buffered, nobody to wake. Never started; it inherits
     * nothing from the thread that initialises this class (the first runtime's
     * starter), whose context class loader it kept for the JVM's life
     * (JdkPollersTest, PollerInitContextProbe).
     */
    static final Thread NO_WAKE = new Thread(null, null, "verdant-no-wake", 0, false);

    /**
     * Under lock, channel open: delivers {@code value} to a live receiver
     * (returns its thread, to unpark after unlock) or buffers it (returns
     * NO_WAKE); null if the sender must wait.
     */
    Thread offerLocked(Object value) {
        Node r = pollLiveReceiver();
        if (r != null) {
            Thread t = r.owner.thread;
            r.complete(Node.FIRED, value);
            return t;
        }
        if (count < capacity) {
            bufferLocked(value);
            return NO_WAKE;
        }
        return null;
    }

    boolean closedLocked() {
        return closed;
    }

    int countLocked() {
        return count;
    }

    /** Under lock, count > 0. */
    Object takeBufferedLocked() {
        Object[] b = buf;
        Object v = b[head];
        b[head] = null;
        head = head + 1 == b.length ? 0 : head + 1;
        count--;
        return v;
    }

    /** Under lock, after a take: moves one live sender's value into the buffer; its thread or null. */
    Thread refillLocked() {
        if (count < capacity) {
            Node s = pollLiveSender();
            if (s != null) {
                bufferLocked(s.item);
                Thread t = s.owner.thread;
                s.complete(Node.FIRED, null);
                return t;
            }
        }
        return null;
    }

    /** Under lock: the first sender node whose waiter this call wins, unlinked; dead ones are dropped. */
    Node pollLiveSender() {
        for (Node s = pollSender(); s != null; s = pollSender()) {
            if (s.claim()) {
                return s;
            }
        }
        return null;
    }

    Node pollLiveReceiver() {
        for (Node r = pollReceiver(); r != null; r = pollReceiver()) {
            if (r.claim()) {
                return r;
            }
        }
        return null;
    }

    private void bufferLocked(Object value) {
        Object[] b = buf;
        if (count == b.length) {
            Object[] bigger = new Object[(int) Math.min((long) capacity, 2L * b.length)];
            for (int i = 0; i < count; i++) {
                bigger[i] = b[(head + i) % b.length];
            }
            buf = b = bigger;
            head = 0;
        }
        int tail = head + count;
        if (tail >= b.length) {
            tail -= b.length;
        }
        b[tail] = value;
        count++;
    }

    /** Under lock: appends {@code n} (a send node) to the parked senders. */
    void enqueueSender(Node n) {
        n.queued = true;
        Node t = sendersTail;
        n.prev = t;
        if (t == null) {
            sendersHead = n;
        } else {
            t.next = n;
        }
        sendersTail = n;
    }

    /** Under lock: appends {@code n} (a receive node) to the parked receivers. */
    void enqueueReceiver(Node n) {
        n.queued = true;
        Node t = receiversTail;
        n.prev = t;
        if (t == null) {
            receiversHead = n;
        } else {
            t.next = n;
        }
        receiversTail = n;
    }

    /** Under lock: the first parked sender, unlinked, or null. */
    private Node pollSender() {
        Node h = sendersHead;
        if (h != null) {
            Node x = h.next;
            sendersHead = x;
            if (x == null) {
                sendersTail = null;
            } else {
                x.prev = null;
            }
            h.next = null;
            h.queued = false;
        }
        return h;
    }

    /** Under lock: the first parked receiver, unlinked, or null. */
    private Node pollReceiver() {
        Node h = receiversHead;
        if (h != null) {
            Node x = h.next;
            receiversHead = x;
            if (x == null) {
                receiversTail = null;
            } else {
                x.prev = null;
            }
            h.next = null;
            h.queued = false;
        }
        return h;
    }

    /** Under lock: removes {@code n} from its queue if it is still queued. */
    void unlinkLocked(Node n) {
        if (!n.queued) {
            return;
        }
        n.queued = false;
        Node p = n.prev;
        Node x = n.next;
        if (p != null) {
            p.next = x;
        } else if (n.send) {
            sendersHead = x;
        } else {
            receiversHead = x;
        }
        if (x != null) {
            x.prev = p;
        } else if (n.send) {
            sendersTail = p;
        } else {
            receiversTail = p;
        }
        n.prev = null;
        n.next = null;
    }

    /** Queued nodes (live or dead) in both queues; tests only. */
    int queuedNodes() {
        lock();
        try {
            return queuedLocked();
        } finally {
            try {
                unlock();
            } catch (StackOverflowError e) {
                lock = 0; // see SpinLock, "Overflow"
            }
        }
    }

    /**
     * The exception for an operation on this closed channel, carrying its close cause.
     *
     * @return a fresh exception
     */
    public ChannelClosedException closedException() {
        Throwable why = cause;
        // The cause's toString() is user code: one that throws must not replace this exception.
        return why == null ? new ChannelClosedException(this + " is closed")
                : new ChannelClosedException(this + " is closed: " + io.verdant.internal.Throwables.describe(why), why);
    }

    private TimedOutException timedOut(String verb, Deadline deadline) {
        return new TimedOutException(verb + " on " + this + " timed out after " + deadline.timeout());
    }
}
