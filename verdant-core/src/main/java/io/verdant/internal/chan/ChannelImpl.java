package io.verdant.internal.chan;

import io.verdant.Channel;
import io.verdant.ChannelClosedException;
import io.verdant.TimedOutException;
import io.verdant.internal.RuntimeCore;
import io.verdant.internal.Waits;
import io.verdant.internal.timer.TimerWheel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 *         it in this carrier's LIFO slot); room in the buffer -> append;
 *         otherwise queue a send node and wait.
 *   receive: buffer non-empty -> take the head and move one live sender's
 *         value into the freed room; else a live sender -> take its value;
 *         else closed -> throw; otherwise queue a receive node and wait.
 *   close: set closed, claim every live waiter with CLOSED, unpark them after unlock.
 *
 * Waiting (the steps of Waits): enter (safepoint + cancellation check), lock,
 *   publish the node, unlock, park until the node's waiter leaves WAITING. On
 *   timeout or cancellation the waiter tries to abort (CAS WAITING->ABORTED); if
 *   that succeeds it unlinks its node under the lock and throws, having changed
 *   nothing; if a partner claimed it first, the operation completed and is
 *   reported as success.
 *
 * The lock
 *   A test-and-CAS spin lock: critical sections are a few dozen instructions
 *   and never park, call user code or allocate beyond a node. A waiter spins a
 *   little, then yields (a green thread yields its carrier to our scheduler;
 *   a platform thread to the OS) so a preempted holder can finish. Select
 *   takes the locks of all its channels in id order (no deadlock).
 *   Waking (unpark) always happens after unlock.
 * </pre>
 */
public final class ChannelImpl<T> implements Channel<T> {
    private static final AtomicLong IDS = new AtomicLong();
    /** Spins before yielding: about the length of one critical section. Chosen, not measured. */
    private static final int SPINS = 64;
    static final Object BLOCKER_SEND = "Channel.send";
    static final Object BLOCKER_RECEIVE = "Channel.receive";

    final long id = IDS.incrementAndGet();
    final int capacity;
    @SuppressWarnings("unused") private volatile int lock;
    private Object[] buf;
    private int head;
    private int count;
    // Queues of parked operations: doubly linked, FIFO.
    private Node sendHead;
    private Node sendTail;
    private Node recvHead;
    private Node recvTail;
    private volatile boolean closed;

    public ChannelImpl(int capacity) {
        this.capacity = capacity;
        this.buf = capacity == 0 ? null : new Object[Math.min(capacity, 16)];
    }

    // ------------------------------------------------------------------ public API

    @Override
    public void send(T value) {
        doSend(value, Waits.NO_DEADLINE, false, -1);
    }

    @Override
    public boolean trySend(T value) {
        return doSend(value, 0, true, -1);
    }

    @Override
    public void send(T value, Duration timeout) {
        long nanos = RuntimeCore.toNanos(timeout, "timeout");
        doSend(value, Waits.deadline(nanos), false, nanos);
    }

    @Override
    public T receive() {
        return doReceive(Waits.NO_DEADLINE, false, -1);
    }

    @Override
    public Optional<T> tryReceive() {
        return Optional.ofNullable(doReceive(0, true, -1));
    }

    @Override
    public T receive(Duration timeout) {
        long nanos = RuntimeCore.toNanos(timeout, "timeout");
        return doReceive(Waits.deadline(nanos), false, nanos);
    }

