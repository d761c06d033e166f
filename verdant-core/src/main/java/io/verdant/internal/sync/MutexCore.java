package io.verdant.internal.sync;

import io.verdant.internal.Deadline;
import io.verdant.internal.OwnedLock;
import io.verdant.internal.Waits;

import java.util.concurrent.locks.LockSupport;

/**
 * The lock state and waiting of {@code io.verdant.Mutex}: owner, poison mark
 * and a strict FIFO queue of waiters. {@code Mutex} checks arguments, turns
 * {@link Result}s into its documented exceptions and guards the value. An
 * {@link OwnedLock}, so a green thread that ends holding it releases and
 * poisons it.
 */
public final class MutexCore extends OwnedLock implements io.verdant.internal.AbandonedWaits {
    /*
     * Design
     *   A SpinLock guards owner, poisoned and the FIFO WaitQueue of waiter
     *   nodes; sections are a few field writes and never park.
     *   lock:    owner == null (then the queue is empty: unlock never leaves the
     *            mutex free while someone waits) -> take it; else append a node,
     *            park (the Waits protocol, the Mutex as blocker) until
     *            node.granted, or until timeout/cancellation: then, under the
     *            spin lock, remove the node unless it was granted meanwhile (then
     *            the lock is ours: kept on timeout, passed on and reported on
     *            cancellation).
     *   unlock:  under the spin lock, pop the first node, make its thread the owner,
     *            set granted (volatile); unpark it after releasing the spin lock.
     * Memory ordering
     *   The guarded value is only touched by the owner; ownership passes through
     *   the spin lock and the volatile node flag, which orders the previous
     *   owner's writes before the next owner's reads. owner and poisoned are
     *   written under the spin lock and volatile for the snapshot readers.
     * Overflow
     *   Near the end of a stack (a lock deep in a runaway recursion) any call
     *   can throw StackOverflowError at its entry. Every section releases the
     *   spin lock with a volatile store should the call of unlock() overflow
     *   (SpinLock, "Overflow"); lock records the hold (OwnedLock) before the
     *   mutex can become the caller's and unlock releases before it forgets the
     *   hold, so an owner always has its hold recorded and its end releases it.
     *   A wait calls everything after queueing its node inside one try; should
     *   its undo (leaveQueue, release) overflow in turn, it marks the node
     *   abandoned with a volatile store (no call), and release skips abandoned
     *   nodes; a waiter whose wait overflowed keeps its hold recorded (it may
     *   be granted the mutex by a releaser that looked at its node just before
     *   the mark), so its end releases it. (A stack probe before queueing, which
     *   would make the undo safe instead, cost a contended lock about 40 % of
     *   its throughput.)
     * Threads
     *   lock/tryLock: any thread. unlock/clearPoison: the owner. Snapshots: any thread.
     */

    /** What an attempt to lock ended with. */
    public enum Result {
        /** The caller now holds the mutex. */
        ACQUIRED,
        /** The caller already held it: nothing changed. */
        HELD_BY_CALLER,
        /** Held by another thread (or waited for), and the caller may not wait. */
        BUSY,
        /** The deadline passed while waiting; nothing is held, the queue is as before. */
        TIMED_OUT,
        /** The caller was cancelled or interrupted; nothing is held. */
        CANCELLED
    }

    private final SpinLock spin = new SpinLock();
    private final WaitQueue<Waiter> queue = new WaitQueue<>();
    private final Object blocker;
    private volatile Thread owner;
    private volatile boolean poisoned;
    /** Mutex ids, for wait reasons and dumps ("Mutex.lock #5 held by ..."). */
    private static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong();
    private final long id = IDS.incrementAndGet();

    /**
     * A free, unpoisoned mutex core.
     *
     * @param blocker what waiters park on (LockSupport's blocker): the public mutex
     */
    public MutexCore(Object blocker) {
        this.blocker = blocker;
    }

