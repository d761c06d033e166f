package io.verdant.internal.sched;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The runtime's global run queue (one FIFO list per priority level), fed by
 * every thread that is not one of the runtime's carriers (platform threads, the
 * JDK's timer and I/O poller threads, foreign virtual threads) and by the
 * carriers' {@link LocalQueue}s when they overflow. Drained by the carriers,
 * in batches.
 *
 * <pre>
 * Overview (after tokio's Inject and Go's global run queue)
 *   An intrusive singly linked list per level, through Task.next, guarded by
 *   one lock. A push links one task (one lock, no allocation); a batch push
 *   links a chain its producer built beforehand (one lock for the whole batch:
 *   LocalQueue's overflow moves half a ring here at once); a batch pop unlinks
 *   up to n tasks of the best level under one lock and hands them, oldest
 *   first, to the caller, which moves all but the first into its own local
 *   ring (Scheduler.pollInjectedAbove). Per task that is a couple of plain
 *   writes under a lock taken once per batch, where the ConcurrentLinkedQueue
 *   it replaces paid a node allocation, a CAS and a shared counter per task on
 *   both sides (the wake benchmark: one sender overflowing one task at a time).
 *
 * Invariants
 *   A task is in at most one queue at a time (it is submitted once per time it
 *   becomes runnable), so one next field per task suffices. Under the lock:
 *   heads[p] == null iff tails[p] == null; size == the number of linked tasks
 *   of all levels. A task taken out has next == null again (a popped task does
 *   not keep the rest of the list reachable).
 *
 * Who touches what
 *   heads, tails, Task.next of linked tasks, the counters: under lock only.
 *   Task.next of a chain being built for pushBatch: its producer only, before
 *   the push (plain writes published by the lock).
 *   size: written under the lock (release), read by anyone without it (acquire)
 *   as the "anything injected?" test of the dispatch path, the park re-check and
 *   Sysmon. One plain read per dispatch when the queue is empty, as before.
 *
 * Memory ordering
 *   Pushing and popping under one lock order everything a producer wrote to a
 *   task before pushing it (its priority, its chain) before the consumer's use.
 *   The park protocol needs size to be visible to a worker's fullFence-then-read
 *   re-check (Scheduler.park) whenever the producer's signalWork read that it
 *   was idle: the producer writes size, releases the lock (a release) and then
 *   runs signalWork's fullFence, so a store-load pair is fenced on both sides,
 *   as with the counter this replaces.
 *
 * Blocking
 *   The lock is held for a few field writes (a batch pop walks at most
 *   LocalQueue.CAPACITY / 2 nodes), never while a task runs and never around a
 *   call out, so execute() never waits on a carrier running a green thread. It
 *   is a monitor: uncontended, one CAS to enter; contended, HotSpot spins
 *   before it blocks. Callers from a green thread are pinned in execute(), so a
 *   contended enter blocks their carrier for those few writes, never unmounts.
 * </pre>
 */
final class InjectionQueue {
    private final Object lock = new Object();
    /** Guarded by lock: the oldest and newest task of each level, or null. */
    private final Task[] heads = new Task[Scheduler.LEVELS];
    private final Task[] tails = new Task[Scheduler.LEVELS];
    /** Tasks of all levels; written under lock, read anywhere (see "Who touches what"). */
    @SuppressWarnings("unused") private volatile int size;
    /** Guarded by lock (statistics, read racily): pushes and batch pushes so far, and the tasks they brought. */
    private long pushes;
    private long batchPushes;
    private long tasksPushed;
    /** Guarded by lock (statistics): pops (single or batch) that returned a task, and the tasks they took. */
    private long pops;
    private long tasksPopped;

    /** Any thread: appends {@code task} at the back of its level. */
    void push(Task task) {
        int p = task.priority;
        task.next = null;
        synchronized (lock) {
            link(p, task, task);
            pushes++;
            tasksPushed++;
            setSizeRelease(sizePlain() + 1);
        }
    }

    /**
     * A producer that built the chain {@code first -> ... -> last} (through
     * Task.next, {@code last.next == null}, all of priority {@code level}, no task
     * of it queued anywhere): appends the whole chain at the back of that level,
     * in chain order, under one lock.
     *
     * @param first the oldest task of the chain
     * @param last  the newest task of the chain
     * @param n     the number of tasks in the chain
     * @param level their priority level
     */
    void pushBatch(Task first, Task last, int n, int level) {
        synchronized (lock) {
            link(level, first, last);
            batchPushes++;
            tasksPushed += n;
            setSizeRelease(sizePlain() + n);
        }
    }

    /** Under lock. */
    private void link(int p, Task first, Task last) {
        Task t = tails[p];
        if (t == null) {
            heads[p] = first;
        } else {
            t.next = first;
        }
        tails[p] = last;
    }

    /**
     * Any carrier: takes up to {@code max} tasks (at least one, if any) of the
     * best non-empty level below {@code level}, oldest first, as a chain through
     * Task.next ending in null; returns its first task, or null if no level
     * below {@code level} has one. The caller owns the chain and must clear each
     * task's next as it takes it off (see {@link #unlinkNext}).
     *
     * @param level levels strictly below this one are looked at (LEVELS: all)
     * @param max   most tasks to take, at least 1
     * @return the oldest task taken, or null
     */
    Task pollBatch(int level, int max) {
        if (sizeAcquire() == 0) {
            return null;
        }
        synchronized (lock) {
            for (int p = 0; p < level; p++) {
                Task first = heads[p];
                if (first == null) {
                    continue;
                }
                Task last = first;
                int n = 1;
                while (n < max && last.next != null) {
                    last = last.next;
                    n++;
                }
                Task rest = last.next;
                last.next = null;
                heads[p] = rest;
                if (rest == null) {
                    tails[p] = null;
                }
                pops++;
                tasksPopped += n;
                setSizeRelease(sizePlain() - n);
                return first;
            }
        }
        return null;
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

    /** Any thread: the best level with a queued task, or -1; a snapshot. */
    int bestLevel() {
        if (sizeAcquire() == 0) {
            return -1;
        }
        synchronized (lock) {
            for (int p = 0; p < Scheduler.LEVELS; p++) {
                if (heads[p] != null) {
                    return p;
                }
            }
        }
        return -1;
    }

    /** Any thread: tasks queued, all levels; a snapshot. */
    int size() {
        return sizeAcquire();
    }

    /** Any thread (statistics): {pushes, batch pushes, tasks pushed, pops, tasks popped}; a racy snapshot. */
    long[] counts() {
        synchronized (lock) {
            return new long[] {pushes, batchPushes, tasksPushed, pops, tasksPopped};
        }
    }

    // ------------------------------------------------------------------ accessors, named by access mode

    /** Any thread: pairs with the release in setSizeRelease (see "Memory ordering"). */
    private int sizeAcquire() {
        return (int) SIZE.getAcquire(this);
    }

    /** Under lock: the lock holder's own last write. */
    private int sizePlain() {
        return (int) SIZE.get(this);
    }

    /** Under lock. */
    private void setSizeRelease(int n) {
        SIZE.setRelease(this, n);
    }

    private static final VarHandle SIZE;
    static {
        try {
            SIZE = MethodHandles.lookup().findVarHandle(InjectionQueue.class, "size", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
