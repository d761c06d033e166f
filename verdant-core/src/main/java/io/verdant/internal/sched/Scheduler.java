package io.verdant.internal.sched;

import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The M:N scheduler of one runtime: its carrier {@link Worker}s, the global
 * injection queues, and the idle/search protocol that wakes carriers.
 *
 * <pre>
 * Where a submitted task goes (see {@link #submit})
 *   spawn, from a green thread running on one of our workers
 *       -> back of that worker's local queue, then signalWork().
 *   wake (unpark) from a green thread running on one of our workers
 *       -> that worker's LIFO slot; the task it displaces goes to the back of
 *          the local queue, then signalWork().
 *       Except the wake-ups a finishing green thread makes for its joiners
 *       (Worker.queueWakeups): back of the local queue, then signalWork(). A
 *       fan-in joiner then runs after its queued siblings and finds them done,
 *       instead of parking once per sibling (skynet: 1.96 -> 1.3-1.6 dispatches
 *       per thread, see BENCHMARKS.md).
 *   re-submission from the carrier itself (Thread.yield, a park that found its
 *   permit already set; the JDK calls execute from the carrier after unmount)
 *       -> Worker.pushResubmitted: a private slot if nothing else is queued,
 *          otherwise the back of the local queue.
 *   anything else (platform threads, JDK timer and poller threads, foreign
 *   virtual threads) -> injection queue of the task's priority, signalWork().
 *
 * Search and parking (after tokio's multi_thread scheduler)
 *   searching    number of workers looking for work (stealing). A worker that
 *                finds work while it was the last searcher wakes one more, so
 *                parallelism ramps up one worker at a time: no thundering herd.
 *   signalWork   after publishing work: full fence, then if nobody is searching
 *                and someone is idle, pop one idle worker, count it as
 *                searching, and unpark it.
 *   signalWorkFromOwner  the same, called by a running worker for work it
 *                published itself; a no-op with a single worker, whose only
 *                carrier is the caller and takes that work itself.
 *   park         a worker with nothing to do: (1) registers in the idle list
 *                under idleLock, (2) full fence, (3) re-checks the injection
 *                queues and every worker's queues, (4) parks until notified.
 *   Steps (2)/(3) against signalWork's fence-then-read form a Dekker pair: either
 *   the producer sees the idle worker and wakes it, or the worker sees the work.
 *   LIFO slots are not part of the re-check: their owner is running and takes
 *   them next; if the owner is stuck, the {@link Ticker} notices the unchanged
 *   dispatch count and signals.
 *
 * Locks
 *   idleLock guards the idle list only; it is never held while a task runs,
 *   and execute() takes it for at most a few field updates (no blocking).
 *
 * Shutdown (see {@link #terminate})
 *   1. terminating = true: workers stop taking tasks at their next loop turn
 *      and every later submission is dropped (never rejected: execute() must
 *      not throw, see the class design of GreenThread).
 *   2. every worker is unparked; each exits its loop and counts down.
 *   3. the ticker stops.
 *   A worker stuck inside a task that never yields cannot be stopped: terminate
 *   reports how many carriers did not exit in time.
 * </pre>
 */
public final class Scheduler {
    public static final int LEVELS = 4;
    /** Steal passes over all victims before a worker registers as idle. */
    private static final int SEARCH_ROUNDS = 2;

    private final Worker[] workers;
    @SuppressWarnings("unchecked")
    private final ConcurrentLinkedQueue<Task>[] injected = new ConcurrentLinkedQueue[LEVELS];
    private final AtomicInteger injectedCount = new AtomicInteger();
    private final AtomicInteger searching = new AtomicInteger();
    private final Object idleLock = new Object();
    private final ArrayDeque<Worker> idleWorkers = new ArrayDeque<>();
    private volatile int idleCount;
    private volatile boolean terminating;
    @SuppressWarnings("unused") private volatile long foreign;
    private final CountDownLatch stopped;
    private final Consumer<Throwable> internalErrors;
    private final Ticker ticker;

    public Scheduler(String name, int workerCount, long stackSize, Consumer<Throwable> internalErrors) {
        this.workers = new Worker[workerCount];
        this.internalErrors = internalErrors;
        for (int p = 0; p < LEVELS; p++) {
            injected[p] = new ConcurrentLinkedQueue<>();
        }
        for (int i = 0; i < workerCount; i++) {
            workers[i] = new Worker(this, i, name + "-carrier-" + i, stackSize);
        }
        this.stopped = new CountDownLatch(workerCount);
        this.ticker = new Ticker(this, name + "-ticker");
    }

    public void start() {
        for (Worker w : workers) {
            w.start();
        }
        ticker.start();
    }

    public int workerCount() {
        return workers.length;
    }

    /** A snapshot view for diagnostics and the ticker; do not modify. */
    public Worker[] workers() {
        return workers;
    }

    public Ticker ticker() {
        return ticker;
    }

    // ------------------------------------------------------------------ submission

    /**
     * Any thread; never blocks, never throws. {@code first} is true for the
     * submission that starts a green thread.
     */
    public void submit(Task task, boolean first) {
        if (terminating) {
            return;
        }
        Thread t = Thread.currentThread();
        if (t instanceof Worker w) {
            if (w.scheduler == this) {
                w.pushResubmitted(task);
                return;
            }
        } else if (t.isVirtual() && t.getUncaughtExceptionHandler() instanceof Task running) {
            Worker w = running.worker;
            if (w != null && w.scheduler == this && w.currentTask() == running) {
                if (first || w.wakeToQueue) {
                    w.pushLocalOrInject(task);
                } else {
                    Task displaced = w.pushLifo(task);
                    if (displaced == null) {
                        return;
                    }
                    w.pushLocalOrInject(displaced);
                }
                signalWorkFromOwner();
                return;
            }
        }
        inject(task);
        signalWork();
    }

    /** A task that is not a green thread (see {@link ForeignTask}). */
    public void submitForeign(Runnable r, int priority) {
        FOREIGN.getAndAdd(this, 1L);
        submit(new ForeignTask(r, priority), true);
    }

    /** Number of foreign submissions so far (diagnostics; see {@link ForeignTask}). */
    public long foreignSubmissions() {
        return (long) FOREIGN.getVolatile(this);
    }

    void inject(Task task) {
        injected[task.priority].offer(task);
        injectedCount.incrementAndGet();
    }

    Task pollInjected() {
        if (injectedCount.get() == 0) {
            return null;
        }
        for (ConcurrentLinkedQueue<Task> q : injected) {
            Task t = q.poll();
            if (t != null) {
                injectedCount.decrementAndGet();
                return t;
            }
        }
        return null;
    }

    /**
     * A worker, after publishing work to its own queues or the injection queues
     * while it runs. With a single worker there is nobody to wake: the only
     * carrier is the caller, which takes that work itself, so the fence and the
     * reads of signalWork are skipped: every yield on a one-worker runtime paid
     * a full fence for nobody (measured: yield on one carrier went from 1.20x to
     * 1.07x the vt-floor in CPU time; BENCHMARKS.md).
     */
    void signalWorkFromOwner() {
        if (workers.length > 1) {
            signalWork();
        }
    }

    /** Any thread, after publishing work. */
    void signalWork() {
        VarHandle.fullFence();
        if (searching.get() != 0 || idleCount == 0) {
            return;
        }
        Worker w;
        synchronized (idleLock) {
            w = idleWorkers.pollFirst();
            if (w == null) {
                return;
            }
            w.idle = false;
            idleCount = idleWorkers.size();
            w.searching = true;
            searching.incrementAndGet();
        }
        w.unparkWorker();
        ticker.wakeIfSleeping();
    }

    // ------------------------------------------------------------------ search and park

    /** Worker {@code w} only, when its own queues are empty. */
    Task search(Worker w) {
        if (!w.searching) {
            // Bound the searchers to half the workers (at least one), as tokio does:
            // more searchers only contend on the same victims.
            if (2 * searching.get() >= Math.max(workers.length, 2)) {
                return pollInjected();
            }
            searching.incrementAndGet();
            w.searching = true;
        }
        Task found = null;
        long[] seen = w.stealSeen;
        for (int round = 0; round < SEARCH_ROUNDS && found == null && !terminating; round++) {
            found = pollInjected();
            if (found == null) {
                int n = workers.length;
                int start = n > 1 ? w.nextRandom(n) : 0;
                for (int i = 0; i < n && found == null; i++) {
                    Worker victim = workers[(start + i) % n];
                    if (victim != w) {
                        found = victim.stealBy(w, seen);
                    }
                }
            }
            if (found == null) {
                Thread.onSpinWait();
            }
        }
        endSearch(w, found != null);
        return found;
    }

    /**
     * Worker {@code w} only, while it counts as searching. The last searcher to
     * find work wakes another worker, so parallelism ramps up one at a time.
     */
    void endSearch(Worker w, boolean found) {
        w.searching = false;
        if (searching.decrementAndGet() == 0 && found) {
            signalWork();
        }
    }

    /** Worker {@code w} only: parks until notified, unless work appears while registering. */
    void park(Worker w) {
        synchronized (idleLock) {
            w.idle = true;
            idleWorkers.addLast(w);
            idleCount = idleWorkers.size();
        }
        VarHandle.fullFence();
        if (hasVisibleWork() || terminating) {
            synchronized (idleLock) {
                if (w.idle) {
                    w.idle = false;
                    idleWorkers.remove(w);
                    idleCount = idleWorkers.size();
                    ticker.wakeIfSleeping();
                    return;
                }
            }
            // A notifier already took us off the list and counted us as searching.
        } else {
            while (!w.notified && !terminating) {
                LockSupport.park(this);
            }
        }
        w.notified = false;
    }

    private boolean hasVisibleWork() {
        if (injectedCount.get() != 0) {
            return true;
        }
        for (Worker v : workers) {
            for (LocalQueue q : v.levels) {
                if (!q.isEmpty()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Number of workers parked now; a snapshot. */
    public int idleWorkers() {
        return idleCount;
    }

    /** True if every worker is parked and nothing is queued; a snapshot. */
    public boolean isQuiescent() {
        return idleCount == workers.length && !hasVisibleWork();
    }

    // ------------------------------------------------------------------ lifecycle

    void workerStarted(Worker w) {
    }

    void workerStopped(Worker w) {
        stopped.countDown();
    }

    public boolean isTerminating() {
        return terminating;
    }

    /** Called by the ticker: a worker whose dispatch count has not moved for a
     * whole tick while work sits in its queues or LIFO slot is stuck in one task. */
    void rescueStranded(Worker w) {
        if (w.hasLocalWork()) {
            signalWork();
        }
    }

    /**
     * Stops the workers and the ticker (steps in the class comment). Returns the
     * number of carriers that did not exit within {@code timeoutNanos} (stuck in
     * a task that never reaches a safepoint).
     */
    public int terminate(long timeoutNanos) {
        terminating = true;
        for (Worker w : workers) {
            w.unparkWorker();
        }
        ticker.shutdown();
        try {
            stopped.await(timeoutNanos, TimeUnit.NANOSECONDS);
            ticker.join(TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return (int) stopped.getCount();
    }

    void reportInternalError(Throwable t) {
        internalErrors.accept(t);
    }

    private static final java.lang.invoke.VarHandle FOREIGN;
    static {
        try {
            FOREIGN = java.lang.invoke.MethodHandles.lookup().findVarHandle(Scheduler.class, "foreign", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