    /**
     * Acquires, waiting until {@code deadline} behind earlier waiters. The
     * caller has run {@code Waits.enter} already.
     *
     * @param deadline how long to wait (NOW: do not wait; then BUSY if held)
     * @return ACQUIRED, HELD_BY_CALLER, BUSY (only for NOW), TIMED_OUT or CANCELLED
     */
    public Result lock(Deadline deadline) {
        // The hold is recorded before the mutex can become the caller's, and forgotten
        // again unless it did: an owner whose recording overflowed the stack just after
        // it took the mutex was an owner nobody would release (its end releases only
        // the holds it recorded). A record without the mutex is harmless: the release
        // at the thread's end does nothing for a non-owner.
        OwnedLock.recordHeld(this);
        Result r;
        try {
            r = lockRecorded(deadline);
        } catch (Throwable t) {
            // A StackOverflowError may leave the caller the owner, now or later: its undo
            // overflowed after a grant, or it marked its node abandoned just after a
            // releaser had looked at the node and before that releaser made it the owner.
            // The record then stays, so the caller's end releases the mutex (a record
            // without the mutex is harmless, see above).
            if (!(t instanceof StackOverflowError) && owner != Thread.currentThread()) {
                OwnedLock.recordReleased(this);
            }
            throw t;
        }
        if (r != Result.ACQUIRED) {
            OwnedLock.recordReleased(this);
        }
        return r;
    }

    /** {@link #lock}, with the hold recorded already. */
    private Result lockRecorded(Deadline deadline) {
        Thread me = Thread.currentThread();
        Waiter node;
        spin.lock();
        try {
            if (owner == me) {
                return Result.HELD_BY_CALLER;
            }
            if (owner == null) {
                owner = me;
                node = null;
            } else if (deadline.isNow()) {
                return Result.BUSY;
            } else if (deadline.expired()) {
                return Result.TIMED_OUT;
            } else {
                node = new Waiter(me);
                queue.append(node);
            }
        } finally {
            try {
                spin.unlock();
            } catch (StackOverflowError e) {
                spin.lock = 0; // the call overflowed at its entry: SpinLock, "Overflow"
            }
        }
        if (node == null) {
            return Result.ACQUIRED;
        }
        Object jfr = null;
        Waits.Outcome outcome;
        boolean granted;
        try {
            // Every call from here until the node is known to be out of the queue is in
            // this try: any of them can overflow the stack, also at its entry ("Overflow").
            jfr = io.verdant.internal.obs.Jfr.mutexWaitBegin(this);
            outcome = Waits.await(blocker, deadline, () -> node.granted);
            io.verdant.internal.sched.Faults.mutexWaitEnded();
            granted = outcome == Waits.Outcome.READY || leaveQueue(node);
        } catch (Throwable t) {
            // The wait threw (a StackOverflowError in park or at a call's entry, an
            // OutOfMemoryError arming its timer): leave the queue, or pass on a mutex
            // granted meanwhile. A node left queued would later be granted the mutex for a
            // thread that is gone: every later lock would time out. Should the undo itself
            // overflow, the node is marked abandoned (a store, no call): release skips it.
            try {
                if (leaveQueue(node)) {
                    release(me, false);
                }
            } catch (StackOverflowError e) {
                node.abandoned = true;
            }
            throw t;
        }
        // What the caller ends with, not only the hand-off: a cancelled waiter passes on a
        // mutex granted meanwhile, and a timed-out one keeps it (MutexWaitEventTest).
        boolean kept = granted && outcome != Waits.Outcome.CANCELLED;
        io.verdant.internal.obs.Jfr.mutexWaitEnd(jfr, !kept);
        if (!granted) {
            return outcome == Waits.Outcome.CANCELLED ? Result.CANCELLED : Result.TIMED_OUT;
        }
        if (!kept) {
            release(me, false);
            return Result.CANCELLED;
        }
        return Result.ACQUIRED;
    }

    /**
     * A waiter that stops waiting without the mutex in hand (timed out, cancelled,
     * or its wait threw): takes its node out of the queue unless the mutex was
     * granted to it meanwhile, under the spin lock the granting owner holds.
     *
     * @return true if it was granted (the caller now owns the mutex)
     */
    private boolean leaveQueue(Waiter node) {
        spin.lock();
        try {
            boolean granted = node.granted;
            if (!granted) {
                queue.remove(node);
            }
            return granted;
        } finally {
            try {
                spin.unlock();
            } catch (StackOverflowError e) {
                spin.lock = 0; // the call overflowed at its entry: SpinLock, "Overflow"
            }
        }
    }

    /**
     * The owner unlocks: the mutex passes to the longest waiter, or becomes free.
     *
     * @return false if the caller is not the owner (nothing changed)
     */
    public boolean unlock() {
        Thread me = Thread.currentThread();
        if (owner != me) {
            return false;
        }
        // Release first, then forget the hold: should either call overflow the stack, the
        // hold is still recorded while the caller owns the mutex, so its end releases it.
        release(me, false);
        OwnedLock.recordReleased(this);
        return true;
    }

