package io.verdant.internal.sched;

import java.util.concurrent.locks.LockSupport;

/**
 * The runtime's clock thread. While any worker is active it wakes every
 * {@link #TICK_NANOS} and looks at each worker's dispatch count: a worker whose
 * count has not moved for a whole tick has been inside one task all that time.
 * If that worker has work queued behind it (including its LIFO slot, which
 * thieves leave alone), the ticker calls {@link Scheduler#signalWork} so an idle
 * worker comes and steals it.
 *
 * <pre>
 * Sleeping
 *   When every worker is parked the ticker parks until the next timer
 *   deadline (see Clockwork), or with no timeout if no timer is armed: an
 *   idle runtime with no timers uses no CPU. Any worker that leaves the idle state calls
 *   wakeIfSleeping(): the ticker publishes sleeping = true, re-checks the idle
 *   count, then parks; the waker sets activity, then reads sleeping. Both are
 *   volatile, so one of them sees the other.
 *
 * Fields
 *   lastDispatches  ticker thread only.
 *   clockwork       the timer wheel (issue 5); set before start, then ticker only.
 *   sleeping        written by the ticker, read by any worker.
 *   stop            written by Scheduler.terminate, read by the ticker.
 * </pre>
 */
public final class Ticker extends Thread {
    /** 1 ms: the resolution of stranded-work detection. Fine enough that a task
     * stuck behind a long-running one waits about a millisecond; coarse enough
     * that the ticker's own CPU cost is negligible (measured: not yet). */
    static final long TICK_NANOS = 1_000_000L;

    private final Scheduler scheduler;
    private final long[] lastDispatches;
    /** Timer hook (issue 5): set once before start, read by the ticker only. */
    private Clockwork clockwork = Clockwork.NONE;
    private volatile boolean sleeping;
    private volatile boolean stop;

    Ticker(Scheduler scheduler, String name) {
        super(null, null, name, 0, false);
        this.scheduler = scheduler;
        this.lastDispatches = new long[scheduler.workerCount()];
        setDaemon(true);
    }

    @Override
    public void run() {
        Worker[] workers = scheduler.workers();
        while (!stop) {
            if (scheduler.idleWorkers() == workers.length) {
                sleeping = true;
                long timerWait = clockwork.nanosToNextDeadline();
                if (scheduler.idleWorkers() == workers.length && !stop) {
                    if (timerWait < 0) {
                        LockSupport.park(this);
                    } else {
                        LockSupport.parkNanos(this, timerWait);
                    }
                }
                sleeping = false;
                clockwork.advance();
                continue;
            }
            LockSupport.parkNanos(this, TICK_NANOS);
            clockwork.advance();
            for (int i = 0; i < workers.length; i++) {
                Worker w = workers[i];
                long d = w.dispatchCount();
                if (d == lastDispatches[i] && w.currentTask() != null) {
                    scheduler.rescueStranded(w);
                }
                lastDispatches[i] = d;
            }
        }
    }

    // ------------------------------------------------------------------ timer hook (issue 5)

    /**
     * What the ticker drives besides its own checks: the runtime's timer wheel.
     * {@link #advance()} runs after every tick and after every idle sleep;
     * {@link #nanosToNextDeadline()} bounds the idle sleep (-1: no timer, sleep
     * until woken). The driven side calls {@link #wakeIfSleeping()} when it gains
     * an earlier deadline; it publishes the deadline before reading
     * {@code sleeping}, and the ticker publishes {@code sleeping} before reading
     * the deadline, so an idle runtime with one timer sleeps exactly until it.
     */
    public interface Clockwork {
        void advance();

        long nanosToNextDeadline();

        Clockwork NONE = new Clockwork() {
            @Override
            public void advance() {
            }

            @Override
            public long nanosToNextDeadline() {
                return -1;
            }
        };
    }

    /** Before {@link #start()} only. */
    public void drive(Clockwork c) {
        this.clockwork = c;
    }

    /** Any thread. */
    public void wakeIfSleeping() {
        if (sleeping) {
            LockSupport.unpark(this);
        }
    }

    void shutdown() {
        stop = true;
        LockSupport.unpark(this);
    }
}