    @Override
    public boolean close() {
        Node wake = null;
        lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            // A claimed owner is unlinked (plain op) or never queued (select waiter): its
            // next link is free to chain the wake-up list. Dead nodes are just dropped.
            for (Node n = pollLiveSender(); n != null; n = pollLiveSender()) {
                n.owner.next = wake;
                wake = n.owner;
                n.complete(Node.CLOSED, null);
            }
            for (Node n = pollLiveReceiver(); n != null; n = pollLiveReceiver()) {
                n.owner.next = wake;
                wake = n.owner;
                n.complete(Node.CLOSED, null);
            }
        } finally {
            unlock();
        }
        while (wake != null) {
            Node next = wake.next;
            wake.next = null;
            LockSupport.unpark(wake.thread);
            wake = next;
        }
        return true;
    }

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

    /** @param nanos the timeout as given (for the message), -1 if none */
    private boolean doSend(T value, long deadline, boolean tryOnly, long nanos) {
        Objects.requireNonNull(value, "value");
        if (!tryOnly) {
            Waits.enter("Channel.send");
        }
        Node n;
        Thread wake;
        lock();
        try {
            if (closed) {
                throw closedException();
            }
            wake = offerLocked(value);
            if (wake == null) {
                if (tryOnly) {
                    return false;
                }
                if (deadline != Waits.NO_DEADLINE && Waits.remaining(deadline) <= 0) {
                    throw timedOut("send", nanos);
                }
                n = new Node(this, true, value);
                enqueueSender(n);
            } else {
                n = null;
            }
        } finally {
            unlock();
        }
        if (n == null) {
            if (wake != NO_WAKE) {
                LockSupport.unpark(wake);
            }
            return true;
        }
        awaitSingle(n, deadline, "Channel.send", "send", nanos);
        return true;
    }

    private T doReceive(long deadline, boolean tryOnly, long nanos) {
        if (!tryOnly) {
            Waits.enter("Channel.receive");
        }
        Node n;
        Object v;
        Thread wake = null;
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
                    s.complete(Node.FIRED, null);
                    wake = s.owner.thread;
                    n = null;
                } else if (closed) {
                    throw closedException();
                } else if (tryOnly) {
                    return null;
                } else if (deadline != Waits.NO_DEADLINE && Waits.remaining(deadline) <= 0) {
                    throw timedOut("receive", nanos);
                } else {
                    v = null;
                    n = new Node(this, false, null);
                    enqueueReceiver(n);
                }
            }
        } finally {
            unlock();
        }
        if (n == null) {
            if (wake != null) {
                LockSupport.unpark(wake);
            }
            @SuppressWarnings("unchecked")
            T t = (T) v;
            return t;
        }
        awaitSingle(n, deadline, "Channel.receive", "receive", nanos);
        @SuppressWarnings("unchecked")
        T t = (T) n.value;
        return t;
    }

    /** Waits for a plain operation's node; returns normally iff it FIRED. */
    private void awaitSingle(Node n, long deadline, String op, String verb, long nanos) {
        TimerWheel.Timer timer = null;
        try {
            for (;;) {
                int s = n.state();
                if (s == Node.FIRED) {
                    return;
                }
                if (s == Node.CLOSED) {
                    throw closedException();
                }
                if (s == Node.WAITING) {
                    boolean cancelled = Waits.cancelled();
                    if (cancelled || Waits.remaining(deadline) <= 0) {
                        if (n.tryAbort()) {
                            lock();
                            try {
                                unlinkLocked(n);
                            } finally {
                                unlock();
                            }
                            throw cancelled ? Waits.cancelledException(op) : timedOut(verb, nanos);
                        }
                        continue;
                    }
                } else {
                    // CLAIMED: the partner is between its CAS and its release store.
                    Thread.onSpinWait();
                    continue;
                }
                timer = Waits.park(n.send ? BLOCKER_SEND : BLOCKER_RECEIVE, deadline, timer);
            }
        } finally {
            Waits.disarm(timer);
        }
    }

    // ------------------------------------------------------------------ under the lock (also used by Select)

    /** Marker: the value was buffered, nobody to wake. */
    static final Thread NO_WAKE = new Thread(() -> { }, "verdant-no-wake");

    /**
     * Under lock, channel open: delivers {@code value} to a live receiver
     * (returns its thread, to unpark after unlock) or buffers it (returns
     * NO_WAKE); null if the sender must wait.
     */
    Thread offerLocked(Object value) {
        Node r = pollLiveReceiver();
        if (r != null) {
            r.complete(Node.FIRED, value);
            return r.owner.thread;
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
                s.complete(Node.FIRED, null);
                return s.owner.thread;
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

    void enqueueSender(Node n) {
        n.queued = true;
        n.prev = sendTail;
        if (sendTail == null) {
            sendHead = n;
        } else {
            sendTail.next = n;
        }
        sendTail = n;
    }

    void enqueueReceiver(Node n) {
        n.queued = true;
        n.prev = recvTail;
        if (recvTail == null) {
            recvHead = n;
        } else {
            recvTail.next = n;
        }
        recvTail = n;
    }

    private Node pollSender() {
        Node n = sendHead;
        if (n != null) {
            unlinkLocked(n);
        }
        return n;
    }

    private Node pollReceiver() {
        Node n = recvHead;
        if (n != null) {
            unlinkLocked(n);
        }
        return n;
    }

    /** Under lock: removes {@code n} from its queue if it is still queued. */
    void unlinkLocked(Node n) {
        if (!n.queued) {
            return;
        }
        n.queued = false;
        Node p = n.prev;
        Node x = n.next;
        if (n.send) {
            if (p == null) {
                sendHead = x;
            } else {
                p.next = x;
            }
            if (x == null) {
                sendTail = p;
            } else {
                x.prev = p;
            }
        } else {
            if (p == null) {
                recvHead = x;
            } else {
                p.next = x;
            }
            if (x == null) {
                recvTail = p;
            } else {
                x.prev = p;
            }
        }
        n.prev = null;
        n.next = null;
    }

    /** Queued nodes (live or dead) in both queues; tests only. */
    int queuedNodes() {
        lock();
        try {
            int k = 0;
            for (Node n = sendHead; n != null; n = n.next) {
                k++;
            }
            for (Node n = recvHead; n != null; n = n.next) {
                k++;
            }
            return k;
        } finally {
            unlock();
        }
    }

    ChannelClosedException closedException() {
        return new ChannelClosedException(this + " is closed");
    }

    private TimedOutException timedOut(String verb, long nanos) {
        return new TimedOutException(verb + " on " + this + " timed out after " + Duration.ofNanos(Math.max(nanos, 0)));
    }

    // ------------------------------------------------------------------ lock

    void lock() {
        if (!LOCK.compareAndSet(this, 0, 1)) {
            slowLock();
        }
    }

    private void slowLock() {
        int spins = 0;
        for (;;) {
            if ((int) LOCK.getOpaque(this) == 0 && LOCK.compareAndSet(this, 0, 1)) {
                return;
            }
            if (++spins < SPINS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    void unlock() {
        LOCK.setRelease(this, 0);
    }

    private static final VarHandle LOCK;
    static {
        try {
            LOCK = MethodHandles.lookup().findVarHandle(ChannelImpl.class, "lock", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