    /** @return true if the calling thread holds the mutex */
    public boolean heldByCaller() {
        return owner == Thread.currentThread();
    }

    @Override
    public Thread holderThread() {
        return owner;
    }

    /** The wait reason of a thread parked on this mutex: its id and holder, never the guarded value. */
    @Override
    public String toString() {
        return describe(owner);
    }

    /**
     * The wait reason text with {@code holder} as the holder (JFR's MutexWait
     * event, built when the wait ends, names the holder seen when it began).
     *
     * @param holder a holder, or null for none
     * @return "Mutex.lock #id held by ..." or "Mutex.lock #id free"
     */
    public String describe(Thread holder) {
        return describe(holder, io.verdant.internal.obs.WaitReasons.greenOf(holder));
    }

    /**
     * As {@link #describe(Thread)}, with the green thread {@code holder} ran as
     * resolved already (JFR's MutexWait resolves it when the wait begins).
     *
     * @param holder a holder, or null for none
     * @param green  the green thread {@code holder} runs as ({@code WaitReasons.greenOf}), or null
     * @return "Mutex.lock #id held by ..." or "Mutex.lock #id free"
     */
    public String describe(Thread holder, io.verdant.internal.GreenThread<?> green) {
        return "Mutex.lock #" + id + io.verdant.internal.obs.WaitReasons.heldBy(holder, green);
    }

    /** @return the holder, or null; a snapshot */
    public Thread owner() {
        return owner;
    }

    /** @return true if poisoned; a snapshot */
    public boolean poisoned() {
        return poisoned;
    }

    /** Clears the poison mark. The owner only. */
    public void clearPoison() {
        poisoned = false;
    }

    /** @return the number of threads waiting; a snapshot */
    public int waiters() {
        spin.lock();
        try {
            int n = 0;
            for (Waiter w = queue.first(); w != null; w = w.next()) {
                if (!w.abandoned) {
                    n++;
                }
            }
            return n;
        } finally {
            try {
                spin.unlock();
            } catch (StackOverflowError e) {
                spin.lock = 0; // the call overflowed at its entry: SpinLock, "Overflow"
            }
        }
    }

    /**
     * Close of the runtime of {@code t}, which abandoned it waiting here: its node
     * leaves the queue unless the mutex was granted to it already (then it may be
     * running with the lock in hand, and keeps it as an abandoned holder does).
     * Any thread. Should {@code t} run again, its wait ends as a cancelled one does.
     */
    @Override
    public void dropAbandoned(Thread t) {
        spin.lock();
        try {
            for (Waiter n = queue.first(); n != null; n = n.next()) {
                if (n.thread == t && !n.granted) {
                    queue.remove(n);
                    return;
                }
            }
        } finally {
            try {
                spin.unlock();
            } catch (StackOverflowError e) {
                spin.lock = 0; // the call overflowed at its entry: SpinLock, "Overflow"
            }
        }
    }

    @Override
    protected void releaseByDeadOwner(Thread ownerThread) {
        release(ownerThread, true);
    }

    /** The owner {@code me}: passes the mutex to the first waiter, or frees it. */
    private void release(Thread me, boolean poison) {
        Waiter next;
        spin.lock();
        try {
            if (owner != me) {
                return;
            }
            if (poison) {
                poisoned = true;
            }
            next = queue.poll();
            while (next != null && next.abandoned) {
                next = queue.poll(); // its waiter's undo overflowed: it waits no more ("Overflow")
            }
            if (next != null) {
                owner = next.thread;
                next.granted = true;
            } else {
                owner = null;
            }
        } finally {
            try {
                spin.unlock();
            } catch (StackOverflowError e) {
                spin.lock = 0; // the call overflowed at its entry: SpinLock, "Overflow"
            }
        }
        if (next != null) {
            LockSupport.unpark(next.thread);
        }
    }

    private static final class Waiter extends WaitQueue.Node<Waiter> {
        final Thread thread;
        /** Set once, under the spin lock, by the releasing owner; read by the waiter. */
        volatile boolean granted;
        /**
         * Set once, by the waiter only, when taking its node back overflowed the stack
         * ("Overflow"); read by releasers under the spin lock, which skip the node.
         */
        volatile boolean abandoned;

        Waiter(Thread thread) {
            this.thread = thread;
        }
    }
}
