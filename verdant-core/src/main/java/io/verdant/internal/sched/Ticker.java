package io.verdant.internal.sched;

import io.verdant.internal.timer.Clock;

import java.util.concurrent.locks.LockSupport;

/**
 * The runtime's clock thread. While any carrier is active it wakes every
 * {@link #TICK_NANOS} and runs the {@link Sysmon} (time slices, priority
 * preemption, stranded-work rescue, stalls and spare carriers), or less often
 * while every carrier makes progress (see "Backing off").
 *
 * <pre>
 * Backing off (as Go's sysmon does: 20 us doubling to 10 ms there)
 *   Sysmon.tick answers how long the next pass may wait (Sysmon, "Quiet
 *   passes"): 0 unless every carrier dispatched since the last pass, runs
 *   nothing or is held by a task short of its slice, and nothing else needs
 *   a look (a request, a spare, a stall, a trace, a free carrier beside a held
 *   one while work waits). An answer of two ticks or more doubles the back-off
 *   level, up to maxSleepNanos (MAX_SLEEP_NANOS, 8 ms, or the time slice or
 *   stall threshold if shorter), and the next sleep is the level or the answer
 *   if shorter (a held task's slice end: the ticker wakes exactly then). A
 *   shorter answer, or a doze cut short, returns it to one tick at once, and
 *   every tick from then on while the hold lasts, as before. So every later
 *   judgement (slice, rescue, stall) is exact to a tick as before. What backing
 *   off loosens, and by how much, is when a hold that began during a doze is
 *   seen to begin: since is the first pass that saw the dispatch, up to one
 *   doze (maxSleepNanos - TICK_NANOS more than a tick) after it. Held times
 *   remain lower bounds (a slice or stall is never judged early); a hold that
 *   began in a doze may run that much longer before its slice ends or its
 *   stall is reported (at most 10 + 7 ms for the default slice, once per
 *   hold). Slices of CPU-bound loops that follow one another are timed from
 *   passes that come at each slice end, and a high-priority wake-up is judged
 *   at once (a timer is fired by the ticker just before its pass, an injected
 *   task nudges it), so the preempt-latency benchmark's path is unchanged.
 *   Timers: a doze is bounded by the next timer deadline (nanosToNextDeadline,
 *   read after dozeUntil is published, the Dekker pair of Clockwork); a timer
 *   armed during a doze that is due before it ends (less a tick) rouses the
 *   ticker (wakeForTimer), which then sleeps to that deadline and ticks
 *   again, so every timer still fires within about a tick of its deadline.
 *   Nudges (a high-priority arrival) rouse a doze too. Workers leaving the
 *   idle state do not (wakeIfSleeping wakes only the idle sleep): a doze needs
 *   no wake-up for new work, whose carrier is seen at the doze's end.
 *   Pauses and statistics: Sysmon measures a pause as the gap beyond the
 *   planned sleep, and charges a pass (busyTicks, a green thread's sampled run
 *   time) the ticks it stands for (the sleep taken, in ticks, at most the one
 *   planned): a sample every 1-8 ms weighted by its interval, unbiased as
 *   before. A pause shorter than a doze can hide inside it (as one shorter
 *   than PAUSE_NANOS always could at one tick).
 *   -Dverdant.tickerBackoff=false (BACKOFF) ticks every TICK_NANOS, as before.
 *
 * Sleeping
 *   When every carrier is parked the ticker runs one more Sysmon pass (a spare
 *   may retire now), then parks until the next timer deadline (see Clockwork),
 *   or with no timeout if no timer is armed: an idle runtime with no timers
 *   uses no CPU. A worker that leaves the idle state (signalWork, or park()
 *   finding work) calls wakeIfSleeping(): the ticker publishes sleeping = true,
 *   re-checks the idle count, then parks; the waker changes the idle count
 *   (volatile), then reads sleeping. Both are volatile, so one of them sees the
 *   other. A waker that sees sleeping also advances coarseNanos (advanceIfSleeping) before it
 *   unparks the worker: the worker stamps slices from it at once.
 *
 * Nudges
 *   Scheduler.submit unparks the ticker when a higher-priority task arrives
 *   while some carrier runs lower-priority work: its timed park returns early
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
 *   sleepNanos, rousedEarly   ticker only.
 *   dozeUntil       written by the ticker (volatile), read by timer schedulers.
 *   roused          written by wakers, read and cleared by the ticker.
 *   level           ticker only.
 *   passes, ticks, dozes, rousings, idleSleeps   ticker writes (volatile), anyone reads.
 *   coarseNanos     static, JVM-wide: every runtime's ticker and wakers raise it
 *                   (advanceCoarse, a CAS-max: it never steps back); anyone reads
 *                   it with a plain load.
 * </pre>
 */
