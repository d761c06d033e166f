package io.verdant.internal.det;

import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;

/**
 * A platform thread that runs the loop of one deterministic scheduler after
 * another: the carrier of a deterministic runtime, kept for the next runtime
 * when this one closes, so a schedule of an exploration (one fresh runtime per
 * schedule) does not pay a thread start and a thread end.
 *
 * <pre>
 * Overview
 *   DetScheduler asks for a carrier when its runtime first needs one (the first
 *   submission from outside: rt.run's body), with {@link #run(Runnable, String,
 *   long)}. An idle carrier of the same stack size is taken from the pool
 *   (LIFO: the most recently used one, its stack and caches warm) and handed
 *   the job; if none is idle, a new thread is started. When the job (the
 *   scheduler's loop) returns, the carrier puts itself back in the pool and
 *   waits up to KEEP_ALIVE_NANOS (real time) for the next job; if none comes it
 *   leaves the pool and ends. The job puts its carrier back in the pool
 *   (jobEnding) just before it tells its runtime's closer that it ended, so a
 *   runtime opened right after that close finds the carrier idle.
 *
 * Invariants
 *   A carrier runs at most one job at a time, and only jobs handed to it
 *   through the pool (or its first, at construction). A carrier is in IDLE
 *   from the end of its job until it is handed the next: it adds itself once
 *   per job, when the job's loop has finished its work (jobEnding, the loop's
 *   last step; or, for a job that does not call it, after the job returned),
 *   and whoever removes it (a taker, or the carrier itself when its keep-alive
 *   ends) does so under IDLE's lock, so a carrier is never handed two jobs and
 *   never handed a job after it decided to end. A job handed to it in the
 *   last instructions of the previous job waits in the job field until the
 *   carrier reaches awaitJob.
 *   A carrier whose job never returns (a green thread that reaches no
 *   scheduling point) is simply never idle again: the runtime's close reports
 *   it stuck, and the next runtime gets another carrier.
 *
 * What is not carried over from one job to the next
 *   The carrier holds nothing of a runtime: the job's scheduler, runtime, pid
 *   table, timer wheel and step log are the job's. Green threads are virtual
 *   threads with their own thread locals; a schedule's leaked green threads are
 *   cancelled and ended (or abandoned: their continuations are never resumed)
 *   by the runtime's close before the carrier is idle again (DetScheduler's
 *   "Shutdown"). The interrupt status is cleared between jobs. Nor does the
 *   carrier carry anything of the thread that started it (whichever runtime's
 *   rt.run first needed a carrier): it inherits no inheritable thread locals,
 *   and its context class loader is the system class loader, so the green
 *   threads it spawns for later runtimes (a timer's deadLetterHandler call)
 *   do not see that thread's request context, and it pins no plugin's loader
 *   (DetCarrierThreadContextTest).
 *
 * Threads and memory ordering
 *   IDLE and each carrier's job field are guarded by IDLE's lock (a taker
 *   writes job under it, the carrier reads it under it); the carrier parks
 *   with LockSupport and is unparked by the taker after the lock is released;
 *   before parking it yields for up to DetScheduler.HANDOFF_YIELD_NANOS while
 *   it reads job (volatile) without the lock, so a runtime opened right after
 *   the last one closed finds it awake.
 *   The thread's name is the runtime's ({@code <runtime>-det-carrier}) while
 *   it runs a job and {@code verdant-det-carrier-idle} while idle, so a test
 *   that looks for a closed runtime's threads by name does not find it.
 * </pre>
 */
public final class DetCarrier implements Runnable {
    /**
     * How long an idle carrier waits for the next runtime before it ends: long
     * enough to span the gap between two schedules of an exploration or two
     * test methods (microseconds to milliseconds), short enough that a test JVM
     * is not left with an idle thread for long. Chosen, not measured.
     */
    static final long KEEP_ALIVE_NANOS = 2_000_000_000L;
    private static final String IDLE_NAME = "verdant-det-carrier-idle";

    /** Carrier threads started so far in this JVM (tests: reuse starts none). */
    private static final java.util.concurrent.atomic.AtomicLong STARTED = new java.util.concurrent.atomic.AtomicLong();

    /** Idle carriers, most recently idle last. Guarded by itself. */
    private static final ArrayDeque<DetCarrier> IDLE = new ArrayDeque<>();

    private final Thread thread;
    private final long stackSize;
    /** The next job and its thread name; written under IDLE (job volatile: awaitJob's yielding wait reads it without). */
    private volatile Runnable job;
    private String jobName;

    private DetCarrier(Runnable first, String name, long stackSize) {
        this.stackSize = stackSize;
        this.job = first;
        this.jobName = name;
        Thread t = new CarrierThread(this, name, stackSize);
        t.setDaemon(true);
        this.thread = t;
    }

