package io.verdant.internal.sched;

import io.verdant.internal.timer.Clock;

import java.util.concurrent.locks.LockSupport;

/**
 * The runtime's clock thread. While any carrier is active it wakes every
 * {@link #TICK_NANOS} and runs the {@link Sysmon} (time slices, priority
 * preemption, stranded-work rescue, stalls and spare carriers).
 *
 * <pre>
 * Sleeping
 *   When every carrier is parked the ticker runs one more Sysmon pass (a spare
 *   may retire now), then parks until the next timer deadline (see Clockwork),
 *   or with no timeout if no timer is armed: an idle runtime with no timers
 *   uses no CPU. A worker that leaves the idle state (signalWork, or park()
 *   finding work) calls wakeIfSleeping(): the ticker publishes sleeping = true,
 *   re-checks the idle count, then parks; the waker changes the idle count
 *   (volatile), then reads sleeping. Both are volatile, so one of them sees the
 *   other.
 *
 * Nudges
 *   Scheduler.submit unparks the ticker when a higher-priority task arrives
 *   while every carrier runs lower-priority work: its timed park returns early
 *   and the Sysmon pass runs at once. Sysmon measures slices from the dispatch
 *   counts it saw and the clock, so extra passes never shorten a slice.
 *
 * Time
 *   Every time the ticker hands to Sysmon is read from the runtime's clock
 *   (Scheduler.clock(), the timer wheel's), never from System.nanoTime: a
 *   runtime built on another clock (a test's) sees slices and stalls on that
 *   clock (RuntimeClockTest). The ticker still sleeps a real tick between
 *   passes. coarseNanos is not on the runtime's clock: it is a JVM-wide stamp
 *   for diagnostics, on Clock.SYSTEM (see the field).
 *
 * Fields
 *   clock           the runtime's clock; final.
 *   clockwork       the timer wheel (issue 5); set before start, then ticker only.
 *   sleeping        written by the ticker, read by any worker.
 *   stop            written by Scheduler.terminate, read by the ticker.
 * </pre>
 */
public final class Ticker extends Thread {
    /** 1 ms: the runtime's one tick: the resolution of time slices, stall
     * detection, stranded-work rescue and timers (TimerWheel counts in it).
     * Fine enough that a 10 ms slice is accurate to 10%; coarse enough that the
     * ticker's own CPU cost is negligible (not measured separately). */
    public static final long TICK_NANOS = 1_000_000L;

    /**
     * A coarse clock ({@link Clock#SYSTEM}, at most about one tick stale while any
     * runtime is busy) that the dispatch path can read for one plain load: the
     * time a green thread last left a carrier ("waiting for 3 s" in snapshots).
     * Written by every runtime's ticker at each tick and after each idle sleep
     * (plain stores of increasing values from several tickers: a reader may see
     * a value a tick older, never a torn one on the 64-bit JVMs Verdant runs
     * on); while every runtime is idle it is not advanced, and the first slice
     * after a long idle period may be stamped with the time the ticker last ran.
     * Shared by every runtime, so it is on Clock.SYSTEM whatever a runtime's own
     * clock is; readers compare it with Clock.SYSTEM (Snapshots, Dumper).
     */
    public static long coarseNanos = Clock.SYSTEM.nanoTime();

    private final Scheduler scheduler;
    private final Sysmon sysmon;
    /** The runtime's clock (see "Time"). */
    private final Clock clock;
    /** Timer hook (issue 5): set once before start, read by the ticker only. */
    private Clockwork clockwork = Clockwork.NONE;
    private volatile boolean sleeping;
    private volatile boolean stop;

    Ticker(Scheduler scheduler, String name, Sysmon sysmon) {
        super(null, null, name, 0, false);
        this.scheduler = scheduler;
        this.sysmon = sysmon;
        this.clock = scheduler.clock();
        setDaemon(true);
    }

    @Override
    public void run() {
        try {
            while (!stop) {
                try {
                    turn();
                } catch (Throwable t) {
                    // The ticker drives every timer and time slice: it must not die of
                    // a defect in one pass (nor of a logger that throws while reporting it).
                    try {
                        scheduler.reportInternalError(t);
                    } catch (Throwable ignored) {
                        // Nothing left to tell.
                    }
                    LockSupport.parkNanos(this, TICK_NANOS); // a fault that repeats must not spin
                }
            }
        } finally {
            // The requests this ticker made and has not withdrawn would count in
            // Safepoints' JVM-wide pending for ever once the threads they target never run
            // again: withdraw them here, after the last request, even when close()
            // stopped waiting for this thread (Scheduler.terminate also does, if it
            // saw this thread end; the second call finds nothing).
            sysmon.withdrawAll();
        }
    }

    /** Ticker thread: one tick, or one idle sleep. */
    private void turn() {
        if (scheduler.allIdle()) {
            // A spare retires when a tick sees its stuck carrier back; the last tick
            // may have come before the carrier returned and went idle, so look once
            // more before sleeping (otherwise the spare lived until close:
            // MetricsTest.anIdleCarrierParksAndAStallStartsOneSpare).
            sysmon.tick(now());
            if (!scheduler.allIdle()) {
                return;
            }
            sleeping = true;
            long timerWait = clockwork.nanosToNextDeadline();
            if (scheduler.allIdle() && !stop) {
                if (timerWait < 0) {
                    LockSupport.park(this);
                } else {
                    LockSupport.parkNanos(this, timerWait);
                }
            }
            sleeping = false;
            now(); // the coarse stamp, after a sleep of unknown length
            clockwork.advance();
            return;
        }
        LockSupport.parkNanos(this, TICK_NANOS);
        clockwork.advance();
        sysmon.tick(now());
    }

    /** Ticker thread: the runtime's clock now; also advances the JVM-wide coarse stamp. */
    private long now() {
        long now = clock.nanoTime();
        coarseNanos = clock == Clock.SYSTEM ? now : Clock.SYSTEM.nanoTime();
        return now;
    }

    // ------------------------------------------------------------------ timer hook (issue 5)

    /**
     * What the ticker drives besides its own checks: the runtime's timer wheel.
     * {@link #advance()} runs after every tick and after every idle sleep;
     * {@link #nanosToNextDeadline()} bounds the idle sleep (-1: no timer, sleep
     * until woken). The driven side calls {@link #wakeIfSleeping()} when it gains
     * an earlier deadline; it publishes the deadline with a volatile write (or a
     * volatile CAS) before reading {@code sleeping}, and the ticker writes
     * {@code sleeping} (volatile) before reading the deadline with a volatile read,
     * so by the total order of synchronization actions one of them sees the
     * other (a release-only store would not do: see TimerWheel's "Waking the
     * ticker"), and an idle runtime with one timer sleeps exactly until it.
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

    /**
     * Any thread: runs a Sysmon pass now rather than at the end of the current
     * tick (a high-priority arrival). A nudge to a sleeping ticker wakes it too.
     */
    void nudge() {
        // From the ticker itself (a timer it fired woke the thread): the Sysmon
        // pass follows the timer advance anyway.
        if (Thread.currentThread() != this) {
            LockSupport.unpark(this);
        }
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
