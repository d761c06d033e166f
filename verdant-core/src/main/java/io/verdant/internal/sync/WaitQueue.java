package io.verdant.internal.sync;

/**
 * An intrusive, doubly linked FIFO queue of parked waiters, for structures
 * guarded by a {@link SpinLock}: a mutex's waiters. (A channel keeps its parked
 * senders and receivers in lists of its own fields, one object fewer to read per
 * hand-off; see ChannelImpl.) Not thread-safe: every method is called under the owning
 * structure's lock. Removing a node from the middle (a waiter that timed out
 * or was cancelled) is O(1); removing a node that is not queued is a no-op, so
 * a waiter may withdraw after a partner already dequeued it.
 *
 * @param <N> the node type
 */
public final class WaitQueue<N extends WaitQueue.Node<N>> {
    private N head;
    private N tail;
    private int size;

    /** An empty queue. */
    public WaitQueue() {
    }

    /**
     * A queue link. Its fields belong to the queue that holds it (guarded by
     * that queue's lock); a node is in at most one queue at a time.
     *
     * @param <N> the node type itself
     */
    public abstract static class Node<N extends Node<N>> {
        N prev;
        N next;
        boolean queued;

        /** A node in no queue. */
        protected Node() {
        }

        /** @return the node behind this one in its queue, or null; under the queue's lock */
        public final N next() {
            return next;
        }

        /** @return true while the node is in a queue; under the queue's lock */
        public final boolean queued() {
            return queued;
        }
    }

    /**
     * Appends {@code n} at the tail. Under the lock.
     *
     * @param n a node in no queue
     */
    public void append(N n) {
        n.queued = true;
        n.prev = tail;
        if (tail == null) {
            head = n;
        } else {
            tail.next = n;
        }
        tail = n;
        size++;
    }

    /**
     * Removes {@code n} if it is queued here. Under the lock.
     *
     * @param n the node
     * @return true if it was queued and is now removed
     */
    public boolean remove(N n) {
        if (!n.queued) {
            return false;
        }
        n.queued = false;
        N p = n.prev;
        N x = n.next;
        if (p == null) {
            head = x;
        } else {
            p.next = x;
        }
        if (x == null) {
            tail = p;
        } else {
            x.prev = p;
        }
        n.prev = null;
        n.next = null;
        size--;
        return true;
    }

    /** @return the head (still queued), or null if the queue is empty; under the lock */
    public N first() {
        return head;
    }

    /** @return the head, removed, or null if the queue is empty; under the lock */
    public N poll() {
        N n = head;
        if (n != null) {
            remove(n);
        }
        return n;
    }

    /** @return the number of queued nodes; under the lock */
    public int size() {
        return size;
    }
}