    /**
     * Runs {@code job} on an idle carrier of stack size {@code stackSize}, or on a
     * new one. Any thread. Returns at once; the job runs on the carrier.
     *
     * @param job the scheduler's loop
     * @param name the carrier's name while it runs the job
     * @param stackSize the carrier's stack size (0 = the JVM default)
     * @return the carrier thread that runs the job
     */
    public static Thread run(Runnable job, String name, long stackSize) {
        DetCarrier c = null;
        synchronized (IDLE) {
            for (var it = IDLE.descendingIterator(); it.hasNext(); ) {
                DetCarrier idle = it.next();
                if (idle.stackSize == stackSize) {
                    it.remove();
                    idle.job = job;
                    idle.jobName = name;
                    c = idle;
                    break;
                }
            }
        }
        if (c != null) {
            LockSupport.unpark(c.thread);
            return c.thread;
        }
        c = new DetCarrier(job, name, stackSize);
        STARTED.incrementAndGet();
        c.thread.start();
        return c.thread;
    }

    /**
     * How many carrier threads were started in this JVM so far. Any thread.
     *
     * @return the count of carrier thread starts
     */
    public static long started() {
        return STARTED.get();
    }

    /**
     * Ends every idle carrier now (tests: the next runtime then starts a new
     * carrier thread, as if none had run before). Any thread.
     *
     * @return how many idle carriers were told to end
     */
    public static int endIdle() {
        int n;
        synchronized (IDLE) {
            n = IDLE.size();
            for (DetCarrier c : IDLE) {
                c.ending = true; // it finds no job and ends (see awaitJob)
                LockSupport.unpark(c.thread);
            }
            IDLE.clear();
        }
        return n;
    }

    /**
     * A carrier's thread. It names the scheduler whose loop it runs, for the
     * virtual threads mounted on it (DetScheduler.ofForeignCaller).
     */
    static final class CarrierThread extends Thread {
        /**
         * The scheduler whose loop runs on this thread, or null between jobs. Written by
         * the loop on this thread, read by the virtual threads it mounts (the same OS
         * thread): plain.
         */
        DetScheduler scheduler;

        CarrierThread(Runnable body, String name, long stackSize) {
            // Inherits nothing from the thread that happened to start it (see "What is not
            // carried over"): no inheritable thread locals, the system class loader.
            super(null, body, name, stackSize, false);
        }
    }

    /** Set under IDLE when endIdle removed this carrier: it ends instead of waiting on (volatile: read by the yielding wait). */
    private volatile boolean ending;
    /** jobEnding put this carrier back in the pool since its last job started. Carrier only. */
    private boolean pooled;
    /** The DetCarrier of the calling carrier thread (jobEnding); unset on other threads. */
    private static final ThreadLocal<DetCarrier> SELF = new ThreadLocal<>();

    /** The carrier thread's body: its first job, then jobs from the pool until the keep-alive ends. */
    @Override
    public void run() {
        SELF.set(this);
        Runnable next;
        synchronized (IDLE) {
            next = job;
            job = null;
        }
        while (next != null) {
            next.run(); // DetScheduler.loop reports its own failures; a throw here ends the carrier
            next = null; // while idle, hold nothing of the last runtime (its scheduler, pid table, threads)
            Thread.interrupted(); // nothing of a job's interrupt status reaches the next
            next = awaitJob();
        }
    }

    /**
     * The calling carrier, at the end of its job and before the job tells its
     * runtime that it ended: takes its idle name (a closed runtime's carrier is
     * not found under the runtime's name) and goes back to the pool, so the
     * next runtime, opened as soon as this one's close returns, finds it there
     * rather than starting another thread. Carrier only; a no-op on another thread.
     */
    static void jobEnding() {
        DetCarrier c = SELF.get();
        if (c == null) {
            return;
        }
        c.thread.setName(IDLE_NAME);
        synchronized (IDLE) {
            IDLE.addLast(c);
        }
        c.pooled = true;
    }

    /** Carrier only: back to the pool (unless jobEnding put it there), then the next job, or null when the keep-alive ends. */
    private Runnable awaitJob() {
        if (!pooled) {
            thread.setName(IDLE_NAME);
            synchronized (IDLE) {
                IDLE.addLast(this);
            }
        }
        pooled = false;
        long deadline = System.nanoTime() + KEEP_ALIVE_NANOS;
        // The next schedule's runtime usually asks within microseconds (see DetScheduler.HANDOFF_YIELD_NANOS).
        for (long t0 = System.nanoTime(); job == null && !ending
                && System.nanoTime() - t0 < DetScheduler.HANDOFF_YIELD_NANOS; ) {
            Thread.yield();
        }
        while (true) {
            synchronized (IDLE) {
                Runnable j = job;
                if (j != null) {
                    job = null;
                    thread.setName(jobName);
                    return j;
                }
                if (ending) {
                    return null;
                }
                if (deadline - System.nanoTime() <= 0) {
                    IDLE.remove(this); // under the lock: no taker can hand it a job after this
                    return null;
                }
            }
            LockSupport.parkNanos(this, deadline - System.nanoTime());
        }
    }
}
