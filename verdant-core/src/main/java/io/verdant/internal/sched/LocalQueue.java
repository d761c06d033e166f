package io.verdant.internal.sched;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One priority level of one worker's run queue: a bounded single-producer,
 * multi-consumer ring. The owning worker pushes at the tail and pops at the head
 * (FIFO); other workers steal up to half from the head.
 *
 * <pre>
 * Overview
 *   head and tail are ever-increasing longs (no wrap-around, so no ABA); slot i
 *   lives at buffer[i & MASK]. Items in [head, tail) are queued.
 *
 * Who touches what
 *   tail    written by the owner only (release); read by stealers (acquire).
 *   head    advanced by CAS, by the owner (pop) and by stealers (steal; the
 *           ticker's takeOne for Sysmon's priority rule c).
 *   buffer  slot writes by the owner only, before the releasing tail store.
 *
 * Why a stealer's read-then-CAS is safe
 *   A stealer reads head = h, then tail (acquire), copies slots [h, h+n), then
 *   CASes head from h to h+n. The owner overwrites a slot s only when pushing at
 *   t = s + CAPACITY, which needs t - head < CAPACITY, i.e. head > s >= h. So while
 *   head is still h no copied slot can have been overwritten; if the CAS succeeds
 *   head was h all along (it only increases), so the copy is valid. If it fails,
 *   the copy is discarded and the stealer retries. Same argument for pop.
 *
 * Overflow: half the ring in one batch (push, after tokio's push_overflow)
 *   When the owner pushes into a full ring (tail - head == CAPACITY), it claims
 *   the oldest half, [h, h + CAPACITY/2), with one CAS of head from h, exactly
 *   as a stealer claims a batch, and only then reads those slots. The proof
 *   above covers it: the CAS succeeds only if head was h all along, so no
 *   stealer claimed any of them (a stealer that copied some of them fails its
 *   own CAS afterwards and retries from the new head); and nobody overwrites
 *   them, since only the owner writes slots and it is busy here. If the CAS
 *   fails a stealer took some tasks, and there is room for the push. The owner
 *   copies the claimed tasks, oldest first, into a new array (slots keep their
 *   stale references, see below) and hands it to the injection queue as one
 *   node (InjectionQueue.pushBatch, "Array batches": the array, not a chain
 *   through the tasks, so neither side touches the tasks themselves); then it
 *   pushes the new task into the room made. So a producer that outruns every consumer pays
 *   one lock per CAPACITY/2 pushes instead of an allocation, a CAS and a shared
 *   counter per push. Order: every task moved is older than every task left in
 *   the ring, the chain keeps its order, and the new task goes behind the ring's
 *   newest, so one producer's tasks reach the injection queue in push order.
 *   (tokio and Go move the new task out with the half; keeping it here keeps
 *   that order, and the most recently woken task, likely still in this core's
 *   cache, runs here.) Half, not all: the owner keeps work of its own and the
 *   ring keeps work to steal. All tasks of one ring have its level as priority
 *   (Task.priority changes only while a task is in no queue).
 *   The array and its node are allocated before the claim: an OutOfMemoryError
 *   there leaves every task in the ring and the pushed task unqueued, so the
 *   push throws having changed nothing (GreenThread.execute then gives the
 *   thread's token back, and the JDK's retry of the submission queues it).
 *   Allocated after the claim, it lost the 128 claimed tasks.

 * Refill from the injection queue (offerChain, offerArray)
 *   The owner writes a chain (or, from an array batch, an array slice) of n
 *   tasks it took from the injection queue into slots [t, t+n) and publishes them with one release store of tail, after
 *   checking there is room; to stealers it looks like n pushes at once. A chain
 *   is appended only as far as its tasks are of the ring's level and fit: a task
 *   re-levelled while it was injected (Dispatcher.wakeAt's stray unpark) ends the
 *   append, and the caller queues it and the rest one by one (Worker.refill).
 *
 * Stale references
 *   Popped slots keep their reference until overwritten; at most CAPACITY per
 *   level per worker, which bounds the garbage they can retain.
 *
 * The owner's pop and what it costs (issue 11, "yield against the floor")
 *   One CAS of head per pop, and it stays: owner and thieves take from the same
 *   end (the owner's order is FIFO), so every pop may race a thief for the same
 *   slot. A Chase-Lev owner (pop at the other end than thieves, CAS only for the
 *   last element) would need LIFO order for the owner and still a StoreLoad
 *   fence per pop (store its index, then read the thieves'): "Laws of Order"
 *   (Attiya et al., POPL 2011) shows a work-stealing take needs a fence or an
 *   atomic. On x86 HotSpot's full fence is a locked instruction too (lock addl
 *   on the stack), so that trade removes nothing. What the owner does save:
 *   tail is read plainly (it is its only writer), and a pop reports whether it
 *   emptied the ring (emptied, an owner-only plain field) from the tail it read,
 *   so the worker clears its level bit without two more ordered loads.
 * </pre>
 */
final class LocalQueue {
    /** 256 slots per level, as in tokio's local queue: large enough that overflow
     * to the injection queue is rare, small enough to stay cache-resident. */
    static final int CAPACITY = 256;
    private static final int MASK = CAPACITY - 1;

    private final Task[] buffer = new Task[CAPACITY];
    @SuppressWarnings("unused") private volatile long head;
    @SuppressWarnings("unused") private volatile long tail;
    /** Owner only, plain: the last {@link #poll()} found the ring empty or took its last task.
     * True is never stale (only the owner adds tasks); false may be (thieves emptied the ring). */
    boolean emptied;

    /** Owner only. Returns false (and leaves the queue unchanged) when full. */
    boolean offer(Task task) {
        long t = tailOwn();
        long h = headAcquire();
        if (t - h >= CAPACITY) {
            return false;
        }
        buffer[(int) t & MASK] = task;
        setTailRelease(t + 1);
        return true;
    }

    /**
     * Owner only. Pushes {@code task} at the tail; if the ring is full, first
     * moves its older half to {@code overflow} as one batch (see "Overflow").
     *
     * @param task     the task to queue
     * @param overflow where the batch goes when the ring is full
     * @return true if the ring was full and a batch went to {@code overflow}
     */
    boolean push(Task task, InjectionQueue overflow) {
        boolean overflowed = false;
        for (;;) {
            long t = tailOwn();
            long h = headAcquire();
            if (t - h < CAPACITY) {
                buffer[(int) t & MASK] = task;
                setTailRelease(t + 1);
                return overflowed;
            }
            // Full: move the older half out; if a stealer won the race for the
            // head instead, it made room. Either way there is room on the next turn.
            overflowed |= moveHalf(h, overflow, task.priority);
        }
    }

    /**
     * Owner only, the ring full with head at {@code h}: the batch of "Overflow";
     * false if a stealer won. Allocates the batch before it claims the tasks (see
     * "Overflow"): an OutOfMemoryError leaves the ring as it was.
     */
    private boolean moveHalf(long h, InjectionQueue overflow, int level) {
        final int half = CAPACITY / 2;
        Faults.overflowAllocating();
        InjectionQueue.Batch batch = InjectionQueue.newBatch(half, level);
        if (!casHead(h, h + half)) {
            return false;
        }
        Task[] tasks = batch.tasks;
        for (int i = 0; i < half; i++) {
            tasks[i] = buffer[(int) (h + i) & MASK];
        }
        overflow.pushBatch(batch);
        return true;
    }

    /** Owner only: free slots now (a stealer may add more concurrently, never take them). */
    int room() {
        return (int) (CAPACITY - (tailOwn() - headAcquire()));
    }

    /**
     * Owner only: appends the chain starting at {@code first} (through Task.next,
     * ending in null; taken from the injection queue), clearing each link, with
     * one release of tail (see "Refill"), as far as its tasks are of priority
     * {@code level} and the ring has room.
     *
     * @param first the chain's first task
     * @param level this ring's level
     * @return the first task not appended, still linked to the rest of the chain;
     *         null if the whole chain was appended
     */
    Task offerChain(Task first, int level) {
        long t = tailOwn();
        long limit = headAcquire() + CAPACITY;
        long end = t;
        Task c = first;
        while (c != null && end < limit && c.priority == level) {
            buffer[(int) end & MASK] = c;
            c = InjectionQueue.unlinkNext(c);
            end++;
        }
        if (end != t) {
            setTailRelease(end);
        }
        return c;
    }

    /**
     * Owner only: appends {@code a[from, from + n)} (tasks taken from an
     * injection-queue batch, InjectionQueue "Array batches") with one release
     * of tail, as {@link #offerChain} does for a chain.
     *
     * @throws IllegalStateException if {@code n} is more than {@link #room()} (a caller's defect)
     */
    void offerArray(Task[] a, int from, int n) {
        long t = tailOwn();
        if (t + n > headAcquire() + CAPACITY) {
            throw new IllegalStateException("batch longer than the room left");
        }
        for (int i = 0; i < n; i++) {
            buffer[(int) (t + i) & MASK] = a[from + i];
        }
        setTailRelease(t + n);
    }

    /**
     * Owner only. FIFO pop, racing stealers by CAS on head. Sets {@link #emptied}
     * when it returns null or took the ring's last task: only the owner adds
     * tasks, so a ring whose head reached the tail it read is empty until the
     * owner pushes again.
     */
    Task poll() {
        for (;;) {
            long h = headAcquire();
            long t = tailOwn();
            if (h >= t) {
                emptied = true;
                return null;
            }
            Task task = buffer[(int) h & MASK];
            if (casHead(h, h + 1)) {
                emptied = h + 1 == t;
                return task;
            }
        }
    }

    /**
     * Any thread but the owner. Moves up to half of the queued tasks into
     * {@code into} (the caller's own queue, of which the caller is the owner) and
     * returns one more to run directly, or null if nothing could be stolen.
     */
    Task stealInto(LocalQueue into) {
        for (;;) {
            long h = headAcquire();
            long t = tailAcquire();
            long available = t - h;
            if (available <= 0) {
                return null;
            }
            int n = (int) Math.min((available + 1) / 2, CAPACITY / 2);
            long intoTail = into.tailOwn();
            long intoHead = into.headAcquire();
            int room = (int) (CAPACITY - (intoTail - intoHead));
            n = Math.min(n, room + 1);
            if (n <= 0) {
                return null;
            }
            Task first = buffer[(int) h & MASK];
            for (int i = 1; i < n; i++) {
                into.buffer[(int) (intoTail + i - 1) & MASK] = buffer[(int) (h + i) & MASK];
            }
            if (casHead(h, h + n)) {
                if (n > 1) {
                    into.setTailRelease(intoTail + n - 1);
                }
                return first;
            }
        }
    }

    /**
     * Any thread but the owner (the ticker, Sysmon rule c): takes the oldest task,
     * or null if the ring is empty. A steal of one task into no ring, safe by the
     * stealer's argument above (read head, then tail, then the slot; CAS head).
     */
    Task takeOne() {
        for (;;) {
            long h = headAcquire();
            long t = tailAcquire();
            if (h >= t) {
                return null;
            }
            Task task = buffer[(int) h & MASK];
            if (casHead(h, h + 1)) {
                return task;
            }
        }
    }

    /**
     * Owner only, on a ring its own polls emptied and that nobody pushes to again
     * (a retiring spare's, Worker.drainToInjection): drops the stale references
     * of its slots (see "Stale references": bounded per live worker, but a
     * retired spare stays reachable from Task.worker of the tasks it ran). Safe
     * against a thief: one that read a slot before these stores read head below
     * the tail, before the owner's last poll, so its CAS of head fails; one that
     * reads head now finds the ring empty and reads no slot.
     */
    void clearStale() {
        java.util.Arrays.fill(buffer, null);
    }

    /** Any thread; a snapshot that may be stale by the time it returns. */
    boolean isEmpty() {
        return headAcquire() >= tailAcquire();
    }

    /** Any thread; a snapshot. */
    int size() {
        return (int) Math.max(0, tailAcquire() - headAcquire());
    }

    /**
     * Owner only (a traced dispatch, before the slice): the tail now, to pass to
     * {@link #pushedSince} after it.
     */
    long tailOwner() {
        return tailOwn();
    }

    /**
     * Owner only (a traced dispatch, after the slice): whether the last task the
     * owner pushed here since the tail was {@code tail} is {@code t} (taken by a
     * thief meanwhile or not: a popped slot keeps its reference, see "Stale
     * references").
     */
    boolean pushedSince(long tail, Task t) {
        long now = tailOwn();
        return now != tail && buffer[(int) (now - 1) & MASK] == t;
    }

    // ------------------------------------------------------------------ accessors, named by access mode

    /** Any thread: head with acquire, so the slots below it read after it are the ones it covers. */
    private long headAcquire() {
        return (long) HEAD.getAcquire(this);
    }

    /** Owner or a stealer: advances head from {@code expect}; see "Why a stealer's read-then-CAS is safe". */
    private boolean casHead(long expect, long update) {
        return HEAD.compareAndSet(this, expect, update);
    }

    /** Owner only (the single writer of tail): its own last write, in program order; a plain read. */
    private long tailOwn() {
        return (long) TAIL.get(this);
    }

    /** Any thread: tail with acquire, pairing with the owner's release so the slots it covers are written. */
    private long tailAcquire() {
        return (long) TAIL.getAcquire(this);
    }

    /** Owner only: publishes the slots written below {@code t}. */
    private void setTailRelease(long t) {
        TAIL.setRelease(this, t);
    }

    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(LocalQueue.class, "head", long.class);
            TAIL = l.findVarHandle(LocalQueue.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