public final class Ticker extends Thread {
    /** 1 ms: the runtime's one tick: the resolution of time slices, stall
     * detection, stranded-work rescue and timers (TimerWheel counts in it).
     * Fine enough that a 10 ms slice is accurate to 10%. Its cost is not
     * negligible everywhere: 10-22 us of CPU a wake-up, 0.15-0.24 us per
     * request in the http benchmark (docs/networking.md), hence "Backing off". */
    public static final long TICK_NANOS = 1_000_000L;

    /** The longest sleep between two passes while backed off (see "Backing off"):
     * 8 ms (Go's sysmon goes to 10 ms), shortened to the time slice or stall threshold
     * if either is shorter (Sysmon.maxSleepNanos). 1,000 passes a second become 125. */
    static final long MAX_SLEEP_NANOS = 8 * TICK_NANOS;

    /** {@code -Dverdant.tickerBackoff=false}: tick every TICK_NANOS while any carrier
     * is active, as before backing off was built (for A/B comparisons). */
    static final boolean BACKOFF = !"false".equalsIgnoreCase(System.getProperty("verdant.tickerBackoff"));

    /**
     * A coarse clock ({@link Clock#SYSTEM}, at most about one tick stale while any
     * runtime is busy, up to MAX_SLEEP_NANOS while every busy runtime backs off)
     * that the dispatch path can read for one plain load: the
     * time a green thread last left a carrier ("waiting for 3 s" in snapshots).
     * Written by every runtime's ticker at each tick and after each idle sleep,
     * and by whoever wakes a carrier of an idle runtime (advanceIfSleeping, before the
     * woken carrier runs anything), all through advanceCoarse: a CAS that only ever
     * raises it, so it never steps back (a writer descheduled between its clock read
     * and its store once published an older reading over a newer one, and threads
     * stamped meanwhile were shown waiting too long). Readers use one plain load (the
     * dispatch path: GreenThread's lastRanAt stamp, Worker's stampCoarse): a reader
     * may see a value a tick older, never a torn one on the 64-bit JVMs Verdant runs
     * on; while every runtime is idle it is not advanced, and nothing is stamped then.
     * Shared by every runtime, so it is on Clock.SYSTEM whatever a runtime's own
     * clock is; readers compare it with Clock.SYSTEM (Snapshots, Dumper).
     */
    public static long coarseNanos = Clock.SYSTEM.nanoTime();
    /** coarseNanos, for advanceCoarse's CAS. */
    private static final java.lang.invoke.VarHandle COARSE;

