package io.verdant.internal.sched;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The runtime's global run queue (one FIFO per priority level), fed by every
 * thread that is not one of the runtime's carriers (platform threads, the JDK's
 * timer and I/O poller threads, foreign virtual threads) and by the carriers'
 * {@link LocalQueue}s when they overflow; drained by the carriers, in batches.
 *
 * <pre>
 * Overview: many producers that never wait, one consumer at a time
 *   Each level is an intrusive multi-producer queue through Task.next, after
 *   Dmitry Vyukov's non-intrusive/intrusive MPSC node queue: a producer appends
 *   a chain first..last (one task, or a chain of several) with one getAndSet
 *   of the level's tail and one release store of the old tail's next; a
 *   LocalQueue's overflow is one node holding an array (see "Array batches").
 *   No allocation (but that node and its array, per overflow) and one atomic per push or per batch, where the
 *   ConcurrentLinkedQueue this replaces paid a node, a CAS and a shared counter
 *   per task (the wake benchmark: one sender overflowing one task at a time).
 *   Consumers are the carriers; one at a time may take (the consumer flag, a
 *   CAS tried FLAG_SPINS times, never waited on: a carrier that still finds it
 *   taken sees "nothing for now" and goes on to steal, or re-checks).
 *   The holder takes up to n tasks of the best level as one chain: a walk of
 *   their next links and one cut (Scheduler.pollInjectedAbove moves all but the
 *   first into the carrier's own ring).
 *
 * Why neither side ever blocks
 *   execute() must never wait (DESIGN.md): a push is a getAndSet, a store and a
 *   getAndAdd. A lock here let a producer (a carrier inside a green thread's send)
 *   wait for a lock holder the OS had descheduled; on the loaded test machine
 *   that showed up as a sender "holding" its carrier for 100 ms and a spare
 *   started (the wake probe). The consumer flag is only ever tried.
 *
 * Each level (fields of {@link Level})
 *   tail    the newest task, or the level's stub; getAndSet by producers.
 *   head    the oldest task not yet taken, or the stub; consumer flag holder only.
 *   stub    a task that is never run: the queue is never without a node, so a
 *           producer always has an old tail to link from. When the holder has
 *           taken every task it re-pushes the stub (as a producer would).
 *   pushed  tasks pushed so far (getAndAdd by producers, AFTER linking).
 *   taken   tasks taken so far (flag holder only; opaque writes, volatile reads).
 *   pushed - taken is what the level holds as far as the counts know. Counting
 *   after linking means the count never announces a task that no taker can
 *   reach because its own producer has not linked it yet (counting first made
 *   idle carriers spin through search and park's re-check whenever a producer
 *   was descheduled between the two). It may briefly be 0 or negative while a
 *   task is already linked or even taken (its producer has yet to count it):
 *   readers treat <= 0 as "nothing to take", which is safe because that
 *   producer counts it next and then runs signalWork (step 4 below).
 *   A task may also be counted and not yet reachable: a producer B linked
 *   behind producer A's chain and counted, while A is between its getAndSet
 *   and its link. Takers see the chain end early until A links (Vyukov's queue
 *   is not linearizable in that window); carriers then search and re-check
 *   until A runs again, as they would behind any preempted producer.
 *
 * A producer's steps (push, pushBatch)
 *   1. the chain's links are written (plain: nobody else sees the chain yet)
 *      and last.next = null;
 *   2. prev = getAndSet(tail, last);
 *   3. prev.next = first (release: everything written to the chain before is
 *      visible to the consumer that reads this link with acquire);
 *   4. pushed += n (a volatile read-modify-write: a full fence, the store half
 *      of the Dekker pair with Scheduler.park's fullFence-then-read re-check;
 *      the caller's signalWork follows with its own fence and its read of the
 *      idle count);
 *   5. the level's bit in maybe, if clear (see "The dispatch path's hint").
 *
 * The consumer's steps (pollBatch, holding the flag)
 *   h = head; if h is the stub: its next (acquire) is the first task, or null
 *   (nothing linked yet: return null). Then walk next links (acquire) from h
 *   until n tasks, a null link, or the stub. The chain h..k is taken if k.next
 *   was non-null (k is not the tail: its producer linked past it and is done
 *   with it): head = k.next, k.next = null. If k.next is null, k may be the
 *   tail: if tail == k, push the stub behind it (steps 2-3); then k.next is
 *   either the stub or a producer's chain once its step 3 lands; if it is still
 *   null a producer is between steps 2 and 3: k is left in the queue and the
 *   chain stops before it (or nothing is returned). A stub met inside a walk
 *   ends the chain before it (its predecessor's link is cut; the stub becomes head).
 *   taken += length; the flag is released (release store).
 *
 * The dispatch path's hint (maybe; issue 11)
 *   A carrier looks at the injection queues at every dispatch (Worker.next:
 *   injected work of a better priority than its local work goes first). It
 *   reads one word for that, maybe, instead of both counts of every level
 *   that counts: bit p set means level p may hold tasks. It is a hint, used
 *   only on the dispatch path (Scheduler.pollInjectedHinted); search and
 *   park's re-check read the counts, so no wake-up protocol depends on it.
 *   Set: a producer, after its count (step 4), reads maybe and sets its
 *   level's bit if clear (getAndBitwiseOr: an atomic only when the bit was
 *   clear). Cleared: by a carrier whose dispatches found the bits set and the
 *   levels empty HINT_MISSES times in a row (Scheduler.pollInjectedHinted),
 *   with clearHintsBelow: clear (an atomic), then re-read the counts (volatile)
 *   and set again the bit of every level that holds a task. Why no task is
 *   left behind a clear bit for longer than its producer's own steps: the
 *   clear and the producer's count are both read-modify-writes, so one comes
 *   first in their total order; if the clear, the producer's read of maybe
 *   after its count sees it and sets the bit; if the count, the clearer's
 *   re-read of the counts sees the task and sets the bit. So a bit is clear
 *   over a queued task only while that producer is between steps 4 and 5 or a
 *   clearer between its clear and its re-set: the dispatches in that window
 *   do not see the task yet, as if it had been pushed a little later.
 *   The word has a cache line of its own (padding: InjectionQueueHint): every
 *   dispatch of every carrier reads it, and the fields of this object next to
 *   it (the consumer flag, the statistics) are written at every take and
 *   overflow; read from the same line, the hint would miss in cache on every
 *   dispatch while another carrier takes or overflows (spawn, wake).
 *
 * Array batches (pushArray: a LocalQueue's overflow)
 *   An overflow is one {@link Batch} node holding the tasks in an array, not a
 *   chain linked through the tasks' own next fields. A taker that walked such a
 *   chain followed 128 links of tasks last touched on the producer's core, one
 *   dependent cache miss after another, while holding the consumer flag: in
 *   the wake benchmark (one sender overflowing its ring for a million
 *   wake-ups) that walk was 13 % of the carriers' samples after the send loop
 *   and the other carrier's spin on the flag 7 % more. A batch node counts as
 *   as many tasks as its array holds (pushed += n). The flag holder takes from
 *   a batch at the head only: up to max of its tasks, read off the array in
 *   order (from, a field only the flag holder touches, says how many are
 *   gone; taken slots are cleared, so a half-taken batch keeps nothing it
 *   handed out reachable). With a ring to fill (pollBatch's into) they are
 *   copied there directly; otherwise linked into the returned chain. A walk
 *   over single tasks stops before a batch node, as before the stub. A batch
 *   whose tasks are all taken leaves the queue as a single task does (its
 *   next set: head moves on; the tail: the stub is pushed behind it first); if
 *   its producer-successor is half-way, the emptied node stays as the head
 *   (it counts for nothing) and the next take unlinks it first.
 *
 * Invariants
 *   A task is in at most one queue at a time (it is submitted once per time it
 *   becomes runnable), so one next field per task suffices. A task taken out
 *   has next == null (a popped task keeps nothing reachable). Only the flag
 *   holder writes head, taken, and the next of tasks it takes.
 *
 * Progress
 *   Producers are wait-free. The consumer side is lock-free in the sense that
 *   matters here: a carrier never waits for it; if the flag holder or a
 *   producer between steps 2 and 3 is descheduled, tasks behind it wait for
 *   that thread to run again, while every carrier stays free to steal, run
 *   its own work, and re-check.
 * </pre>
 */
final class InjectionQueue extends InjectionQueueHintPad {
    /** One level's queue: see the class comment. */
    private static final class Level {
        final Task stub = new Stub();
        @SuppressWarnings("unused") volatile Task tail = stub;
        /** Flag holder only. */
        Task head = stub;
        @SuppressWarnings("unused") volatile long pushed;
        @SuppressWarnings("unused") volatile long taken;
        /** This level's bit in {@link InjectionQueue#maybe}. */
        final int bit;

        Level(int p) {
            bit = 1 << p;
        }
    }

    /** A node holding an overflowed batch of tasks (see "Array batches"); never run. */
    static final class Batch extends Task {
        /** Written by the producer before the node is linked (the link's release publishes them);
         * then by the flag holder only, which clears each slot it takes. */
        final Task[] tasks;
        /** Flag holder only: tasks[0, from) have been taken. */
        int from;

        Batch(Task[] tasks, int level) {
            super(level);
            this.tasks = tasks;
        }

        @Override
        protected void dispatch(Worker worker) {
            throw new IllegalStateException("an injection queue's batch node is never run");
        }
    }

    /** The node a level is never without; never run. */
    private static final class Stub extends Task {
        Stub() {
            super(0);
        }

        @Override
        protected void dispatch(Worker worker) {
            throw new IllegalStateException("an injection queue's stub is never run");
        }
    }

    /** Tries of the consumer flag before a taker gives up ("nothing for now"): the
     * holder keeps it for one walk of at most LocalQueue.CAPACITY / 2 links, a
     * few microseconds; a taker that gave up at once made the other carrier spin
     * through search and park's re-check while the holder finished. Chosen, not measured. */
    private static final int FLAG_SPINS = 128;
    private final Level[] levels = new Level[Scheduler.LEVELS];
    /** 1 while a carrier takes tasks (the consumer flag), else 0. */
    @SuppressWarnings("unused") private volatile int consuming;
    /** Statistics: batch pushes so far and the tasks they brought (getAndAdd, once per batch). */
    @SuppressWarnings("unused") private volatile long batches;
    @SuppressWarnings("unused") private volatile long batchTasks;
    /** Statistics, flag holder only: takes that returned tasks. */
    @SuppressWarnings("unused") private volatile long takes;

    InjectionQueue() {
        for (int p = 0; p < levels.length; p++) {
            levels[p] = new Level(p);
        }
    }

    /** Any thread: appends {@code task} at the back of its level. */
    void push(Task task) {
        task.next = null;
        append(levels[task.priority], task, task, 1);
    }

    /**
     * Any thread that built the chain {@code first -> ... -> last} (through
     * Task.next, all of priority {@code level}, none of them queued anywhere):
     * appends the whole chain at the back of that level, in chain order, with
     * one getAndSet.
     *
     * @param first the oldest task of the chain
     * @param last  the newest task of the chain
     * @param n     the number of tasks in the chain
     * @param level their priority level
     */
    void pushBatch(Task first, Task last, int n, int level) {
        last.next = null;
        BATCHES.getAndAdd(this, 1L);
        BATCH_TASKS.getAndAdd(this, (long) n);
        append(levels[level], first, last, n);
    }

    /**
     * Any thread that owns the array (a LocalQueue overflowing): appends its
     * {@code tasks}, all of priority {@code level} and queued nowhere else, at
     * the back of that level as one node, in array order (see "Array batches").
     * The array is the queue's from now on.
     *
     * @param tasks the tasks, oldest first; no null element, at least one
     * @param level their priority level
     */
    void pushArray(Task[] tasks, int level) {
        pushBatch(new Batch(tasks, level));
    }

    /**
     * An empty batch node for {@code n} tasks of priority {@code level}: the
     * caller fills its array, then hands it to {@link #pushBatch(Batch)}. A
     * LocalQueue allocates it before it claims the tasks it will hold (LocalQueue,
     * "Overflow"), so an OutOfMemoryError loses none of them.
     *
     * @param n     the number of tasks it will hold, at least one
     * @param level their priority level
     * @return the node, not yet in any queue
     */
    static Batch newBatch(int n, int level) {
        return new Batch(new Task[n], level);
    }

    /**
     * Any thread that owns {@code b} (from {@link #newBatch}, its array filled with
     * tasks of b's level queued nowhere else): appends it as {@link #pushArray} does.
     *
     * @param b the filled batch node
     */
    void pushBatch(Batch b) {
        BATCHES.getAndAdd(this, 1L);
        BATCH_TASKS.getAndAdd(this, (long) b.tasks.length);
        append(levels[b.priority], b, b, b.tasks.length);
    }

    /** Steps 2-4 of "A producer's steps", then the hint (see "The dispatch path's hint"). */
    private void append(Level l, Task first, Task last, int n) {
        link(l, first, last);
        PUSHED.getAndAdd(l, (long) n);
        int bit = l.bit;
        if (((int) MAYBE.getVolatile(this) & bit) == 0) {
            MAYBE.getAndBitwiseOr(this, bit);
        }
    }

    /** Steps 2-3: links a chain (or the stub, which is never counted). */
    private static void link(Level l, Task first, Task last) {
        Task prev = (Task) TAIL.getAndSet(l, last);
        NEXT.setRelease(prev, first);
    }

    /**
     * Any carrier: takes up to {@code max} tasks (at least one, if any can be
     * taken) of the best non-empty level below {@code level}, oldest first, as a
     * chain through Task.next ending in null; returns its first task, or null if
     * none can be taken now (none queued, another carrier taking, or a producer
     * half-way). The caller owns the chain and clears each task's link as it
     * takes it off ({@link #unlinkNext}).
     *
     * The caller checks {@link #hasAnyBelow} first, so that an empty queue costs
     * no flag CAS (Scheduler.pollInjectedAbove; the dispatch path looks at the
     * hint before that, Scheduler.pollInjectedHinted).
     *
     * @param level levels strictly below this one are looked at (LEVELS: all)
     * @param max   most tasks to take, at least 1
     * @return the oldest task taken, or null
     */
    Task pollBatch(int level, int max) {
        return pollBatch(level, max, null);
    }

    /**
     * As {@link #pollBatch(int, int)}; tasks taken from an array batch after the
     * first go straight to the back of {@code into[level]} (a ring the caller
     * owns, with room for max - 1 more) instead of into the chain.
     *
     * @param level levels strictly below this one are looked at (LEVELS: all)
     * @param max   most tasks to take, at least 1
     * @param into  the caller's rings, one per level, or null for a chain only
     * @return the oldest task taken, or null
     */
    Task pollBatch(int level, int max, LocalQueue[] into) {
        return pollBatch(0, level, max, into);
    }

    /**
     * As {@link #pollBatch(int, int, LocalQueue[])}, looking only at the levels from
     * {@code from} (inclusive) to {@code level} (exclusive): {@code (p, p + 1)} takes
     * from level p alone (a carrier's anti-starvation rule, Scheduler.pollInjectedFair).
     *
     * @param from  the best level looked at
     * @param level levels strictly below this one are looked at
     * @param max   most tasks to take, at least 1
     * @param into  the caller's rings, one per level, or null for a chain only
     * @return the oldest task taken, or null
     */
    Task pollBatch(int from, int level, int max, LocalQueue[] into) {
        for (int spins = 0; !CONSUMING.compareAndSet(this, 0, 1); spins++) {
            if (spins == FLAG_SPINS) {
                return null;
            }
            Thread.onSpinWait();
        }
        try {
            for (int p = from; p < level; p++) {
                Level l = levels[p];
                if (queued(l) <= 0) {
                    continue;
                }
                Task first = take(l, max, into == null ? null : into[p]);
                if (first != null) {
                    TAKES.setOpaque(this, (long) TAKES.getOpaque(this) + 1);
                    return first;
                }
            }
            return null;
        } finally {
            CONSUMING.setRelease(this, 0);
        }
    }

    /** Flag holder: "The consumer's steps" for level {@code l} (and "Array batches"). */
    private static Task take(Level l, int max, LocalQueue into) {
        Task stub = l.stub;
        Task h = l.head;
        if (h instanceof Batch b && b.from == b.tasks.length) {
            // An emptied batch left as the head: unlink it first.
            h = unlinkHead(l, b);
            if (h == null) {
                return null;
            }
        }
        if (h == stub) {
            Task n = (Task) NEXT.getAcquire(stub);
            if (n == null) {
                return null;
            }
            stub.next = null;
            l.head = n;
            h = n;
        }
        if (h instanceof Batch b) {
            return takeFromBatch(l, b, max, into);
        }
        Task k = h;
        int count = 1;
        Task after = (Task) NEXT.getAcquire(k);
        while (count < max && after != null && after != stub && !(after instanceof Batch)) {
            k = after;
            count++;
            after = (Task) NEXT.getAcquire(k);
        }
        if (after == null) {
            // k may be the tail: put the stub behind it so k can be taken.
            if (TAIL.getVolatile(l) == k) {
                link(l, stub, stub);
            }
            after = (Task) NEXT.getAcquire(k);
            if (after == null) {
                // A producer is between its getAndSet and its link: k stays.
                if (k == h) {
                    return null;
                }
                k = predecessor(h, k);
                count--;
                after = (Task) NEXT.getAcquire(k);
            }
        }
        // after != null: k is not the tail; cut the chain after k.
        l.head = after;
        k.next = null;
        TAKEN.setOpaque(l, (long) TAKEN.getOpaque(l) + count);
        return h;
    }

    /**
     * Flag holder, batch {@code b} at the head of {@code l}: takes up to
     * {@code max} of its tasks (see "Array batches"); the first is returned, the
     * others go to {@code into} or are linked behind it.
     */
    private static Task takeFromBatch(Level l, Batch b, int max, LocalQueue into) {
        Task[] a = b.tasks;
        int from = b.from;
        int n = Math.min(max, a.length - from);
        Task first = a[from];
        a[from] = null;
        if (into != null) {
            if (n > 1) {
                into.offerArray(a, from + 1, n - 1);
            }
            first.next = null;
        } else {
            Task prev = first;
            for (int i = from + 1; i < from + n; i++) {
                prev.next = a[i];
                prev = a[i];
            }
            prev.next = null;
        }
        for (int i = from + 1; i < from + n; i++) {
            a[i] = null;
        }
        b.from = from + n;
        TAKEN.setOpaque(l, (long) TAKEN.getOpaque(l) + n);
        if (b.from == a.length) {
            unlinkHead(l, b); // if a producer is half-way, b stays as an empty head: the next take retries
        }
        return first;
    }

    /**
     * Flag holder, node {@code h} at the head of {@code l} and done with: moves
     * the head past it (pushing the stub behind it if it is the tail) and
     * returns the new head, or null if its successor's producer is half-way
     * (then {@code h} stays the head).
     */
    private static Task unlinkHead(Level l, Task h) {
        Task after = (Task) NEXT.getAcquire(h);
        if (after == null) {
            if (TAIL.getVolatile(l) == h) {
                link(l, l.stub, l.stub);
            }
            after = (Task) NEXT.getAcquire(h);
            if (after == null) {
                return null;
            }
        }
        l.head = after;
        h.next = null;
        return after;
    }

    /** The task before {@code k} in the chain starting at {@code h} (h != k; all linked). */
    private static Task predecessor(Task h, Task k) {
        Task p = h;
        while (p.next != k) {
            p = p.next;
        }
        return p;
    }

    /**
     * The owner of a chain taken by {@link #pollBatch}: returns the task after
     * {@code t} in the chain (or null) and clears {@code t}'s link.
     *
     * @param t a task of a chain the caller owns
     * @return the next task of the chain, or null
     */
    static Task unlinkNext(Task t) {
        Task n = t.next;
        t.next = null;
        return n;
    }

    /** Any thread: tasks queued at {@code l}, a snapshot; at most 0 means none to take (see "Each level"). */
    private static long queued(Level l) {
        long taken = (long) TAKEN.getVolatile(l);
        return (long) PUSHED.getVolatile(l) - taken;
    }

    /** Any thread: whether a level strictly below {@code level} holds a task, a snapshot
     * (reads only those levels' counts: one level for the common call from a carrier
     * whose best local work is at the default priority). */
    boolean hasAnyBelow(int level) {
        for (int p = 0; p < level; p++) {
            if (queued(levels[p]) > 0) {
                return true;
            }
        }
        return false;
    }

    /** Any thread: whether level {@code p} holds a task, a snapshot (two volatile reads). */
    boolean holds(int p) {
        return queued(levels[p]) > 0;
    }

    /**
     * Any thread (a carrier's dispatch path): whether a level strictly below
     * {@code level} may hold a task, by the hint (see "The dispatch path's
     * hint"); one opaque read. False may be stale only within a producer's or a
     * clearer's own steps; true may be stale until a carrier clears it.
     */
    boolean maybeAnyBelow(int level) {
        return ((int) MAYBE.getOpaque(this) & ((1 << level) - 1)) != 0;
    }

    /**
     * Any carrier, after its dispatches found the hint set and the levels below
     * {@code level} empty several times in a row: clears those levels' bits,
     * then sets again the bit of each that holds a task by its counts (see
     * "The dispatch path's hint").
     */
    void clearHintsBelow(int level) {
        int below = (1 << level) - 1;
        MAYBE.getAndBitwiseAnd(this, ~below);
        for (int p = 0; p < level; p++) {
            Level l = levels[p];
            if (queued(l) > 0) {
                MAYBE.getAndBitwiseOr(this, l.bit);
            }
        }
    }

    /** Tests: the hint word (see "The dispatch path's hint"). */
    int hintBits() {
        return (int) MAYBE.getVolatile(this);
    }

    /** Any thread: the best level with a queued task, or -1; a snapshot. */
    int bestLevel() {
        for (int p = 0; p < levels.length; p++) {
            if (queued(levels[p]) > 0) {
                return p;
            }
        }
        return -1;
    }

    /** Any thread: tasks queued, all levels; a snapshot. */
    int size() {
        long n = 0;
        for (Level l : levels) {
            n += Math.max(0, queued(l));
        }
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    /**
     * Any thread (statistics): {single pushes, batch pushes, tasks pushed,
     * takes, tasks taken}; a racy snapshot.
     *
     * @return the five counts
     */
    long[] counts() {
        long pushed = 0;
        long taken = 0;
        for (Level l : levels) {
            taken += (long) TAKEN.getVolatile(l);
            pushed += (long) PUSHED.getVolatile(l);
        }
        long b = (long) BATCHES.getVolatile(this);
        long bt = (long) BATCH_TASKS.getVolatile(this);
        return new long[] {pushed - bt, b, pushed, (long) TAKES.getVolatile(this), taken};
    }

    private static final VarHandle NEXT;
    private static final VarHandle TAIL;
    private static final VarHandle PUSHED;
    private static final VarHandle TAKEN;
    private static final VarHandle CONSUMING;
    private static final VarHandle BATCHES;
    private static final VarHandle BATCH_TASKS;
    private static final VarHandle TAKES;
    private static final VarHandle MAYBE;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            NEXT = l.findVarHandle(Task.class, "next", Task.class);
            TAIL = l.findVarHandle(Level.class, "tail", Task.class);
            PUSHED = l.findVarHandle(Level.class, "pushed", long.class);
            TAKEN = l.findVarHandle(Level.class, "taken", long.class);
            CONSUMING = l.findVarHandle(InjectionQueue.class, "consuming", int.class);
            BATCHES = l.findVarHandle(InjectionQueue.class, "batches", long.class);
            BATCH_TASKS = l.findVarHandle(InjectionQueue.class, "batchTasks", long.class);
            TAKES = l.findVarHandle(InjectionQueue.class, "takes", long.class);
            MAYBE = l.findVarHandle(InjectionQueueHint.class, "maybe", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}

/** Padding in front of the injection queue's hint (a class chain keeps the JVM from reordering it;
 * the int fills the gap after the object header, where the JVM would otherwise put the hint). */
abstract class InjectionQueuePad {
    @SuppressWarnings("unused") private int p;
    @SuppressWarnings("unused") private long p0, p1, p2, p3, p4, p5, p6, p7;
}

/** The injection queue's hint word, alone on its cache line (InjectionQueue, "The dispatch path's hint"). */
abstract class InjectionQueueHint extends InjectionQueuePad {
    /** Bit p set: level p may hold tasks. */
    @SuppressWarnings("unused") volatile int maybe;
}

/** Padding behind the hint, before the injection queue's own fields (the int fills the gap
 * after the hint, where the JVM would otherwise put one of them: LayoutTest). */
abstract class InjectionQueueHintPad extends InjectionQueueHint {
    @SuppressWarnings("unused") private int q;
    @SuppressWarnings("unused") private long q0, q1, q2, q3, q4, q5, q6, q7;
}
