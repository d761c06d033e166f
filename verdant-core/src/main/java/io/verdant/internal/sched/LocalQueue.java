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
 *   head    advanced by CAS, by the owner (pop) and by stealers (steal).
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
 * Stale references
 *   Popped slots keep their reference until overwritten; at most CAPACITY per
 *   level per worker, which bounds the garbage they can retain.
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

    /** Owner only. Returns false (and leaves the queue unchanged) when full. */
    boolean offer(Task task) {
        long t = tailOpaque();
        long h = headAcquire();
        if (t - h >= CAPACITY) {
            return false;
        }
        buffer[(int) t & MASK] = task;
        setTailRelease(t + 1);
        return true;
    }

    /** Owner only. FIFO pop, racing stealers by CAS on head. */
    Task poll() {
        for (;;) {
            long h = headAcquire();
            long t = tailOpaque();
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
            long intoTail = into.tailOpaque();
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
        return tailOpaque();
    }

    /**
     * Owner only (a traced dispatch, after the slice): whether the last task the
     * owner pushed here since the tail was {@code tail} is {@code t} (taken by a
     * thief meanwhile or not: a popped slot keeps its reference, see "Stale
     * references").
     */
    boolean pushedSince(long tail, Task t) {
        long now = tailOpaque();
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

    /** Owner only (the single writer of tail): its own last write, opaque suffices. */
    private long tailOpaque() {
        return (long) TAIL.getOpaque(this);
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
