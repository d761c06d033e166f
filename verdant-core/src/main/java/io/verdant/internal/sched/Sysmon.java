package io.verdant.internal.sched;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The runtime's monitor (the role Go's sysmon plays), run by the {@link Ticker}
 * thread once per tick (or less often while the carriers are quiet: Ticker,
 * "Backing off"): it watches every carrier and turns what it sees into
 * preemption requests, wake-ups, stall reports and spare carriers.
 *
 * <pre>
 * Observation (no clock reads on the dispatch path)
 *   A worker increments its dispatch count per task it runs. Once per tick,
 *   for each carrier, Sysmon compares the count with the one it saw last: if it
 *   moved (or the carrier runs nothing), {@code since} = now. Otherwise one
 *   task has held that carrier for at least now - since (to within one tick,
 *   ~1 ms): the slice is measured without reading a clock on the dispatch
 *   path, which the yield benchmark holds to ~150 ns per switch. {@code now}
 *   is the runtime's clock, read by the ticker (Ticker, "Time").
 *   A gap between two ticks longer than PAUSE_NANOS (a GC pause, or the OS
 *   descheduling the process) is added to every since: nobody held a carrier
 *   then, so it counts towards neither a slice nor a stall. After a backed-off
 *   sleep the gap is measured beyond the sleep planned (tick's plannedNanos).
 *   Per carrier, the current task is read first (acquire), then the count: a
 *   dispatch increments the count before it publishes its task (release), so a
 *   task seen comes with the count of its own dispatch or a later one. Read the
 *   other way round (count, then task), a carrier that moved on between the two
 *   reads paired the old count, which made the hold look unbroken, with the new
 *   task: a thread that had just mounted was asked to yield for its
 *   predecessor's slice, and could be reported as the stalled thread
 *   (SysmonObserveRaceTest). The order kept can only pair a task with a newer
 *   count (the hold restarts: at most a tick late) or name a task that has just
 *   left (a stale request, withdrawn: "Stale requests").
 *
 * Quiet passes (Ticker, "Backing off")
 *   tick returns how long the next pass may wait: 0 (within a tick) unless
 *   every carrier dispatched since the last pass, runs nothing, or is held by a
 *   task that has not reached holdCheckNanos (the time slice, or half the
 *   stall threshold if earlier or if preemption is off), and no
 *   carrier is seen for the first time, no request is left in requested[], no
 *   spare is alive (spareFor), no stall is reported and not yet over, no trace
 *   records (queue depths are sampled per tick), no held carrier has a task in
 *   its LIFO slot (a searcher may have parked without taking it), and no
 *   carrier is held while another runs nothing and work waits (a rescue may
 *   help). Otherwise the answer is the time until the earliest held carrier
 *   reaches holdCheckNanos (Long.MAX_VALUE if none is held). Why that is
 *   enough: every rule below needs a hold of at least a tick with work
 *   waiting; the rescue matters only if a carrier is free or a LIFO slot is
 *   full (kept per tick: a carrier that parks takes queued work first,
 *   Scheduler "Search and parking"); a slice needs held >= timeslice (the
 *   ticker wakes at since + timeslice, exactly), a stall held >=
 *   stallThreshold > holdCheckNanos (the ticker wakes at half the threshold,
 *   then per tick); priority rule a and b requests follow a nudge (Scheduler.submit),
 *   which rouses a sleeping ticker; rule c has no nudge (a spawn or wake-up would
 *   have to read every carrier): its victim's hold is looked at by the hold's
 *   slice end at the latest, so such work waits at most about a slice. Holds that
 *   began during a backed-off sleep are timed from the pass that saw their
 *   dispatch: still lower bounds, at most one sleep (8 ms, i.e. 7 ms more than a
 *   tick) late.
 *
 * What it does with a carrier held for {@code held}, only while other work is
 * waiting somewhere (injection queues, any carrier's queues or LIFO slot):
 *   held >= 1 tick, work queued on that carrier    signalWork (an idle carrier
 *   or in the injection queues                     steals it; the old Ticker rule;
 *                                                  for injected work a safety net:
 *                                                  the missed wake-up it was added
 *                                                  for is fixed (Scheduler, "Search
 *                                                  and parking", step 5), and
 *                                                  OutsideSpawnWakeTest turns it
 *                                                  off to prove it)
 *   held >= timeslice                              request preemption of the task
 *                                                  (Task.requestPreemption), and
 *                                                  have the carrier look at the
 *                                                  injection queues first after it
 *   held >= stallThreshold, and the carrier ran    report the stall once (WARNING,
 *                                                  with the green thread's stack
 *                                                  taken at detection, logged
 *                                                  from a short-lived reporter
 *                                                  thread, never the ticker) and
 *                                                  start a spare carrier for it
 *   Without waiting work nothing is requested: a lone CPU-bound thread is left
 *   alone and Safepoints.pending stays 0, keeping every checkpoint on its fast path.
 *
 * Stalls (did the carrier run?)
 *   Wall time alone reported carriers that were not running at all: a carrier
 *   the OS did not schedule, or stopped by GC pauses each shorter than
 *   PAUSE_NANOS, looks exactly like one stuck in a loop (seen in 1M-thread runs:
 *   reports for threads parked in join, with empty stacks). A carrier is a
 *   platform thread, so its CPU clock tells. A stall means the task used the
 *   carrier's CPU for stallThreshold: at the first tick of a hold (held >= 1
 *   tick) Sysmon samples the carrier's CPU time (cpuAtHold) and the hold so far
 *   (heldAtSample, at most about two ticks or one backed-off sleep: the task
 *   cannot have used more CPU than that before the sample); once held reaches stallThreshold it counts
 *   the hold as a stall only if the carrier has used at least
 *     stallThreshold - heldAtSample - 1 tick
 *   of CPU since, or is blocked (in native code, or parked or blocked on a
 *   monitor with its green thread pinned: a carrier held without needing the
 *   CPU, like the file read that Green.blocking exists for, or a thread blocked
 *   inside a class initializer on a monitor that a preempted thread, queued
 *   behind it, holds: JvmCarrierProbe.blocked). So a report means the task held the CPU
 *   for the threshold, to within a tick or two. A hold that fails the test is
 *   looked at again each tick: a CPU-bound task on a carrier the OS runs a
 *   third of the time is reported after about three thresholds of wall time,
 *   once it has used one threshold of CPU; one that runs normally is reported
 *   at the first tick with held >= stallThreshold, i.e. within stallThreshold
 *   + 2 ticks of its last dispatch (plus up to one backed-off sleep, at most
 *   7 ms more, when that dispatch fell in one: "Quiet passes"). (Before, the
 *   rule asked for a quarter of the hold's second half in CPU, and the JVM probe called every carrier
 *   running a green thread blocked, since HotSpot reports it WAITING, so the
 *   CPU test never applied: on a loaded 2-core machine, tasks of at most 8 ms
 *   of CPU under a 30 ms threshold were reported 29 times in 15 s, 38 with
 *   this rule alone, 0 with both fixed; see StallTest.) Cost: one CPU-clock
 *   read per hold longer than a tick (on the ticker; nothing on the dispatch
 *   path), and a CPU read and a thread-state read per tick while a stall is
 *   undecided.
 *   The stack is captured at detection, by the ticker (a mounted virtual
 *   thread's stack costs microseconds); only the logging is left to the
 *   reporter thread. If the carrier moved on during the capture, the report
 *   says no stack could be captured instead of showing another thread's.
 *
 * Priority preemption (each tick, preemption on)
 *   a. A carrier whose own queues or LIFO slot hold a task of higher priority
 *      than the one it runs: that task is asked to yield (the carrier then
 *      dispatches its best local work first).
 *   b. An injected task of priority P while no carrier is free and some carrier
 *      runs something of lower priority than P: the carrier running the
 *      lowest-priority task (the one running longest among equals) is asked to
 *      yield, whatever the others run (it used to be asked only while every
 *      carrier ran worse than P: with one carrier running CRITICAL, a HIGH thread
 *      woken by a timer waited for the end of a LOW thread's slice elsewhere,
 *      CrossCarrierPriorityTest); its next dispatch
 *      takes injected work of higher priority than all its local work first
 *      (Worker dispatch rule 1b). Only the task judged is asked: if the carrier
 *      has moved on by the end of the pass, nobody is (it used to ask whatever
 *      ran there then, even a CRITICAL thread that had just mounted).
 *   c. Work of level B waiting on a carrier (the donor) held since the last pass by
 *      a task at least as good as B, while another carrier runs worse work than B:
 *      a worker busy with a task never steals, and without this rule B waited on
 *      the donor for its anti-starvation turn (16 of the donor's slices) while a
 *      LOW thread ran elsewhere (CrossCarrierPriorityTest). One task of B moves
 *      per pass from the donor's ring or LIFO slot to the injection queue of its
 *      level (Worker.takeWaiting: a thief's take, CAS on the ring's head or the
 *      slot; not if work of B or better is injected already), and rule b's
 *      victim, which runs worse than B, is asked to yield; its next dispatch takes
 *      the injected task (Worker dispatch rule 1b). Costs nothing on the dispatch
 *      path: the donor is found from the levels rule a reads anyway.
 *   Requests are idempotent (Safepoints.request returns false for a thread
 *   already asked) and withdrawn when the thread unmounts (GreenThread.dispatch).
 *
 * Stale requests
 *   Sysmon reads a carrier's current task, then requests; the task may have
 *   unmounted in between, after GreenThread.dispatch looked at its flag (or
 *   before the request was counted: dispatch looks only while pending != 0).
 *   Such a request would stay pending (keeping every checkpoint in the JVM on
 *   its slow path) until the thread next reaches a safepoint, or forever if it
 *   never does. So requested[i] remembers the task asked on carrier i, and every
 *   request Sysmon made stays in requested[] until it is withdrawn:
 *     carrier i runs the task (the same slice, or a later one there)  kept
 *     carrier i has moved on and the task is not running on it        withdrawn
 *     request(i, u) for another task u                                  withdrawn
 *     the ticker ends (withdrawAll)                                     withdrawn
 *   A task running again on another carrier j has its request withdrawn too:
 *   the slice it was asked to end is over, and the slice on j is judged on j
 *   (it used to be left pending and forgotten: a thread that then ran without
 *   a safepoint for ever, like a stuck carrier's after close, kept
 *   Safepoints.pending above 0 for the rest of the JVM, which SafepointsTest
 *   saw once in six full runs). A withdrawal racing the task's own
 *   acknowledgement is harmless: both CAS the flag from true to false, and
 *   only the winner decrements pending.
 *
 * Spare carriers (see Scheduler, "Carriers", for how a spare joins and leaves)
 *   spareFor[i] is the spare started because carrier i stalled. When carrier
 *   i's dispatch count moves again, or it runs nothing, its spare is told to
 *   retire: it finishes its task, hands its queued work to the injection queues
 *   and exits. At most Config.maxSpareCarriers spares are alive at once; a
 *   spare can itself stall and get a spare while the bound allows. A stall
 *   with no spare to spare is still reported. A carrier that leaves (a spare
 *   that retired: its slot is absent from the carriers array at a tick, or
 *   holds a new carrier) has its own spare retired too (carrierLeft), so a
 *   chain of spares unwinds as each stalled carrier comes back or leaves.
 *
 * Threads and fields
 *   Every array here is indexed by Worker.index (cores, then spare slots) and
 *   touched by the ticker thread only. observed[i] detects a spare slot reused
 *   by a new carrier. stallsReported / sparesStarted are read by any thread.
 *
 * Tracing
 *   trace is the ticker's own trace ring (one writer: the ticker thread), or
 *   null; installed by TraceControl (volatile: read once per event, events are
 *   rare). PREEMPT, STALL, SPARE_START and SPARE_RETIRE go there.
 *
 * Cost
 *   Per pass (1,000 a second at one tick, 125 fully backed off): per carrier, two opaque reads and, while work waits, a scan of
 *   its four queue heads and LIFO slot; a CPU-clock read per hold longer than
 *   a tick (see "Stalls"); a stack trace and a log record per stall.
 * </pre>
 */
public final class Sysmon {
    private static final System.Logger LOG = System.getLogger("io.verdant.sysmon");
    /** A gap between ticks longer than this (normally 1 ms) is a pause of the
     * whole process and does not count as time held by any task. 5 ms: above the
     * OS timer jitter seen on the 2-core test machine, far below stallThreshold. */
    private static final long PAUSE_NANOS = 5_000_000L;
    private static final long UNSAMPLED = Long.MIN_VALUE;

    private final Scheduler scheduler;
    private final long timesliceNanos;
    private final long stallNanos;
    private final Worker[] observed;
    private final long[] lastDispatches;
    private final long[] since;
    private final boolean[] reported;
    private final Worker[] spareFor;
    private final Task[] requested;
    /** Ticker thread only: the time of the previous tick, 0 before the first. */
    private long lastTick;
    /** Ticker thread only: ticks so far; present[i] is the tick carrier slot i was last seen in. */
    private long tickCount;
    private final long[] present;
    /** Ticker thread only: carrier i's CPU time at the first tick of its current
     * hold (UNSAMPLED until then; -1 if unmeasurable), the hold's length then, and
     * whether the hold has been confirmed as one where the carrier ran (see "Stalls"). */
    private final long[] cpuAtHold;
    private final long[] heldAtSample;
    private final boolean[] ranConfirmed;
    /** Ticker thread only, per pass (reset by tick): a carrier runs nothing; rule
     * b's victim, its level and hold. */
    private boolean anyFree;
    /** Ticker thread only, per pass: nothing seen so far needs the next pass within a tick (see "Backing off"). */
    private boolean quiet;
    /** Ticker thread only, per pass: the earliest time a rule may become due for a held
     * carrier (its slice end, or its stall sample), Long.MAX_VALUE if none; whether any
     * carrier is held (with a free one and waiting work, a rescue may help). */
    private long nextDue;
    private boolean anyHeld;
    /** Final: how long a hold may go unlooked-at (see "Quiet passes"): the time slice,
     * or the stall sample point if earlier or if preemption is off. */
    private final long holdCheckNanos;
    /** Diagnostics (ticker writes, anyone reads): passes that needed the next within a
     * tick because of a held carrier (at its slice end or stall sample, or with a full LIFO slot). */
    private volatile long heldPasses;
    private Worker victim;
    /** Ticker thread only, per pass: the task rule b judged on victim (the only one it may ask). */
    private Task victimTask;
    private int victimLevel;
    private long victimHeld;
    /** Ticker thread only, per pass: rule c's donor (a carrier held since the last pass
     * whose best waiting level is no better than the one it runs) and that level. */
    private Worker donor;
    private int donorLevel;
    /** Tests only ({@link #rescueInjected(boolean)}): false turns off the rescue for
     * injected work (the safety net), so a test can show that submission itself
     * wakes a carrier. Volatile: set by the test thread, read by the ticker per tick. */
    private volatile boolean rescueInjected = true;
    /** Tests only ({@link #rescueLocal(boolean)}): false turns off the rescue for work
     * queued on a held carrier (its local queues or LIFO slot), so a test can show that
     * the carrier's own signal hands that work on. Volatile, as rescueInjected. */
    private volatile boolean rescueLocal = true;
    /** How carriers are probed; replaced by tests only (probe()). */
    private volatile CarrierProbe probe = CarrierProbe.JVM;
    private final AtomicLong stallsReported = new AtomicLong();
    private final AtomicLong sparesStarted = new AtomicLong();
    private final AtomicLong preemptionsRequested = new AtomicLong();
    /** The ticker's trace ring, or null (see "Tracing"). */
    volatile io.verdant.internal.obs.TraceRing trace;

    Sysmon(Scheduler scheduler, long timesliceNanos, long stallNanos) {
        this.scheduler = scheduler;
        this.timesliceNanos = timesliceNanos;
        this.stallNanos = stallNanos;
        long stallCheckNanos = Math.max(Ticker.TICK_NANOS, stallNanos / 2);
        this.holdCheckNanos = timesliceNanos > 0 ? Math.min(timesliceNanos, stallCheckNanos) : stallCheckNanos;
        int n = scheduler.maxCarriers();
        this.observed = new Worker[n];
        this.lastDispatches = new long[n];
        this.since = new long[n];
        this.reported = new boolean[n];
        this.spareFor = new Worker[n];
        this.requested = new Task[n];
        this.present = new long[n];
        this.cpuAtHold = new long[n];
        this.heldAtSample = new long[n];
        this.ranConfirmed = new boolean[n];
        java.util.Arrays.fill(cpuAtHold, UNSAMPLED);
    }

    /**
     * Tests only, any thread: turns the stranded-work rescue for injected work on
     * or off (see the field). The rescue for work queued on a held carrier is {@link #rescueLocal(boolean)}.
     */
    void rescueInjected(boolean on) {
        rescueInjected = on;
    }

    /**
     * Tests only, any thread: turns the stranded-work rescue for work queued on a
     * held carrier on or off (see the field). Time slices and stalls are unchanged.
     */
    void rescueLocal(boolean on) {
        rescueLocal = on;
    }

    /**
     * The longest sleep the ticker may take between passes while they find the
     * carriers quiet (see "Backing off"): Ticker.MAX_SLEEP_NANOS, or the time slice
     * or the stall threshold if shorter, in whole ticks, at least one.
     */
    long maxSleepNanos() {
        long cap = Math.min(Ticker.MAX_SLEEP_NANOS, stallNanos);
        if (timesliceNanos > 0) {
            cap = Math.min(cap, timesliceNanos);
        }
        return Math.max(Ticker.TICK_NANOS, cap / Ticker.TICK_NANOS * Ticker.TICK_NANOS);
    }

    /**
     * Ticker thread only: one pass at time {@code now}, {@code plannedNanos} (a tick,
     * or a longer backed-off sleep) after the ticker last looked: discount a pause of
     * the whole process, observe every carrier and apply the rules to it, retire the
     * spares of carriers that left, withdraw stale requests, then priority rules c and b.
     * Returns how long the next pass may wait (see "Quiet passes"): 0 if it must
     * come within a tick, Long.MAX_VALUE if no rule is due at any time.
     */
    long tick(long now, long plannedNanos) {
        long weight = discountPause(now, plannedNanos);
        tickCount++;
        quiet = trace == null;
        nextDue = Long.MAX_VALUE;
        anyHeld = false;
        // A JDK sub-poller queued behind a carrier that a green thread holds must not
        // hold up every socket of the JVM: after the stall threshold it moves (PollerHost).
        scheduler.rescuePollers(stallNanos);
        boolean waiting = scheduler.hasWaitingWork();
        anyFree = false;
        victim = null;
        victimTask = null;
        victimLevel = -1;
        victimHeld = -1;
        donor = null;
        donorLevel = Scheduler.LEVELS;
        for (Worker c : scheduler.carriers()) {
            int i = c.index;
            // The task first, then the count (see "Observation": a task and the count of
            // its own dispatch or a later one; never a count older than the task).
            Task running = c.currentTaskAcquire();
            Faults.at(c, Faults.Site.SYSMON_OBSERVING);
            long d = c.dispatchCount();
            if (running != null) {
                // Statistics (the ticker is their only writer): busy ratio, sampled run time,
                // one tick per tick the pass stands for (see "Backing off").
                c.counters.busyTicks += weight;
                running.chargeTicks(weight);
            }
            long held = observe(i, c, d, running, now);
            if (held >= 0 && waiting) {
                applyRules(i, c, d, running, held);
            }
        }
        if (trace != null) {
            sampleQueueDepths();
        }
        forgetDeparted();
        sweepRequests();
        if (timesliceNanos > 0 && waiting && !anyFree && victim != null) {
            preemptForQueuedElsewhere();
            preemptForInjected();
        }
        if (anyHeld && anyFree && waiting) {
            quiet = false; // a rescue may give a held carrier's work to the free one
        }
        if (quiet) {
            for (int i = 0; i < requested.length; i++) {
                if (requested[i] != null || spareFor[i] != null || reported[i]) {
                    quiet = false; // a request to follow up, a spare to retire, a stall to clear
                    break;
                }
            }
        }
        return !quiet ? 0 : nextDue == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, nextDue - now);
    }

    /**
     * A gap between two ticks longer than PAUSE_NANOS: the ticker itself did not
     * run for a while (a GC or safepoint pause, or the OS starving the whole
     * process). The carriers were stopped too, so that time is nobody's slice;
     * without this, every GC pause longer than stallThreshold was reported as a
     * stall (seen in the spawn benchmark: 1M short threads, young GCs of
     * 100-200 ms).
     */
    private long discountPause(long now, long plannedNanos) {
        long gap = lastTick == 0 ? 0 : now - lastTick;
        lastTick = now;
        // Beyond the planned sleep: at one tick, a gap over PAUSE_NANOS as ever.
        long late = gap - plannedNanos;
        if (late > PAUSE_NANOS - Ticker.TICK_NANOS) {
            for (int i = 0; i < since.length; i++) {
                since[i] += late;
            }
        }
        if (plannedNanos <= Ticker.TICK_NANOS) {
            return 1;
        }
        // The ticks this pass stands for: the sleep taken (a doze can be cut short),
        // at most the one planned (a pause is nobody's run time).
        return Math.clamp((gap + Ticker.TICK_NANOS / 2) / Ticker.TICK_NANOS, 1, plannedNanos / Ticker.TICK_NANOS);
    }

    /**
     * Updates what is known of carrier {@code c} (slot {@code i}) from its
     * dispatch count {@code d} and {@code running} task; returns how long that
     * task has held it, or -1 if there is nothing to judge (a carrier seen for
     * the first time, or one that runs nothing).
     */
    private long observe(int i, Worker c, long d, Task running, long now) {
        present[i] = tickCount;
        if (observed[i] != c) {
            carrierLeft(i);
            observed[i] = c;
            lastDispatches[i] = d;
            since[i] = now;
            cpuAtHold[i] = UNSAMPLED;
            ranConfirmed[i] = false;
            reported[i] = false;
            spareFor[i] = null;
            quiet = false;
            return -1;
        }
        if (d == lastDispatches[i] && running != null) {
            // One task held it since the last pass: nothing is due before its slice ends
            // (or its stall sample); from then on, every tick (see "Quiet passes").
            anyHeld = true;
            long due = since[i] + holdCheckNanos;
            // A task in its LIFO slot: a searcher takes it only once it sees the count
            // stand still, and park() does not re-check slots (Scheduler, "LIFO slot"):
            // the rescue for it stays per tick.
            if (now - due >= 0 || c.lifoOccupied()) {
                if (quiet) {
                    heldPasses++;
                }
                quiet = false;
            } else {
                nextDue = Math.min(nextDue, due);
            }
        }
        if (d != lastDispatches[i] || running == null) {
            lastDispatches[i] = d;
            since[i] = now;
            cpuAtHold[i] = UNSAMPLED;
            ranConfirmed[i] = false;
            carrierReturned(i, c);
            if (running == null) {
                anyFree = true;
                return -1;
            }
        }
        long held = now - since[i];
        if (held > 0 && cpuAtHold[i] == UNSAMPLED) {
            // The hold's first tick: the carrier's CPU clock now (see "Stalls").
            cpuAtHold[i] = probe.cpuNanos(c);
            heldAtSample[i] = held;
        }
        return held;
    }

    /**
     * While work waits: the rules of the class comment for carrier {@code c},
     * held by {@code running} for {@code held}: stranded-work rescue, time slice
     * and priority rule a, stall; and it is considered as rule b's victim.
     */
    private void applyRules(int i, Worker c, long d, Task running, long held) {
        if (held > 0 && ((rescueLocal && c.hasLocalWork()) || (rescueInjected && scheduler.injectedDepth() != 0))) {
            scheduler.rescueStranded(c);
        }
        int level = running.priority;
        if (timesliceNanos > 0) {
            int localBest = c.bestWaitingLevel();
            boolean betterHere = localBest >= 0 && localBest < level;
            if ((held >= timesliceNanos || betterHere) && request(i, running) && !betterHere) {
                // Slice over: the injection queues first after it. Not for rule a: the
                // carrier then dispatches the better work waiting here first. With the
                // injection queues first, a LOW task injected (or overflowed) there ran
                // instead, and each later rule-a request did the same again, so a HIGH
                // thread queued here waited for as long as LOW work stayed injected
                // (PreemptionTest.aHighThreadQueuedOnItsCarrierRunsBeforeInjectedLowWork).
                c.preferInjectedNext();
            }
            if (!betterHere && localBest >= 0 && localBest < donorLevel && held > 0) {
                donor = c;
                donorLevel = localBest;
            }
            if (level > victimLevel || (level == victimLevel && held > victimHeld)) {
                victim = c;
                victimTask = running;
                victimLevel = level;
                victimHeld = held;
            }
        }
        if (held >= stallNanos && (!reported[i] || spareFor[i] == null) && carrierRan(i, c)) {
            stalled(i, c, running, held, d);
        }
    }

    /** Carrier slots not seen in this pass (a spare left): see {@link #carrierLeft}. */
    private void forgetDeparted() {
        for (int i = 0; i < observed.length; i++) {
            if (observed[i] != null && present[i] != tickCount) {
                carrierLeft(i);
            }
        }
    }

    /**
     * Priority rule b: injected work of a better priority than the victim's (the
     * lowest priority running, longest held), no carrier free: the victim is asked
     * to yield.
     */
    private void preemptForInjected() {
        int injectedBest = scheduler.bestInjectedLevel();
        if (injectedBest >= 0 && injectedBest < victimLevel) {
            // Only the task judged: the carrier may have moved on since, to a task of any
            // priority (CRITICAL, say), which must not be asked to yield to this work; the
            // next pass judges it (SysmonObserveRaceTest).
            if (victim.currentTask() == victimTask) {
                request(victim.index, victimTask);
            }
        }
    }

    /**
     * Priority rule c: work of level B waits on a carrier busy with work at least as
     * good (the donor; rule a does not apply there) while the victim runs worse work
     * than B. One such task moves from the donor's queue to the injection queue of its
     * level (unless work that good is injected already), and the victim is asked to
     * yield: its next dispatch takes the injected task (Worker dispatch rule 1b).
     */
    private void preemptForQueuedElsewhere() {
        if (donor == null || donorLevel >= victimLevel || victim.currentTask() != victimTask) {
            return;
        }
        int injectedBest = scheduler.bestInjectedLevel();
        if (injectedBest < 0 || injectedBest > donorLevel) {
            Task t = donor.takeWaiting(donorLevel);
            if (t == null) {
                return; // the donor (or a thief) took it meanwhile
            }
            scheduler.inject(t);
            scheduler.signalWork();
        }
        request(victim.index, victimTask);
    }

    /** Ticker only, while a trace records: the queue depths last written (index maxCarriers: injection). */
    private int[] tracedDepths;

    /**
     * Ticker thread only, while a trace records: a QUEUE_DEPTH event for each carrier
     * (and the injection queues) whose depth changed since the last one written, and
     * for all of them every {@link #DEPTH_REFRESH_TICKS} ticks (a trace started later
     * learns the values that do not change).
     */
    private void sampleQueueDepths() {
        int n = scheduler.maxCarriers();
        if (tracedDepths == null) {
            tracedDepths = new int[n + 1];
            java.util.Arrays.fill(tracedDepths, -1);
        }
        boolean all = tickCount % DEPTH_REFRESH_TICKS == 0;
        for (Worker c : scheduler.carriers()) {
            int depth = c.localQueueDepth();
            if (all || depth != tracedDepths[c.index]) {
                tracedDepths[c.index] = depth;
                traceEvent(io.verdant.internal.obs.TraceEvent.QUEUE_DEPTH, c.index, depth);
            }
        }
        int injected = scheduler.injectedDepth();
        if (all || injected != tracedDepths[n]) {
            tracedDepths[n] = injected;
            traceEvent(io.verdant.internal.obs.TraceEvent.QUEUE_DEPTH, -1, injected);
        }
    }

    /** Ticks between two full queue-depth samples in a trace: 100 ms at the 1 ms tick. */
    private static final int DEPTH_REFRESH_TICKS = 100;

    /** Ticker thread only: records an event in the ticker's trace ring, if one is installed. */
    private void traceEvent(int type, long b, long c) {
        io.verdant.internal.obs.TraceRing ring = trace;
        if (ring != null) {
            ring.put(io.verdant.internal.obs.TraceEvent.header(type, 0, 0, 0), io.verdant.internal.timer.Clock.SYSTEM.nanoTime(), b, c);
        }
    }

    private boolean request(int i, Task t) {
        if (!t.requestPreemption()) {
            return false;
        }
        Task earlier = requested[i];
        if (earlier != null && earlier != t) {
            // Carrier i runs t now: the earlier task's slice here is over (see "Stale requests").
            earlier.withdrawPreemption();
        }
        requested[i] = t;
        preemptionsRequested.incrementAndGet();
        traceEvent(io.verdant.internal.obs.TraceEvent.PREEMPT, i, t.traceId());
        return true;
    }

    /**
     * Withdraws requests to tasks whose carrier has moved on since and does not run
     * them now (see "Stale requests"); one still running on its carrier keeps its
     * request and its entry.
     */
    private void sweepRequests() {
        for (int i = 0; i < requested.length; i++) {
            Task t = requested[i];
            if (t != null) {
                Worker w = observed[i];
                if (w == null || !w.isAlive() || w.currentTask() != t) {
                    requested[i] = null;
                    t.withdrawPreemption();
                }
            }
        }
    }

    private void carrierReturned(int i, Worker c) {
        if (reported[i]) {
            reported[i] = false;
            if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
                LOG.log(System.Logger.Level.DEBUG, "carrier " + c.getName() + " is dispatching again");
            }
        }
        Worker spare = spareFor[i];
        if (spare != null) {
            spareFor[i] = null;
            io.verdant.internal.obs.Jfr.spare(scheduler.name(), spare.getName(), false, c.getName());
            traceEvent(io.verdant.internal.obs.TraceEvent.SPARE_RETIRE, spare.index, 0);
            scheduler.retireSpare(spare);
        }
    }

    /**
     * Carrier slot i is no longer in the carriers array (a spare retired), or
     * holds a new carrier: the spare started for the old one is no longer needed
     * and is told to retire. Without this, a spare that stalled, got a spare of
     * its own and then retired left that second spare running until close().
     */
    private void carrierLeft(int i) {
        Worker left = observed[i];
        observed[i] = null;
        reported[i] = false;
        Worker spare = spareFor[i];
        if (spare != null) {
            spareFor[i] = null;
            // Asked to retire, as in carrierReturned: its JFR event too (SpareRetireEventTest).
            io.verdant.internal.obs.Jfr.spare(scheduler.name(), spare.getName(), false, left == null ? "" : left.getName());
            traceEvent(io.verdant.internal.obs.TraceEvent.SPARE_RETIRE, spare.index, 0);
            scheduler.retireSpare(spare);
        }
    }

    /**
     * Whether carrier i, held by one task for at least stallThreshold of wall
     * time, really held it (see "Stalls"): since the hold's first tick it used
     * the threshold in CPU time, less what it may have used before that sample
     * and a tick, or it is blocked (native code, a pinned park). Once true it stays true for this
     * hold, so the probe is asked at most once per tick per carrier, and only
     * while a stall is undecided.
     */
    private boolean carrierRan(int i, Worker c) {
        if (ranConfirmed[i]) {
            return true;
        }
        long start = cpuAtHold[i];
        long cpu = start < 0 ? -1 : probe.cpuNanos(c);
        boolean ran = cpu < 0 || cpu - start >= stallNanos - heldAtSample[i] - Ticker.TICK_NANOS
                || probe.blocked(c);
        ranConfirmed[i] = ran;
        return ran;
    }

    /**
     * Tests only: replaces how carriers are probed (CPU time, state, stack).
     *
     * @param p the probe; {@link CarrierProbe#JVM} is the default
     */
    public void probe(CarrierProbe p) {
        this.probe = java.util.Objects.requireNonNull(p, "p");
    }

    private void stalled(int i, Worker c, Task running, long held, long dispatches) {
        boolean firstReport = !reported[i];
        StackTraceElement[] stack = null;
        if (firstReport) {
            // The stack is taken here, at detection, while the offender still holds
            // the carrier (a mounted virtual thread's stack costs microseconds), and
            // BEFORE the spare starts: the spare runs the work that waited, which can
            // end the offender's loop (a test's stop flag) while this thread is
            // descheduled, and a stack taken after that is gone. If the carrier moved
            // on during the capture, the stack is someone else's: none is reported.
            try {
                stack = probe.stack(running, c);
            } catch (RuntimeException e) {
                stack = null;
            }
            if (c.currentTask() != running || c.dispatchCount() != dispatches) {
                stack = null;
            }
        }
        if (spareFor[i] == null && !scheduler.isTerminating()) {
            Worker spare = scheduler.startSpare();
            if (spare != null) {
                spareFor[i] = spare;
                sparesStarted.incrementAndGet();
                io.verdant.internal.obs.Jfr.spare(scheduler.name(), spare.getName(), true, c.getName());
                traceEvent(io.verdant.internal.obs.TraceEvent.SPARE_START, spare.index, i);
            }
        }
        if (firstReport) {
            reported[i] = true;
            stallsReported.incrementAndGet();
            traceEvent(io.verdant.internal.obs.TraceEvent.STALL, i, running.traceId());
            report(c, running, held, spareFor[i], stack);
        }
    }

    /**
     * Ticker thread: hands the report to a short-lived reporter thread. Logging
     * (the first log record initialises the logging backend: hundreds of
     * milliseconds in a cold JVM, measured) must not stall the ticker, which
     * drives time slices and timers for every other thread. The stack was
     * captured by the ticker at detection ({@code stack}, null if none could be).
     */
    private void report(Worker c, Task running, long held, Worker spare, StackTraceElement[] stack) {
        String spareName = spare != null ? spare.getName() : null;
        Thread reporter = new Thread(null, () -> {
            try {
                log(c, running, held, spareName, stack);
            } catch (Throwable t) {
                scheduler.reportInternalError(t);
            }
        }, c.getName() + "-stall-report", 0, false);
        // Not a daemon: a report in flight is finished before the JVM exits (it
        // takes at most the time to write one record).
        reporter.setDaemon(false);
        reporter.start();
    }

    private void log(Worker c, Task running, long held, String spareName, StackTraceElement[] stack) {
        io.verdant.internal.obs.Jfr.stall(scheduler.name(), c.getName(), running, held, spareName, stack);
        if (!LOG.isLoggable(System.Logger.Level.WARNING)) {
            return;
        }
        Thread vt = running.thread();
        String who = vt != null ? "green thread " + running.reportedAs() : "a virtual thread that is not a green thread";
        String what = spareName != null
                ? "spare carrier " + spareName + " takes over its queued work"
                : scheduler.spareSlots() == 0
                        ? "no spare carrier was started (maxSpareCarriers is 0)"
                        : "no spare carrier was started (all " + scheduler.spareSlots() + " are in use)";
        // With time slices off a checkpoint never yields: the thread may well reach safepoints,
        // and adding checkpoints would change nothing (StallMessagePreemptionOffTest).
        boolean slicesOff = timesliceNanos == 0;
        String advice = slicesOff
                ? " (time slices are off, so Green.checkpoint() does not yield: call Green.yield() in long loops,"
                        + " turn time slices on, or run blocking calls in Green.blocking)."
                : " (add Green.checkpoint() to long loops, or run blocking calls in Green.blocking).";
        String msg = who + " has held carrier " + c.getName() + " for " + held / 1_000_000 + " ms "
                + (slicesOff ? "without yielding" : "without reaching a safepoint")
                + " while other work waits; " + what + ". "
                + (stack != null ? "Its stack trace follows" + advice
                        : "No stack trace could be captured: it left the carrier while the stall was being"
                                + " reported" + advice);
        if (stack == null) {
            LOG.log(System.Logger.Level.WARNING, msg);
            return;
        }
        StalledCarrier trace = new StalledCarrier(msg);
        trace.setStackTrace(stack);
        LOG.log(System.Logger.Level.WARNING, msg, trace);
    }

    /** The ticker thread as it ends, and Scheduler.terminate after it has ended: withdraws every request still recorded. */
    void withdrawAll() {
        for (int i = 0; i < requested.length; i++) {
            Task t = requested[i];
            if (t != null) {
                requested[i] = null;
                t.withdrawPreemption();
            }
        }
    }

    /** Stalls reported so far (each once); any thread. */
    public long stallsReported() {
        return stallsReported.get();
    }

    /** Spare carriers started so far; any thread. */
    public long sparesStarted() {
        return sparesStarted.get();
    }

    /** Diagnostics, any thread: passes that went back to single ticks for a held carrier (see "Quiet passes"). */
    public long heldPasses() {
        return heldPasses;
    }

    /** Preemption requests made so far (time slices and priority); any thread. */
    public long preemptionsRequested() {
        return preemptionsRequested.get();
    }

    /** Carries the stalled green thread's stack trace into the log record. */
    static final class StalledCarrier extends Throwable {
        private static final long serialVersionUID = 1L;

        StalledCarrier(String message) {
            super(message, null, false, true);
        }
    }
}