    static {
        try {
            COARSE = java.lang.invoke.MethodHandles.lookup().findStaticVarHandle(Ticker.class, "coarseNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Scheduler scheduler;
    private final Sysmon sysmon;
    /** The runtime's clock (see "Time"). */
    private final Clock clock;
    /** Timer hook (issue 5): set once before start, read by the ticker only. */
    private Clockwork clockwork = Clockwork.NONE;
    private volatile boolean sleeping;
    private volatile boolean stop;
    /** The longest sleep between two passes while the carriers are quiet (see
     * "Backing off"); TICK_NANOS when backing off is switched off. Final. */
    private final long maxSleepNanos;
    /** Ticker thread only: the back-off level (TICK_NANOS, doubled by each quiet pass up
     * to maxSleepNanos), and the sleep before the next pass (the level, or less if a rule
     * is due sooner: Sysmon.tick's answer; TICK_NANOS or at least two ticks). */
    private long level = TICK_NANOS;
    private long sleepNanos = TICK_NANOS;
    /** While the ticker dozes (a backed-off sleep): the runtime-clock time after which a
     * new timer need not wake it (its planned wake-up less a tick); Long.MIN_VALUE
     * otherwise. Written by the ticker, read by any thread scheduling a timer. */
    private volatile long dozeUntil = Long.MIN_VALUE;
    /** Set by a waker that cut a doze short (a timer due before dozeUntil, a nudge);
     * read and cleared by the ticker, which then ticks again (see "Backing off"). */
    private volatile boolean roused;
    /** Ticker thread only: the last doze was cut short by a waker; the next sleep
     * ends at the next timer deadline, at most a tick. */
    private boolean rousedEarly;
    /** Counts (ticker writes, any thread reads; tests and diagnostics): Sysmon passes,
     * backed-off sleeps, returns from a backed-off sleep to the one-tick one, idle sleeps. */
    private volatile long passes;
    private volatile long ticks;
    private volatile long dozes;
    private volatile long rousings;
    private volatile long idleSleeps;

    Ticker(Scheduler scheduler, String name, Sysmon sysmon) {
        super(null, null, name, 0, false);
        this.scheduler = scheduler;
        this.sysmon = sysmon;
        this.clock = scheduler.clock();
        this.maxSleepNanos = BACKOFF ? sysmon.maxSleepNanos() : TICK_NANOS;
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

    /** Ticker thread: one tick (of one tick or, backed off, longer), or one idle sleep. */
    private void turn() {
        if (scheduler.allIdle()) {
            // A spare retires when a tick sees its stuck carrier back; the last tick
            // may have come before the carrier returned and went idle, so look once
            // more before sleeping (otherwise the spare lived until close:
            // MetricsTest.anIdleCarrierParksAndAStallStartsOneSpare).
            passes++;
            sysmon.tick(now(), TICK_NANOS);
            if (!scheduler.allIdle()) {
                return;
            }
            sleeping = true;
            long timerWait = clockwork.nanosToNextDeadline();
            if (scheduler.allIdle() && !stop) {
                idleSleeps++;
                if (timerWait < 0) {
                    LockSupport.park(this);
                } else {
                    LockSupport.parkNanos(this, timerWait);
                }
            }
            sleeping = false;
            sleepNanos = TICK_NANOS; // work begins again: ticks, until a pass finds the carriers quiet
            level = TICK_NANOS;
            now(); // the coarse stamp, after a sleep of unknown length
            clockwork.advance();
            return;
        }
        long planned = sleepNanos;
        if (planned > TICK_NANOS) {
            planned = doze(planned);
        } else if (rousedEarly) {
            // A waker (a timer, a nudge) cut the last doze short: wake at the next deadline, not a tick after the
            // pass that followed (which may come just before the deadline's tick).
            rousedEarly = false;
            long timerWait = clockwork.nanosToNextDeadline();
            planned = timerWait < 0 ? TICK_NANOS : Math.min(timerWait, TICK_NANOS);
            LockSupport.parkNanos(this, planned);
        } else {
            ticks++;
            LockSupport.parkNanos(this, TICK_NANOS);
        }
        clockwork.advance();
        passes++;
        long quietNanos = sysmon.tick(now(), planned);
        if (quietNanos < 2 * TICK_NANOS || roused) {
            rousedEarly = roused;
            roused = false;
            if (sleepNanos > TICK_NANOS) {
                rousings++;
            }
            level = TICK_NANOS;
            sleepNanos = TICK_NANOS;
        } else {
            level = Math.min(2 * level, maxSleepNanos);
            sleepNanos = Math.min(level, quietNanos);
        }
    }

    /**
     * Ticker thread, backed off: parks for {@code planned} (more than a tick), or
     * less if a timer is due sooner, or until a waker rouses it (see "Backing
     * off"); returns the sleep it planned. The Dekker pair with TimerWheel.schedule
     * is Clockwork's: dozeUntil (volatile) is written before the deadline is read.
     */
    private long doze(long planned) {
        dozeUntil = clock.nanoTime() + planned - TICK_NANOS;
        long timerWait = clockwork.nanosToNextDeadline();
        long sleep = timerWait < 0 ? planned : Math.clamp(timerWait, TICK_NANOS, planned);
        if (!stop) {
            dozes++;
            LockSupport.parkNanos(this, sleep);
        }
        dozeUntil = Long.MIN_VALUE;
        return sleep;
    }

    /** Ticker thread: the runtime's clock now; also advances the JVM-wide coarse stamp. */
    private long now() {
        long now = clock.nanoTime();
        advanceCoarse(clock == Clock.SYSTEM ? now : Clock.SYSTEM.nanoTime());
        return now;
    }

    /**
     * Any writer of {@link #coarseNanos} (a ticker, a waker): publishes {@code nanos}, a
     * Clock.SYSTEM reading, unless the clock already holds a later one (a CAS-max: a
     * writer descheduled between its clock read and this call does not move the clock
     * back). At most once per tick per runtime and once per idle wake-up; never on the
     * dispatch path, which reads the field with one plain load.
     */
    static void advanceCoarse(long nanos) {
        long seen = (long) COARSE.getOpaque();
        while (nanos - seen > 0) {
            long witness = (long) COARSE.compareAndExchange(seen, nanos);
            if (witness == seen) {
                return;
            }
            seen = witness;
        }
    }

    // ------------------------------------------------------------------ timer hook (issue 5)

    /**
     * What the ticker drives besides its own checks: the runtime's timer wheel.
     * {@link #advance()} runs after every tick and after every idle sleep, and
     * runs every due timer action even if one throws: it reports the throwable
     * (the runtime's internal-error log) and does not throw it (TimerWheel,
     * "Firing"), so neither the other actions nor this thread stop;
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
            if (dozeUntil != Long.MIN_VALUE) {
                roused = true;
            }
            LockSupport.unpark(this);
        }
    }

    /**
     * Any thread (a waker, right before it unparks a worker): if the ticker is in its
     * idle sleep, advances {@link #coarseNanos}, which the sleeping ticker does not.
     * The woken carrier stamps the end of the slices it runs from that clock before
     * the ticker is back to advance it, so without this a thread that ran right after
     * an idle period was shown waiting since the period began
     * (SnapshotTest.timeWaitingAfterAnIdlePeriodCountsFromTheLastSlice). A clock read
     * only when the whole runtime was idle; the ticker's own wake-up
     * ({@link #wakeIfSleeping}) comes after the worker's, which it does not delay.
     */
    public void advanceIfSleeping() {
        if (sleeping) {
            advanceCoarse(Clock.SYSTEM.nanoTime());
        }
    }

    /** Any thread (a worker leaving the idle state, or its waker): wakes the ticker from its idle sleep. A doze is left alone. */
    public void wakeIfSleeping() {
        if (sleeping) {
            LockSupport.unpark(this);
        }
    }

    /**
     * Any thread, after arming a timer due at {@code deadlineNanos} (the runtime's
     * clock) and publishing it with a volatile write (see Clockwork): wakes the
     * ticker from its idle sleep, or from a doze that would end more than a tick
     * after the deadline (the doze is then over: the ticker ticks again).
     */
    public void wakeForTimer(long deadlineNanos) {
        if (sleeping) {
            LockSupport.unpark(this);
        } else if (deadlineNanos < dozeUntil) {
            roused = true;
            LockSupport.unpark(this);
        }
    }

    /** Tests and diagnostics, any thread: Sysmon passes so far. */
    public long passes() {
        return passes;
    }

    /** Tests and diagnostics, any thread: one-tick sleeps while a carrier was active, so far. */
    public long ticks() {
        return ticks;
    }

    /** Tests and diagnostics, any thread: backed-off sleeps (longer than a tick) so far. */
    public long dozes() {
        return dozes;
    }

    /** Tests and diagnostics, any thread: times the ticker went from backed off back to one tick. */
    public long rousings() {
        return rousings;
    }

    /** Tests and diagnostics, any thread: sleeps taken with every carrier idle. */
    public long idleSleeps() {
        return idleSleeps;
    }

    /** Tests and diagnostics, any thread: the longest sleep between passes while backed off. */
    public long maxSleepNanos() {
        return maxSleepNanos;
    }

    void shutdown() {
        stop = true;
        LockSupport.unpark(this);
    }
}
