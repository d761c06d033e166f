package io.verdant.internal.det;

import io.verdant.DeadlockException;
import io.verdant.Determinism;
import io.verdant.GreenState;
import io.verdant.ScheduleFailedException;
import io.verdant.ScheduleTrace;
import io.verdant.internal.GreenThread;
import io.verdant.internal.RuntimeCore;
import io.verdant.internal.Safepoints;
import io.verdant.internal.Throwables;
import io.verdant.internal.timer.TimerWheel;
import io.verdant.internal.vthread.VirtualThreads;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * The scheduler of a deterministic runtime: one carrier thread runs one task at
 * a time, and every choice of the next task is made by a seeded
 * {@link DetStrategy}. It takes the place of the normal {@code Scheduler}
 * (RuntimeCore builds one or the other): no workers, no ticker, no Sysmon.
 *
 * <pre>
 * Overview (the carrier's loop)
 *   if runnable is empty:
 *     admit external submissions (inbox), in arrival order; if any, continue
 *     fire the timers due now; if that made a task runnable, continue
 *     if a timer is pending: move the virtual clock to its deadline, fire it
 *     else if live green threads all wait (WAITING; an event actor, which has
 *       no virtual thread: idle or its handler parked) and the inbox is empty:
 *       the run fails with a DeadlockException naming who waits on what,
 *       unless every green thread started from outside (roots: rt.run's
 *       body, rt.spawn) has ended: then the waiting ones are leaks, left to
 *       close() to cancel, or (failOnLeak) a failure naming them; with no
 *       leak, quiet is set (awaitRoot waits for it under failOnLeak)
 *     else wait (real time) for an external submission (a thread in transit:
 *       lenient JDK waits, inIo)
 *   else: t = strategy.pick(runnable); record the step (hash, count); run t
 *     until it unmounts (parks, yields, ends); then classify: a green thread
 *     left in TIMED_WAITING, or with the JDK's timeout task still registered
 *     (VirtualThreads.jdkTimeoutPending: its timer may already have fired and
 *     this carrier resubmitted it), made a JDK timed wait; one left BLOCKED
 *     waits for a monitor the JDK's unblocker thread will hand over: both are
 *     refused (the run fails with a message naming the call and the fix). One
 *     left WAITING with no blocker (not a Verdant or j.u.c wait) has its stack
 *     read: in a socket operation (sun.nio.ch frames) it waits for the JDK
 *     poller: refused naming the poller (lenient: counted in transit, inIo).
 *   Every step writes progress (opaque); a step past Determinism.maxSteps
 *   fails the run as a livelock.
 *
 * Watchdog
 *   The thread waiting in awaitRoot (rt.run's caller) wakes every
 *   WATCHDOG_POLL_MILLIS; if a task is mounted and progress has not moved for
 *   Determinism.sliceWatchdog, the run fails with the mounted thread's stack
 *   (user code spinning with no Verdant operation, a class initialisation
 *   held by another green thread). The slice itself cannot be stopped: the
 *   carrier (a daemon) stays with it until it reaches a point or ends. The
 *   carrier is given up instead (abandoned): while that slice has not ended
 *   (stuck()), close() does not wait for the runtime's green threads (none
 *   can run on the only carrier) nor for the loop, and returns at once,
 *   reporting one stuck carrier; the next deterministic runtime (the next
 *   schedule of an exploration) finds no idle carrier and DetCarrier starts a
 *   fresh one. If the slice ends later, the old loop sees stop, returns, and
 *   its carrier goes back to DetCarrier's pool; its runtime's other green
 *   threads are never resumed (abandoned by close), and its Safepoints unit was
 *   returned by terminate.
 *
 * Unobserved failures (Determinism.failOnUnjoinedFailure)
 *   RuntimeCore.reportFailure tells unobservedFailure() about a green thread
 *   that failed with nobody observing (on the failing thread, so on the
 *   carrier); a later join of it takes it back off the list
 *   (failureObserved()). When the last root ends, the carrier fails the run
 *   with the first one left, before the trace is frozen and before awaitRoot
 *   may return (endedRoots), so rt.run throws it.
 *
 * The runnable set
 *   An ArrayList in submission order (a task is appended when it is submitted,
 *   removed when picked): the strategy picks an index, so a choice depends only
 *   on the seed and the order of earlier events, never on a hash. Carrier only:
 *   internal submissions come from the carrier itself (a timer firing, a
 *   yield after unmount) or from the green thread mounted on it (unpark,
 *   spawn), which runs on the carrier's OS thread in program order.
 *   A task is in the set (or among the settlers) at most once (DetTask.queued,
 *   set by admit, cleared when the loop takes the task): the JDK submits a
 *   runnable, unmounted thread once more after a stack walk of it
 *   (VirtualThread.tryGetStackTrace resubmits "as task may have run while
 *   suspended"; Thread.getStackTrace, a dump with stacks), and a walker that is
 *   a green thread of this runtime submits that copy internally while the first
 *   waits. admit drops it: the thread cannot have run while suspended (the only
 *   carrier was running the walker), so the waiting copy runs it. Appended, it
 *   made a second, no-op step and doubled the thread's weight in later picks
 *   (StackWalkDuplicateTest). A copy from outside (a walker on another thread)
 *   comes through the inbox; admitted after the loop has taken the first copy,
 *   it is the one that runs the thread (the first found it suspended and did
 *   nothing), so it is admitted then, and dropped only while a copy waits.
 *
 * Roots from outside
 *   Green threads spawned from outside (rt.spawn, then rt.run's body) arrive
 *   at moments of real time. So that the schedule does not depend on those
 *   moments: admitInbox admits one new root per idle point (the first runs
 *   until nothing can run before the next is admitted, however close together
 *   they arrived), and while no thread waits in awaitRoot (awaiting) live
 *   roots that all wait are not a deadlock: the carrier waits for the outside
 *   (the body still to come) instead. Before, a thread started with rt.spawn
 *   and blocked until rt.run's body came was reported as a deadlock whenever
 *   the body came a moment later, and the same seed took other steps when it
 *   came sooner (DetOutsideSpawnTest). Roots whose starts are separated by
 *   virtual time (the first sleeps) still start at a real-time moment.
 *
 * Joins from outside
 *   An untimed join of one of this runtime's green threads by a thread
 *   outside it (the test thread joining a handle from rt.spawn) waits as
 *   rt.run's caller does (awaitEnd: counted in awaiting, watched by the
 *   watchdog, ended by a failure, which it throws). Before, it waited on the
 *   handle alone: a deadlock was never reported (nobody awaiting, so live
 *   roots that all wait were taken to wait for a body still to come) and the
 *   join hung; a refusal or a livelock failed a run nobody looked at
 *   (DetOutsideJoinTest). A timed join from outside keeps its real-time
 *   timeout. A join whose thread has ended waits on nothing of the run: the
 *   carrier's judgement leaves it out (waitingForRunLocked), else the threads
 *   still waiting (a server close will cancel) were taken for its deadlock
 *   (DetOutsideJoinOthersWaitTest). So is, without failOnLeak, rt.run's
 *   caller whose body has ended: the threads left waiting are leaks, which
 *   close cancels (DetRunOthersWaitTest). The untimed waits of a handle's
 *   futures from outside (asFuture().get(), toCompletableFuture().get() and
 *   join()) wait the same way (awaitEndUnless, which also ends when the
 *   future is cancelled or completed); they used to hang on a deadlock
 *   (DetOutsideFutureTest).
 *
 * Internal versus external submissions
 *   A submission is internal if the submitting thread is the carrier or the
 *   virtual thread now mounted on it (mounted, volatile, written by the
 *   carrier; during a foreign task any virtual thread mounted on the carrier
 *   counts, since the foreign thread's identity is not known). Anything else
 *   (a green thread of another runtime, the test thread
 *   starting the root green thread, the closer cancelling threads, a JDK timer
 *   thread, a platform thread unparking a green thread) goes to the inbox,
 *   under lock, and is admitted only when nothing else can run. A green
 *   thread's first submission (its start) from outside is allowed; any other
 *   external wake-up fails the run (its timing is not part of the schedule)
 *   unless the run has already failed or the runtime is closing.
 *
 * Failure
 *   failure is set once, under lock; waiters in awaitRoot are notified. The
 *   carrier keeps running what is submitted after a failure (so close() can
 *   cancel and finish the threads), but checks nothing more.
 *
 * Trace (StepLog)
 *   A step is a dispatch or a scheduling point (the strategy kept the running
 *   thread or switched). Each step mixes (task id, kind of point, virtual
 *   time) into a 64-bit hash, so two runs with equal hashes took the same
 *   steps at the same virtual times (with overwhelming probability); the last
 *   StepLog.RING steps, with who woke whom, go into failure reports. In check
 *   mode the first run records every step with a hash of its runnable set,
 *   and the second run (expected != null) compares each step as it is taken:
 *   the first difference fails the run with a NondeterminismException naming
 *   the step.
 *
 * Timers that wake nobody
 *   A timer can fire and make no task runnable: a SendTimer whose messages
 *   pile up in the mailbox of a thread that waits on something else (a
 *   channel), a slot of cancelled entries, a cascade between wheel levels. A
 *   periodic one (Green.sendEvery) does so forever: idle() moved the clock to
 *   its next tick, fired it and came back, taking no step, so neither
 *   maxSteps nor the watchdog (no task mounted) nor the deadlock report (a
 *   timer pending) ended the run, which hung with a growing mailbox
 *   (DetTimerWakesNobodyTest). idle() now counts the moves of virtual time
 *   since the last step (idleMovesSpent); past maxSteps (at least the
 *   default, 1,000,000: see idleMoveLimit) it moves time no more and judges the state as if no timer were pending: with rt.run's
 *   caller waiting and every live thread waiting, the run fails naming them
 *   (a ScheduleFailedException, not a DeadlockException: a timer is pending);
 *   after the body under failOnLeak, they are reported as leaks; otherwise
 *   the carrier waits, as for a thread in transit or the outside, until a
 *   step resets the count.
 *
 * Settle
 *   Green.settle() marks the caller's task settling and yields; admit() puts a
 *   settling task aside (settlers) instead of in the runnable set. When
 *   nothing else can run (inbox empty, timers due now fired), idle() puts the
 *   first settler back before it would advance the clock.
 *
 * Ended threads still running
 *   A green thread's status is final (isDone) before its onComplete callbacks
 *   run, on its own virtual thread (GreenThread.finish); it has left the pid
 *   table, so idle() does not see it among the live threads. A callback may
 *   still unmount it: parked on a Verdant primitive (woken from inside, as
 *   any wait), or left BLOCKED on a monitor or in a JDK timed wait. So
 *   afterSlice classifies an ended thread whose virtual thread has not
 *   terminated exactly as a running one (strict: refused, naming the
 *   callback; lenient: not replayable, and counted in endedInTransit, so the
 *   idle carrier waits for its wake-up instead of reporting a deadlock or
 *   quiescence), and processes its end (roots, end-of-body checks) once, at
 *   its first slice after the status became final. Before, it was taken for
 *   gone: the same seed ended in a false DeadlockException or in a refusal of
 *   the JDK unblocker's wake-up, whichever came first in real time
 *   (DetEndedBlockedTest).
 *
 * Lenient policy
 *   With Determinism.lenient(), an external wake-up does not fail the run: it
 *   waits in the inbox until nothing can run (as before) and marks the run not
 *   replayable; a thread left TIMED_WAITING or BLOCKED is not refused but
 *   counted in transit (the carrier waits in real time for its wake-up when
 *   nothing else can run and no timer is pending).
 *
 * Scheduling points
 *   While a deterministic runtime is open it holds one unit of
 *   Safepoints.pending, so every safepoint poll in the JVM takes the slow path;
 *   there a green thread of this runtime calls point(), where the strategy may
 *   make it yield. Normal runtimes in the same JVM then pay the slow path's
 *   extra reads at each poll (never benchmark next to a deterministic runtime).
 *
 * Random choices
 *   rng (seeded) is the strategy's source and select's fair order (random());
 *   Green.random() gets a source per green thread, seeded from the seed and the
 *   pid (threadRandoms, carrier only, dropped when the thread ends). OPEN counts
 *   open deterministic runtimes JVM-wide, so select's normal path skips the
 *   lookup with one static read.
 *
 * Shutdown
 *   RuntimeCore.close() calls closing() first (external wake-ups are now the
 *   closer's cancellations: allowed), cancels and waits for the threads as in
 *   normal mode, then terminate(): stop is set, the carrier is notified, the
 *   closer waits until the loop has returned (loopDone), and the Safepoints
 *   unit is returned. A thread still mounted then was abandoned by close (it
 *   outlived the cancellation: a loop that swallows CancelledException); at
 *   its next scheduling point (reached because the unit is still held) it
 *   unmounts for good, so the loop returns instead of running it forever.
 *   The carrier thread does not end: it goes back to
 *   DetCarrier's pool for the next deterministic runtime. Nothing of this
 *   runtime goes with it: every structure of the schedule (runnable set,
 *   inbox, step log, clock, random sources, pid table, timer wheel) belongs to
 *   this scheduler and its runtime, which are dropped; the schedule's green
 *   threads have ended (cancelled by close) or been abandoned (their
 *   continuations are never resumed: a late wake-up of one lands in this
 *   scheduler's runnable set or inbox, which no loop reads any more).
 *
 * Hand-offs between the test thread and the carrier
 *   A schedule has four: the root's start (external submission), its end
 *   (awaitRoot), close's stop, the loop's end (terminate). Each waiting side
 *   first yields for up to HANDOFF_YIELD_NANOS while it reads a volatile
 *   (inboxPending, the root's state, stop, loopDone), then waits on lock as
 *   before; the notifying side always notifies under lock, so the yielding
 *   phase changes only how fast a waiter notices, never whether it does.
 *
 * Carrier
 *   Taken from DetCarrier (idle from an earlier runtime, or new) at the first
 *   submission from outside, not at start: a runtime that never runs a green
 *   thread needs no carrier, and the hand-off of the loop and of the root
 *   green thread is one wake-up, not two.
 * </pre>
 */
public final class DetScheduler {
    /**
     * How long a wait for the other side of a hand-off between the test thread
     * and the carrier (the next submission, the root's end, the loop's end)
     * yields the processor (Thread.yield) before it sleeps on the lock: 50 us,
     * about one schedule's work on the other side. A sleep and wake-up through
     * the kernel costs several microseconds each on a VM, and a schedule has
     * four hand-offs; yielding keeps them off the kernel's sleep path on two
     * cores and hands the core over at once on one. Chosen, not measured (the
     * machine was loaded when this was written).
     */
    static final long HANDOFF_YIELD_NANOS = 50_000;
    /** How long the idle carrier waits (real time) before re-checking for deadlock while a thread is in transit. */
    private static final long RECHECK_MILLIS = 10;

    /** Deterministic runtimes open in this JVM; lets rare normal-mode paths skip det checks with one static read. */
    private static final java.util.concurrent.atomic.AtomicInteger OPEN = new java.util.concurrent.atomic.AtomicInteger();

    /** Steps shown in a failure report. */
    static final int REPORT_STEPS = 24;
    /**
     * The longest the thread in awaitRoot waits (real time) before it looks at
     * the watchdog again: a tenth of a second keeps a watchdog report within
     * that of its bound, and costs nothing while the run takes steps (the waiter
     * is notified when the root ends).
     */
    private static final long WATCHDOG_POLL_MILLIS = 100;

    private final Determinism settings;
    private final DetStrategy strategy;
    /** The strategy replays saved steps: every point is checked, even with nothing else runnable. */
    private final boolean replaying;
    private final SplittableRandom rng;
    /**
     * Select's fair order: its own source, seeded from the seed, so a replay of
     * saved steps (whose strategy draws nothing) makes the same select choices
     * as the recorded run. Green threads of this runtime only.
     */
    private final SplittableRandom selectRng;
    /**
     * Failures of green threads nobody had observed when they ended (failed
     * threads, in the order they ended), for Determinism.failOnUnjoinedFailure;
     * a thread is removed when its failure is observed later (a join after its
     * end). Carrier only (green threads of this runtime run on it).
     */
    private final ArrayList<GreenThread<?>> unobserved = new ArrayList<>();
    private final ArrayList<Throwable> unobservedFailures = new ArrayList<>();
    /**
     * Roots (green threads started from outside) whose end the carrier has
     * processed (the end-of-body checks made): awaitRoot returns only then, so
     * a failure those checks find is the run's. Guarded by lock.
     */
    private final java.util.Set<GreenThread<?>> endedRoots =
            java.util.Collections.newSetFromMap(new IdentityHashMap<>(2));
    /**
     * The watchdog fired and the slice it reported had not ended then: the
     * carrier is given up (see "Watchdog"). Written by the watchdog (the thread
     * in awaitRoot), read by close (stuck()).
     */
    private volatile boolean abandoned;
    /** The step number when the watchdog fired (stuck() compares it with progress). */
    private volatile long abandonedAt;
    private final StepLog log;
    /** Check mode's first run's record, or null. */
    private final StepLog expected;
    /** Green threads started from outside (rt.run's bodies, rt.spawn); carrier only. */
    private final ArrayList<GreenThread<?>> roots = new ArrayList<>();
    /** Tasks waiting in Green.settle(); carrier only. */
    private final ArrayList<DetTask> settlers = new ArrayList<>();
    /** The task now running; carrier only. */
    private DetTask current;
    /** Who makes a task runnable now when the carrier itself submits (timer firing). Carrier only. */
    private long carrierWaker = StepLog.WAKER_CARRIER;
    private volatile boolean replayable = true;
    /** The trace when the last green thread started from outside ended, or null while one runs (see trace()). Written by the carrier. */
    private volatile ScheduleTrace endTrace;
    /**
     * The number of the last step taken; written by the carrier at every step
     * and read by the watchdog in awaitRoot on the waiting thread, both opaque
     * (setProgressOpaque, progressOpaque): the watchdog needs only to see the
     * value move eventually, no ordering with other fields, and an opaque
     * store is a plain store on x86 and AArch64 (a volatile one would fence at
     * every step).
     */
    @SuppressWarnings("unused") // accessed through PROGRESS
    private long progress;
    /**
     * failOnLeak: set by the carrier when every root has ended and the runtime
     * is quiescent (nothing runnable, no timer pending) with no leak; awaitRoot
     * waits for it (or a failure) before returning.
     */
    private volatile boolean quiet;
    /**
     * Green threads that parked in a socket operation under the lenient policy
     * (the JDK poller wakes them): not durably blocked. Carrier only.
     */
    private final ArrayList<GreenThread<?>> inIo = new ArrayList<>();
    /**
     * Green threads whose body has ended, left BLOCKED or in a JDK timed wait
     * in an onComplete callback under the lenient policy (see "Ended threads
     * still running"): in transit, though no longer among the runtime's live
     * threads. Carrier only.
     */
    private final ArrayList<GreenThread<?>> endedInTransit = new ArrayList<>();
    /**
     * Check mode compares (and records) steps only while a root green thread
     * (started from outside) is alive: after the last root ends, the test
     * thread closes the runtime at a real-time moment, so later steps race it.
     * Carrier only.
     */
    private boolean comparing = true;
    private final VirtualClock clock = new VirtualClock();
    private final Object lock = new Object();
    /** External submissions (DetTask or a foreign Runnable), in arrival order; guarded by lock. */
    private final ArrayDeque<Object> inbox = new ArrayDeque<>();
    /** Carrier only (see the class comment). */
    private final ArrayList<DetTask> runnable = new ArrayList<>();
    /** Foreign continuations seen so far, by identity; carrier only. */
    private final IdentityHashMap<Runnable, DetTask> foreign = new IdentityHashMap<>(4); // small: a new one per schedule
    private long nextId;
    /**
     * Moves of virtual time since the last step, and the step count when they began (see
     * "Timers that wake nobody"); carrier only.
     */
    private long idleMoves;
    private long stepsAtIdleMove = -1;
    private RuntimeCore runtime;
    private long stackSize;
    /**
     * The carrier thread running the loop, null until the first external
     * submission (see start). Written under lock by that submitter (and again
     * by the carrier itself when the loop starts); volatile because
     * isInternal reads it on any thread.
     */
    private volatile Thread carrier;
    /** Set under lock when the loop has returned: the carrier is free for another runtime (terminate waits for it). */
    private volatile boolean loopDone;
    /** inbox is not empty; written under lock, read without it by the idle carrier's yielding wait. */
    private volatile boolean inboxPending;
    private volatile Thread mounted;
    private volatile boolean mountedForeign;
    private volatile ScheduleFailedException failure;
    private volatile boolean closing;
    private volatile boolean stop;
    private boolean released;
    /** Threads waiting in awaitRoot (rt.run's callers); guarded by lock (see "Roots from outside"). */
    private int awaiting;
    /**
     * Of awaiting, the threads joined from outside (awaitEnd; see "Joins from outside"), one entry
     * per join; guarded by lock. A join whose thread has ended waits for nothing of the run (it has
     * only to notice the end and leave): the carrier does not count it (waitingForRunLocked).
     */
    private final ArrayList<GreenThread<?>> outsideJoins = new ArrayList<>(2);
    /**
     * Of awaiting, the roots rt.run's callers wait for (awaitRoot), one entry per caller; guarded
     * by lock. Without failOnLeak, a caller whose root has ended waits for nothing of the run
     * either (what is left waiting is a leak, which close cancels): not counted (waitingForRunLocked).
     */
    private final ArrayList<GreenThread<?>> rootWaits = new ArrayList<>(2);
    /** Green.random() sources by green thread; carrier only (green threads of this runtime run on it). */
    private final IdentityHashMap<GreenThread<?>, SplittableRandom> threadRandoms = new IdentityHashMap<>(4);

    /**
     * A scheduler for one deterministic runtime; started by {@link #start}.
     *
     * @param settings the seed and strategy
     */
    public DetScheduler(Determinism settings) {
        this(settings, RECORD_NONE, null);
    }

    /** Record nothing but the hash and the last steps. */
    public static final int RECORD_NONE = 0;
    /** Record every step's task, kind and tick (a replay can be compared with it). */
    public static final int RECORD_CHOICES = 1;
    /** Record every step with the runnable set's hash too (check mode). */
    public static final int RECORD_FULL = 2;

    /**
     * A scheduler for one run of an exploration, recording its steps and
     * possibly comparing them with an earlier run's.
     *
     * @param settings the seed and strategy
     * @param record what to record of every step ({@link #recording()}), one of the RECORD_ constants
     * @param expected an earlier run's recording (made with the same {@code record}) to compare
     *        every step with, or null
     */
    public DetScheduler(Determinism settings, int record, Object expected) {
        this.settings = settings;
        this.rng = new SplittableRandom(settings.seedValue());
        this.selectRng = new SplittableRandom(StepLog.mix(settings.seedValue() ^ 0x5E1EC7_5E1EC7L));
        this.strategy = DetStrategy.of(settings, rng);
        this.replaying = strategy instanceof DetStrategy.Replay;
        this.log = new StepLog(record == RECORD_NONE && settings.isRecordSteps() ? RECORD_CHOICES : record);
        this.expected = (StepLog) expected;
    }

    /**
     * The full record of this run's steps, for a second run's comparison (check mode).
     *
     * @return an opaque record to pass as {@code expected} to a new scheduler
     */
    public Object recording() {
        return log;
    }

    /**
     * Whether a recording holds the runnable sets too (check mode).
     *
     * @param recording what {@link #recording()} returned
     * @return true if it was made with {@link #RECORD_FULL}
     */
    public static boolean isFull(Object recording) {
        return ((StepLog) recording).full();
    }

    /**
     * How many steps a check-mode recording holds.
     *
     * @param recording what {@link #recording()} returned
     * @return the count of recorded steps (0 unless it was recording)
     */
    public static int recordedSteps(Object recording) {
        return ((StepLog) recording).recorded();
    }

    /** The runtime's timer wheel (on the virtual clock), for its foreign tasks' timeouts. Any thread, once started. */
    public TimerWheel timers() {
        return runtime.timers;
    }

    /** The virtual clock the runtime's timer wheel must read. */
    public VirtualClock clock() {
        return clock;
    }

    /**
     * Opens the scheduler for {@code runtime}. Called once by the runtime's
     * constructor, after its timer wheel exists. The carrier is not taken yet:
     * the first submission from outside (the root green thread's start) hands
     * the loop to a {@link DetCarrier}, idle from an earlier runtime or new, so
     * opening costs no thread start and no wake-up of its own.
     *
     * @param runtime the runtime this scheduler runs
     * @param stackSize the carrier's stack size (0 = the JVM default)
     */
    public void start(RuntimeCore runtime, long stackSize) {
        this.runtime = runtime;
        this.stackSize = stackSize;
        Safepoints.hold();
        OPEN.incrementAndGet();
    }

    /** Under lock: hands the loop to a carrier if none runs it yet and the scheduler has not stopped. */
    private void ensureCarrierLocked() {
        if (carrier == null && !stop) {
            carrier = DetCarrier.run(this::loop, runtime.name + "-det-carrier", stackSize);
        }
    }

    /**
     * The executor a green thread's virtual thread is built with in this runtime.
     * Any thread (the spawner).
     *
     * @param g the green thread being spawned
     * @return its task, which is also its executor
     */
    public java.util.concurrent.Executor executorFor(GreenThread<?> g) {
        return new DetTask(this, g, null);
    }

    // ------------------------------------------------------------------ submission

    /** Any thread. A green thread's continuation; {@code first} for its start. */
    void submit(DetTask t, boolean first) {
        if (isInternal()) {
            admit(t);
        } else {
            external(t, first, t.green);
        }
    }

    /** Any thread. A foreign virtual thread's continuation. */
    void submitForeign(Runnable r) {
        if (isInternal()) {
            admitForeign(r);
        } else {
            external(r, false, null);
        }
    }

    /**
     * Any thread: a message is being delivered into this runtime ({@code what}
     * names the operation). From outside the runtime its timing is not part of
     * the schedule, even when the addressee is not waiting: strict fails the
     * run naming the sending thread; lenient marks the run not replayable.
     *
     * @param what the operation, for example {@code "Green.send to <1.2.0>"}
     */
    public void delivery(String what) {
        if (isInternal() || closing || failure != null) {
            return;
        }
        if (settings.isLenient()) {
            replayable = false;
            return;
        }
        fail(new ScheduleFailedException(what + " was called by " + Thread.currentThread() + ", a thread outside the "
                + "deterministic runtime: its timing cannot be replayed. Send from green threads of the runtime, or "
                + "opt in to Determinism.lenient()", liveTrace()));
    }

    /**
     * Carrier only (a green thread of this runtime): it is about to wait in
     * {@code what}, for another runtime (its rt.run), whose threads end that
     * wait in real time. Strict: fails this run naming the call and throws the
     * failure (before, the wait was refused as a JDK timed wait "(at ?)" or as
     * a wake-up from outside, naming neither the call nor the other runtime:
     * DetOtherRuntimeRunTest). Lenient: marks the run not replayable and
     * returns (the wait is admitted as any other from outside).
     *
     * @param what the call, for example {@code "Verdant.run on runtime 'other'"}
     * @throws ScheduleFailedException this run's failure, under the strict policy
     */
    public void waitForOtherRuntime(String what) {
        if (settings.isLenient()) {
            replayable = false;
            return;
        }
        if (failure == null && !closing) {
            fail(new ScheduleFailedException(what + " was called by green thread " + GreenThread.current()
                    + " of a deterministic runtime: it waits for the other runtime, whose threads end the wait in "
                    + "real time, which the schedule cannot control. Call it from outside the deterministic "
                    + "runtime (the test thread), or opt in to Determinism.lenient() (the wait is then admitted "
                    + "when nothing else can run, and the run may not replay)" + report(), liveTrace()));
        }
        ScheduleFailedException f = failure;
        if (f != null) {
            throw f;
        }
    }

    /**
     * Any thread: whether the caller runs on this runtime's carrier (a virtual
     * thread a green thread started, which inherits the runtime as its scheduler).
     */
    public boolean callerOnCarrier() {
        Thread c = carrier;
        return c != null && VirtualThreads.currentCarrier() == c;
    }

    /** Any thread: whether the caller is this runtime's carrier thread itself (a timer firing), not a thread mounted on it. */
    public boolean callerIsCarrier() {
        return Thread.currentThread() == carrier;
    }

    private boolean isInternal() {
        Thread cur = Thread.currentThread();
        // During a foreign task: a virtual thread on this carrier (a green thread of another
        // runtime is virtual too, but runs on that runtime's carriers: outside).
        return cur == carrier || cur == mounted
                || (mountedForeign && cur.isVirtual() && onCarrierOrUnknown());
    }

    /** The calling virtual thread is mounted on this runtime's carrier, or the JDK cannot tell (then: as if it were). */
    private boolean onCarrierOrUnknown() {
        Thread c = VirtualThreads.currentCarrier();
        return c == null || c == carrier;
    }

    private void external(Object task, boolean first, GreenThread<?> green) {
        synchronized (lock) {
            inbox.add(task);
            inboxPending = true;
            ensureCarrierLocked();
            if (!first && !closing && failure == null && settings.isLenient()) {
                replayable = false;
            } else if (!first && !closing && failure == null) {
                Thread from = Thread.currentThread();
                // The waker's own stack (never the woken thread's: walking a virtual thread
                // that is being submitted makes the JDK submit it again, into this method).
                String io = green == null ? null : socketCall(from.getStackTrace());
                if (io != null) {
                    // The JDK poller woke the thread before its carrier saw it parked (a connect
                    // on loopback completes within microseconds): the waker's stack is the
                    // poller's, so the green thread's own call cannot be named here.
                    String call = io.contains(", at ") ? io : "not named: the JDK poller woke it before its "
                            + "carrier looked at its stack; the poller was in " + io;
                    failLocked(new ScheduleFailedException(socketMessage(green, call) + " (woken by " + from + ")"
                            + report(), liveTrace()));
                    lock.notifyAll();
                    return;
                }
                failLocked(new ScheduleFailedException("green thread " + (green == null ? "(foreign virtual thread)" : green)
                        + " was woken by " + from + ", a thread outside the deterministic runtime (a platform thread, "
                        + "a JDK timer thread, a JDK socket poller): its timing cannot be replayed. "
                        + "Send to green threads from green threads, use Green.sleep or Verdant timeouts instead of "
                        + "JDK timed waits and in-memory channels instead of real sockets, or opt in to "
                        + "Determinism.lenient() (such wake-ups are then admitted when nothing else can run, and the "
                        + "run may not replay)" + report(), liveTrace()));
            }
            lock.notifyAll();
        }
    }

    /** Carrier only. */
    private void admit(DetTask t) {
        if (t.queued) {
            // A second copy while the first waits (see "The runnable set"): the JDK's
            // resubmission after a stack walk. The waiting copy runs the thread.
            return;
        }
        t.queued = true;
        if (t.id < 0) {
            t.id = nextId++;
            strategy.admitted(t, rng);
        }
        DetTask by = current;
        t.waker = by != null ? by.id : carrierWaker;
        if (t.settling) {
            settlers.add(t);
        } else {
            runnable.add(t);
        }
    }

    /** Carrier only. */
    private void admitForeign(Runnable r) {
        DetTask t = foreign.get(r);
        if (t == null) {
            t = new DetTask(this, null, r);
            foreign.put(r, t);
        }
        admit(t);
    }

    // ------------------------------------------------------------------ the loop

    private void loop() {
        carrier = Thread.currentThread();
        DetCarrier.CarrierThread self = carrier instanceof DetCarrier.CarrierThread c ? c : null;
        if (self != null) {
            self.scheduler = this;
        }
        try {
            while (!stop) {
                if (runnable.isEmpty()) {
                    idle();
                } else {
                    long n = log.count() + 1;
                    int i = strategy.pick(runnable, n, rng);
                    DetTask t = runnable.get(i);
                    record(t, t.kind, StepLog.DISPATCH);
                    if (replaying) {
                        checkReplay();
                    }
                    runnable.remove(i);
                    t.queued = false;
                    step(t);
                }
            }
        } catch (Throwable t) {
            fail(new ScheduleFailedException("internal error in the deterministic scheduler: " + t, liveTrace()));
            runtime.reportInternalError(t);
        } finally {
            current = null;
            mounted = null;
            mountedForeign = false;
            if (self != null) {
                self.scheduler = null;
            }
            // Back in the pool, under its idle name, before terminate() returns: the next runtime
            // finds it there, and a closed runtime's threads are gone by name.
            DetCarrier.jobEnding();
            synchronized (lock) {
                loopDone = true;
                lock.notifyAll(); // terminate() waits for this
            }
        }
    }

    /** Carrier only: logs a step of {@code t}; in check mode compares it with the first run's. */
    private void record(DetTask t, String kind, byte type) {
        long rh = 0;
        if (log.full() && (expected != null || log.recording())) {
            rh = runnableHash();
        }
        long tick = clock.nanoTime();
        if (log.recording() && failure != null) {
            log.stopRecording(); // the saved steps end where the run failed (Verdant.steps)
        }
        long n = log.add(t.id, t, kind, tick, t.waker, type, rh, runnable);
        setProgressOpaque(n);
        if (n == settings.maxStepsValue() + 1) {
            fail(new ScheduleFailedException("more than " + settings.maxStepsValue() + " steps (Determinism.maxSteps): "
                    + "a livelock? Green threads kept running without the schedule ending; raise the limit if the "
                    + "test is just long" + report(), liveTrace()));
        }
        if (expected != null && failure == null && comparing) {
            String want = expected.mismatch(n, t.id, kind, tick, rh);
            if (want != null) {
                fail(new io.verdant.NondeterminismException(n, "the schedule is not deterministic: two runs of "
                        + settings.replayKey() + " diverged at step " + n + ": expected " + want + ", got #" + t.id
                        + " " + t.name() + " " + kind + " at tick " + tick + " (runnable set hash 0x"
                        + Long.toHexString(rh) + "). The code under test reads something the schedule does not "
                        + "control: real time (System.nanoTime, Instant.now: use Green.nanoTime or Green.clock), "
                        + "a random source other than Green.random, or the iteration order of an identity-hashed "
                        + "set or map" + report(), liveTrace()));
            }
        }
    }

    /** Carrier only: fails the run at the replay strategy's first divergence (a replay of saved steps). */
    private void checkReplay() {
        String d = strategy.divergence();
        if (d != null && failure == null) {
            long n = log.count();
            fail(new io.verdant.NondeterminismException(n, d + ". The program under replay is not the one recorded "
                    + "(its threads start, wait or run in another order from here), or it reads something the "
                    + "schedule does not control (real time, an unseeded random source, the iteration order of an "
                    + "identity-hashed collection)" + report(), liveTrace()));
        }
    }

    /**
     * A green thread of this runtime failed and nobody observed it when it
     * ended (no joiner waiting, no link, monitor, supervisor or scope, no
     * failure handler). Called on the failing thread (on the carrier).
     *
     * @param g the failed green thread
     * @param failure what it threw
     */
    public void unobservedFailure(GreenThread<?> g, Throwable failure) {
        if (Thread.currentThread() == mounted && settings.isFailOnUnjoinedFailure()) {
            unobserved.add(g);
            unobservedFailures.add(failure);
        }
    }

    /**
     * The failure of {@code g} was observed after it ended (a join, or a read
     * of it, once it had ended): it no longer fails the run. Called on the
     * observing thread; only green threads of this runtime count.
     *
     * @param g the failed green thread
     */
    public void failureObserved(GreenThread<?> g) {
        if (Thread.currentThread() == mounted && !unobserved.isEmpty()) {
            int i = unobserved.indexOf(g);
            if (i >= 0) {
                unobserved.remove(i);
                unobservedFailures.remove(i);
            }
        }
    }

    /** Carrier only, when the body has ended: fails the run if a failure is still unobserved (failOnUnjoinedFailure). */
    private void checkUnobserved() {
        if (unobserved.isEmpty() || failure != null) {
            return;
        }
        GreenThread<?> g = unobserved.getFirst();
        Throwable t = unobservedFailures.getFirst();
        StringBuilder others = new StringBuilder();
        for (int i = 1; i < unobserved.size(); i++) {
            others.append("\n    ").append(unobserved.get(i)).append(": ")
                    .append(Throwables.describe(unobservedFailures.get(i)));
        }
        // The failures' toString() is user code: one that throws must not replace this report.
        fail(new ScheduleFailedException("green thread " + g + " failed with " + Throwables.describe(t)
                + " and nobody observed it (no "
                + "join, link, monitor, supervisor or scope; Determinism.failOnUnjoinedFailure)"
                + (others.isEmpty() ? "" : "; other unobserved failures:" + others)
                + ". Join the thread, supervise it, or turn the check off" + report(), liveTrace(), t));
    }

    /**
     * The run's steps as a replayable list of choices (see {@link StepScript}),
     * up to the end of the body; null if this scheduler does not record them.
     * Any thread, once the body has ended (or the run failed).
     *
     * @return the steps' text form, or null
     */
    public String steps() {
        return log.choices(settings.seedValue(), settings.isLenient());
    }

    /**
     * Whether the watchdog gave the carrier up and the slice it reported still
     * has not ended: close then cancels nothing it would wait for (no other
     * green thread can run) and abandons the carrier at once. Any thread.
     *
     * @return true if the carrier is stuck in a slice the watchdog reported
     */
    public boolean stuck() {
        return abandoned && !loopDone && progressOpaque() == abandonedAt && (mounted != null || mountedForeign);
    }

    /**
     * Carrier only (the carrier or the green thread mounted on it), for tests: the
     * names of tasks the runnable set or the settlers hold more than once (none,
     * see "The runnable set").
     */
    List<String> runnableCopies() {
        List<String> copies = new ArrayList<>();
        IdentityHashMap<DetTask, Boolean> seen = new IdentityHashMap<>();
        for (List<DetTask> l : List.of(runnable, settlers)) {
            for (DetTask t : l) {
                if (seen.put(t, Boolean.TRUE) != null) {
                    copies.add(t.name());
                }
            }
        }
        return copies;
    }

    /** Carrier only: a hash of the runnable set's ids, in order (check mode). */
    private long runnableHash() {
        long h = runnable.size();
        for (int i = 0, n = runnable.size(); i < n; i++) {
            h = StepLog.mix(h ^ (runnable.get(i).id + 1));
        }
        return h;
    }

    private void step(DetTask t) {
        GreenThread<?> g = t.green;
        mountedForeign = g == null;
        mounted = g == null ? null : g.virtualThread();
        current = t;
        if (g != null && !inIo.isEmpty()) {
            inIo.remove(g);
        }
        if (g != null && !endedInTransit.isEmpty()) {
            endedInTransit.remove(g);
        }
        try {
            t.continuation().run();
        } finally {
            current = null;
            mounted = null;
            mountedForeign = false;
        }
        if (g != null) {
            g.unmountedOnDetCarrier(); // a dispatcher whose handler parked: its next slot, another dispatcher
            afterSlice(g);
        }
    }

    /**
     * Carrier only: why did {@code g} unmount? A thread whose body has ended
     * may still run: its onComplete callbacks run on it after its status is
     * final (GreenThread.finish), and one may block or wait. It is classified
     * like a running thread (see "Ended threads still running" in the class
     * comment) before its end is processed.
     */
    private void afterSlice(GreenThread<?> g) {
        if (g.isDone()) {
            if (g.virtualThread().getState() != Thread.State.TERMINATED) {
                classify(g, true);
            }
            ended(g);
            return;
        }
        classify(g, false);
    }

    /** Carrier only, after each slice of a green thread that has ended: its end, processed once (roots.remove). */
    private void ended(GreenThread<?> g) {
        threadRandoms.remove(g);
        boolean root = roots.remove(g);
        if (root && roots.isEmpty()) {
            // The body has ended: the end-of-body checks, before the trace is frozen.
            strategy.bodyEnded(log.count());
            if (replaying) {
                checkReplay();
            }
            checkUnobserved();
            // The schedule's trace is frozen here (see trace()): later steps race the closer.
            // With failOnLeak the schedule goes on to quiescence (markQuiet) or a leak failure.
            if (!settings.isFailOnLeak()) {
                endTrace = liveTrace();
            }
            if (comparing) {
                comparing = false;
                log.stopRecording();
            }
        }
        synchronized (lock) {
            if (root) {
                endedRoots.add(g);
            }
            lock.notifyAll(); // awaitRoot re-checks its thread
        }
    }

    /**
     * Carrier only: refuses (strict) or counts in transit (lenient) a green
     * thread left waiting for something outside the schedule's control: a
     * socket, a JDK timed wait, a contended monitor. {@code ended}: its body
     * has ended and it unmounted in a completion callback.
     */
    private void classify(GreenThread<?> g, boolean ended) {
        Thread vt = g.virtualThread();
        Thread.State state = vt.getState();
        if (state == Thread.State.WAITING && LockSupport.getBlocker(vt) == null) {
            // Parked without a blocker: not a Verdant or java.util.concurrent wait. Rare
            // (Object.wait, socket I/O), so the stack walk that tells them apart is affordable.
            String io = socketCall(vt.getStackTrace());
            if (io != null) {
                if (settings.isLenient()) {
                    replayable = false; // the poller wakes it: admitted at quiescence
                    inIo.add(g);
                    if (ended) {
                        endedInTransit.add(g);
                    }
                } else if (failure == null && !closing) {
                    synchronized (lock) {
                        if (failure == null) {
                            failLocked(new ScheduleFailedException(socketMessage(g, io) + report(), liveTrace()));
                        }
                    }
                }
                return;
            }
        }
        boolean fired = false;
        if (state != Thread.State.BLOCKED && state != Thread.State.TIMED_WAITING
                && VirtualThreads.jdkTimeoutPending(vt)) {
            // A JDK timed wait whose timer already fired (the thread is runnable again,
            // resubmitted by this carrier in the JDK's afterYield): the same refusal, but
            // no stack walk (the JDK resubmits a runnable thread whose stack it walked).
            state = Thread.State.TIMED_WAITING;
            fired = true;
        }
        if (settings.isLenient() && (state == Thread.State.BLOCKED || state == Thread.State.TIMED_WAITING)) {
            replayable = false; // its wake-up comes from a JDK thread: admitted at quiescence
            if (ended) {
                endedInTransit.add(g); // not among the live threads idle() looks at: counted here
            }
            return;
        }
        String after = ended ? " (after its body ended, in an onComplete callback)" : "";
        if (failure == null && !closing && state == Thread.State.BLOCKED) {
            synchronized (lock) {
                if (failure == null) {
                    failLocked(new ScheduleFailedException(blockedMessage(g, after) + report(), liveTrace()));
                }
            }
            return;
        }
        if (failure == null && !closing && state == Thread.State.TIMED_WAITING) {
            // Under the lock while the message is built (a stack walk): the JDK timer's
            // wake-up, arriving meanwhile, must find this failure, not report its own.
            synchronized (lock) {
                if (failure == null) {
                    failLocked(new ScheduleFailedException(timedWaitMessage(g, !fired) + after + report(),
                            liveTrace()));
                }
            }
        }
    }

    private void idle() throws InterruptedException {
        if (admitInbox()) {
            return;
        }
        boolean timersWakeNobody = false;
        TimerWheel wheel = runtime.timers;
        carrierWaker = StepLog.WAKER_TIMER;
        try {
            wheel.advance(); // fires timers already due at the current virtual time
            if (!runnable.isEmpty()) {
                return;
            }
            if (!settlers.isEmpty()) {
                // Everyone else is blocked and time would move next: Green.settle() returns.
                DetTask t = settlers.remove(0);
                t.settling = false;
                runnable.add(t);
                return;
            }
            long toNext = wheel.nanosToNextDeadline();
            if (toNext >= 0) {
                if (!idleMovesSpent()) {
                    clock.advance(toNext);
                    wheel.advance();
                    return;
                }
                timersWakeNobody = true; // judged below as if no timer were pending
            }
        } finally {
            carrierWaker = StepLog.WAKER_CARRIER;
        }
        boolean transit = false;
        boolean forOutside = false;
        int joinsJudged = -1; // joinsOfLiveLocked() when the leaks were judged, or -1
        if (failure == null && !closing) {
            List<GreenThread<?>> live = notDone(runtime.liveGreenThreads());
            if (!endedInTransit.isEmpty()) {
                transit = true; // an ended thread's callback waits for a JDK thread (lenient)
            } else if (live.isEmpty()) {
                markQuiet();
            } else if (allWaiting(live) && inIo.isEmpty()) {
                if (rootsAlive()) {
                    boolean decided;
                    synchronized (lock) {
                        int waiting = waitingForRunLocked();
                        decided = !inbox.isEmpty() || waiting > 0;
                        if (inbox.isEmpty() && waiting > 0) {
                            failLocked(stuck(live, timersWakeNobody));
                        }
                    }
                    if (decided) {
                        return;
                    }
                    // Nobody waits in rt.run yet (threads started with rt.spawn, the body still to
                    // come): not a deadlock before the outside has said all it will; wait for it
                    // (see "Roots from outside").
                    forOutside = true;
                } else if (settings.isFailOnLeak()) {
                    // Every thread started from outside (rt.run's body) has ended: the waiting
                    // ones are leaks, which close() cancels, not a deadlock of the code under test,
                    // unless failOnLeak makes them a failure.
                    synchronized (lock) {
                        if (inbox.isEmpty()) {
                            failLocked(new ScheduleFailedException("leak: the body has ended but " + live.size()
                                    + " green thread(s) it started are still alive, waiting with nothing left to "
                                    + "wake them (Determinism.failOnLeak" + (timersWakeNobody ? "; " + idleMovesMessage()
                                    + ", the timers that fire wake none of them" : "") + "):\n"
                                    + waitReport(live).stripTrailing()
                                    + "\n  Join or cancel them before the body returns" + report(), liveTrace()));
                        }
                    }
                    return;
                } else {
                    boolean joined;
                    synchronized (lock) {
                        // A join from outside waits on one of them (see "Joins from outside"):
                        // nothing is left to end that wait. One that comes later wakes the wait below.
                        joinsJudged = joinsOfLiveLocked();
                        joined = joinsJudged > 0 && inbox.isEmpty();
                        if (joined) {
                            failLocked(stuck(live, timersWakeNobody));
                        }
                    }
                    if (joined) {
                        return;
                    }
                    markQuiet();
                }
            } else {
                transit = true;
            }
        }
        // A hand-off (the next submission from the test thread, or close) usually comes within
        // microseconds: yield for a while before sleeping on the lock (see HANDOFF_YIELD_NANOS).
        for (long t0 = System.nanoTime(); !inboxPending && !stop && System.nanoTime() - t0 < HANDOFF_YIELD_NANOS; ) {
            Thread.yield();
        }
        synchronized (lock) {
            if (inbox.isEmpty() && !stop && !(forOutside && waitingForRunLocked() > 0)
                    && (joinsJudged < 0 || joinsOfLiveLocked() == joinsJudged)) {
                lock.wait(transit ? RECHECK_MILLIS : 0);
            }
        }
    }

    /** Carrier only. Moves the inbox to the runnable set; true if it held anything. */
    private boolean admitInbox() {
        Object[] arrived;
        synchronized (lock) {
            if (inbox.isEmpty()) {
                return false;
            }
            arrived = inbox.toArray();
            inbox.clear();
            inboxPending = false;
        }
        carrierWaker = StepLog.WAKER_OUTSIDE;
        boolean rootAdmitted = false;
        try {
            for (int i = 0; i < arrived.length; i++) {
                Object o = arrived[i];
                if (o instanceof DetTask t) {
                    if (t.id < 0 && t.green != null) {
                        if (rootAdmitted) {
                            // One root per idle point (see "Roots from outside"): the rest wait.
                            synchronized (lock) {
                                for (int j = arrived.length - 1; j >= i; j--) {
                                    inbox.addFirst(arrived[j]);
                                }
                                inboxPending = true;
                            }
                            break;
                        }
                        rootAdmitted = true;
                        roots.add(t.green);
                        endTrace = null; // a new body from outside: the schedule goes on
                        quiet = false;
                    }
                    admit(t);
                } else {
                    admitForeign((Runnable) o);
                }
            }
        } finally {
            carrierWaker = StepLog.WAKER_CARRIER;
        }
        return true;
    }

    /**
     * Under lock: the threads in awaitRoot or awaitEnd that wait on the run, that is all of
     * awaiting but the joins from outside whose thread has ended. Such a join has only to notice
     * the end and leave: counting it, the carrier took the threads still waiting (a server left
     * for close to cancel) for the joiner's deadlock and failed the run, and the join threw that
     * DeadlockException instead of the result (DetOutsideJoinOthersWaitTest).
     */
    private int waitingForRunLocked() {
        int n = awaiting - outsideJoins.size() + joinsOfLiveLocked();
        if (!settings.isFailOnLeak()) {
            // rt.run's caller whose body has ended: the threads left waiting are leaks, not its
            // deadlock (DetRunOthersWaitTest). Under failOnLeak it waits for the leak check.
            for (GreenThread<?> g : rootWaits) {
                if (g.isDone()) {
                    n--;
                }
            }
        }
        return n;
    }

    /** Under lock: the joins from outside whose thread has not ended. */
    private int joinsOfLiveLocked() {
        int n = 0;
        for (GreenThread<?> g : outsideJoins) {
            if (!g.isDone()) {
                n++;
            }
        }
        return n;
    }

    /** Carrier only: the failure of a run whose live green threads all wait with nothing left to wake them. */
    private ScheduleFailedException stuck(List<GreenThread<?>> live, boolean timersWakeNobody) {
        return timersWakeNobody
                ? new ScheduleFailedException(idleMovesMessage() + ": every green thread waits, and the timers that "
                        + "fire wake none of them:\n" + waitReport(live) + "  A periodic timer (Green.sendEvery) whose "
                        + "messages nobody receives keeps virtual time moving; cancel it, or raise the limit if the "
                        + "test is just long" + report(), liveTrace())
                : new DeadlockException(waitReport(live) + report(), liveTrace());
    }

    /**
     * Carrier only: counts a move of virtual time (see "Timers that wake
     * nobody"); true once more than idleMoveLimit() moves were made with no
     * step between them: the caller then moves time no more until a step is
     * taken.
     */
    private boolean idleMovesSpent() {
        long n = log.count();
        if (n != stepsAtIdleMove) {
            stepsAtIdleMove = n;
            idleMoves = 0;
        }
        return ++idleMoves > idleMoveLimit();
    }

    /**
     * maxSteps, but at least DEFAULT_MAX_STEPS: a finite program may arm many
     * one-shot timers in one step (messages sent after distinct delays to a
     * thread that reads them later), each a move that wakes nobody; a small
     * maxSteps set to catch a livelock early must not fail it
     * (DetTimerWakesNobodyTest). Only a timer that fires without end (a
     * periodic one) reaches a million moves in a row.
     */
    private long idleMoveLimit() {
        return Math.max(settings.maxStepsValue(), Determinism.DEFAULT_MAX_STEPS);
    }

    private String idleMovesMessage() {
        return "virtual time moved more than " + idleMoveLimit() + " times (Determinism.maxSteps, at least "
                + Determinism.DEFAULT_MAX_STEPS + ") without a step, to " + clock.nanoTime() + " ns";
    }

    /** Carrier only: every root has ended and nothing is left to run (see quiet). */
    private void markQuiet() {
        if (!quiet && !rootsAlive()) {
            synchronized (lock) {
                if (endTrace == null) {
                    endTrace = liveTrace(); // failOnLeak: the schedule ends here (see trace())
                }
                quiet = true;
                lock.notifyAll();
            }
        }
    }

    private static List<GreenThread<?>> notDone(List<GreenThread<?>> live) {
        List<GreenThread<?>> out = new ArrayList<>(live.size());
        for (GreenThread<?> g : live) {
            if (!g.isDone()) {
                out.add(g);
            }
        }
        return out;
    }

    /** Carrier only: whether a green thread started from outside the runtime is still alive. */
    private boolean rootsAlive() {
        for (GreenThread<?> g : roots) {
            if (!g.isDone()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether every live thread waits. An event actor has no virtual thread: it
     * waits when idle (no message) or when its handler's dispatcher (a green
     * thread of the list itself) is parked, as its state() says.
     */
    private static boolean allWaiting(List<GreenThread<?>> live) {
        for (GreenThread<?> g : live) {
            Thread vt = g.virtualThread();
            if (!g.isDone() && (vt == null ? g.state() != GreenState.WAITING
                    : vt.getState() != Thread.State.WAITING)) {
                return false;
            }
        }
        return true;
    }

    private static String waitReport(List<GreenThread<?>> live) {
        StringBuilder sb = new StringBuilder();
        for (GreenThread<?> g : live) {
            Thread vt = g.virtualThread();
            if (vt == null) {
                Thread handler = g.handlerThread();
                sb.append("  ").append(g).append(" (event actor) ").append(handler == null
                        ? "waits for a message" : "waits in a handler run by " + handler).append('\n');
                continue;
            }
            Object blocker = LockSupport.getBlocker(vt);
            sb.append("  ").append(g).append(" (thread #").append(vt.threadId()).append(") waits on ")
                    .append(blocker == null ? "nothing Verdant knows (parked without a blocker)" : describe(blocker))
                    .append('\n');
        }
        return sb.toString();
    }

    private static String describe(Object blocker) {
        if (blocker instanceof GreenThread<?> g) {
            return "joining " + g;
        }
        if (!blocker.getClass().getName().startsWith("io.verdant.")) {
            // A java.util.concurrent wait: often a future or latch a thread outside the runtime was to end.
            return printable(blocker) + " (a JDK wait: if a thread outside the runtime, such as the common pool or "
                    + "an executor, was to end it, that thread's timing is outside the schedule: do that work in a "
                    + "green thread, Green.spawn or Green.blocking, instead)";
        }
        return printable(blocker);
    }

    /** A blocker's toString(), which may be user code (a FutureTask names its task): by class if it throws. */
    private static String printable(Object blocker) {
        try {
            return String.valueOf(blocker);
        } catch (Exception | LinkageError | StackOverflowError e) {
            return blocker.getClass().getName() + " (its toString() threw " + e.getClass().getName() + ")";
        }
    }

    private static String blockedMessage(GreenThread<?> g, String after) {
        StringBuilder at = new StringBuilder();
        for (StackTraceElement e : g.virtualThread().getStackTrace()) {
            at.append("\n    at ").append(e);
        }
        return "green thread " + g + after + " blocked entering a synchronized block held by another green thread that "
                + "parked inside it: the JDK hands the monitor over through its own unblocker thread, whose timing the "
                + "schedule cannot control. Use Mutex or ReentrantLock, or do not park or yield inside synchronized "
                + "(or opt in to Determinism.lenient()). Stack:" + at;
    }

    /**
     * The socket operation a stack is in (for example
     * {@code sun.nio.ch.NioSocketImpl.read, at com.example.Client.fetch(Client.java:12)}),
     * or null if it is in none: a frame of the JDK's socket implementation
     * ({@code sun.nio.ch}) and the first frame of the caller's code under it.
     */
    private static String socketCall(StackTraceElement[] stack) {
        String jdk = null;
        for (StackTraceElement e : stack) {
            String c = e.getClassName();
            if (c.startsWith("sun.nio.ch.")) {
                if (jdk == null || !c.equals("sun.nio.ch.Poller")) {
                    jdk = c + "." + e.getMethodName(); // keeps the outermost sun.nio.ch frame: the operation
                }
            } else if (jdk != null && !c.startsWith("java.") && !c.startsWith("jdk.") && !c.startsWith("sun.")) {
                return jdk + ", at " + e;
            }
        }
        return jdk;
    }

    private static String socketMessage(GreenThread<?> g, String call) {
        return "green thread " + g + " waits in a real socket operation (" + call + ") in a deterministic runtime: "
                + "the JDK poller (its Read-Poller/Write-Poller threads) wakes it in real time, when the network "
                + "answers, which the schedule cannot control. Use in-memory channels (Verdant Channels standing in "
                + "for the connection) in the code under test, or opt in to Determinism.lenient() (the poller's "
                + "wake-up is then admitted when no green thread can run, and the run may not replay)";
    }

    /** {@code walk}: the thread is parked, so its stack names the call; else the message names none. */
    private static String timedWaitMessage(GreenThread<?> g, boolean walk) {
        StackTraceElement[] stack = walk ? g.virtualThread().getStackTrace() : new StackTraceElement[0];
        String io = socketCall(stack);
        if (io != null) {
            return socketMessage(g, io + ", with a timeout");
        }
        String call = walk ? "a JDK timed wait" : "a JDK timed wait (Thread.sleep, LockSupport.parkNanos, "
                + "Object.wait(timeout) or a timed java.util.concurrent wait; its timer fired before the stack was read)";
        String at = "?";
        for (StackTraceElement e : stack) {
            String c = e.getClassName();
            if (call.startsWith("a JDK")) {
                if (c.equals("java.lang.Thread") && e.getMethodName().equals("sleep")) {
                    call = "Thread.sleep";
                } else if (c.equals("java.util.concurrent.locks.LockSupport") && e.getMethodName().startsWith("park")) {
                    call = "LockSupport." + e.getMethodName();
                } else if (c.equals("java.lang.Object") && e.getMethodName().equals("wait")) {
                    call = "Object.wait(timeout)";
                }
            }
            if (!c.startsWith("java.") && !c.startsWith("jdk.") && !c.startsWith("sun.")) {
                at = e.toString();
                break;
            }
        }
        return "green thread " + g + " called " + call + " (at " + at + ") in a deterministic runtime: a JDK timed wait "
                + "is woken by a JDK timer thread in real time, which the schedule cannot control. Use "
                + "Green.sleep(Duration) or a Verdant operation with a timeout instead (or opt in to "
                + "Determinism.lenient(), which waits for it in real time when nothing else can run)";
    }

    // ------------------------------------------------------------------ scheduling points

    /**
     * A scheduling point of a green thread of this runtime (a Verdant operation
     * that need not block): the strategy may make it yield. Called on the
     * green thread itself, which runs on the carrier; a no-op elsewhere.
     *
     * @param kind the operation, for the step log (for example {@code "Channel.trySend"})
     */
    public void point(String kind) {
        DetTask cur = current;
        if (cur == null || cur.green == null || Thread.currentThread() != mounted) {
            return;
        }
        if (stop) {
            // Closing, last step: this thread outlived close's cancellation and was abandoned
            // (say, a loop that swallows CancelledException). It unmounts here and is never
            // resumed, so the loop sees stop and the carrier returns to the pool instead of
            // running it forever (terminate keeps the Safepoints unit until then, so it gets here).
            Thread.yield();
            return;
        }
        cur.kind = kind;
        boolean sw = (!runnable.isEmpty() || replaying) && strategy.switchAtPoint(cur, runnable, log.count() + 1, rng);
        record(cur, kind, sw ? StepLog.SWITCH : StepLog.STAY);
        if (replaying) {
            checkReplay();
        }
        if (sw) {
            Thread.yield();
        }
    }

    /**
     * {@code Green.settle()}: returns when every other task is blocked and no
     * timer is due now, before the clock advances (see the class comment).
     * Called on the green thread itself.
     *
     * @throws IllegalStateException if the caller is not a green thread running on this scheduler
     */
    public void settle() {
        DetTask cur = current;
        if (cur == null || cur.green == null || Thread.currentThread() != mounted) {
            throw new IllegalStateException("Green.settle: not called on a green thread of this deterministic runtime");
        }
        cur.kind = "Green.settle";
        cur.settling = true;
        Thread.yield();
        cur.settling = false; // in case a cancellation's wake-up resumed it early
    }

    /**
     * The virtual wall clock: {@code 2000-01-01T00:00:00Z} plus the virtual time. Any thread.
     *
     * @return an instant source that reads the virtual clock
     */
    public java.time.InstantSource wallClock() {
        java.time.Instant origin = settings.startTimeValue();
        return () -> origin.plusNanos(clock.nanoTime());
    }

    /**
     * The last steps with who woke whom, for a failure report. Any thread (a
     * racy snapshot unless the run has stopped; failures build it on the carrier).
     *
     * @param max the most steps to show
     * @return the report lines, each indented, or "" if no step was taken
     */
    public String recentSteps(int max) {
        return log.recent(max, "    ");
    }

    /** The failure report's tail: the last steps, and whether the run can be replayed. */
    private String report() {
        return (replayable ? "" : "\n  possibly not replayable: external events were admitted under Determinism.lenient()")
                + "\n  last steps (step, task, what, point, virtual tick, woken by):\n" + recentSteps(REPORT_STEPS);
    }

    /**
     * The schedule's seeded random source, for Verdant's own random choices
     * (select's fair order) so they are part of the schedule. Green threads of
     * this runtime and its foreign tasks only (they run on the carrier, one at
     * a time).
     *
     * @return the random source
     */
    public java.util.random.RandomGenerator random() {
        return selectRng;
    }

    /**
     * The green thread whose virtual thread was built with {@code scheduler} if it is
     * a deterministic runtime's task of a green thread, else null. Any thread.
     *
     * @param scheduler a virtual thread's scheduler, or null
     * @return that task's green thread, or null
     */
    public static GreenThread<?> greenOfScheduler(java.util.concurrent.Executor scheduler) {
        return scheduler instanceof DetTask d ? d.green : null;
    }

    /**
     * The green thread {@code t} if it is the one mounted on {@code carrier}, a
     * deterministic carrier, else null. Called by {@code t} itself, so on the carrier's
     * OS thread (current is the carrier's own field): GreenThread.current's way when
     * user code replaced the thread's uncaught-exception handler.
     *
     * @param carrier the calling thread's carrier, or null
     * @param t the calling virtual thread
     * @return its green thread, or null
     */
    public static GreenThread<?> greenMountedOn(Thread carrier, Thread t) {
        if (carrier instanceof DetCarrier.CarrierThread c && c.scheduler instanceof DetScheduler s
                && s.mounted == t) {
            DetTask cur = s.current;
            return cur == null ? null : cur.green;
        }
        return null;
    }

    /**
     * The scheduler running the caller when the caller is a foreign task of it
     * (a virtual thread started inside one of its green threads, which runs on
     * its carrier), else null. Any thread.
     *
     * @return the scheduler, or null
     */
    public static DetScheduler ofForeignCaller() {
        if (Thread.currentThread().isVirtual()
                && VirtualThreads.currentCarrier() instanceof DetCarrier.CarrierThread c) {
            DetScheduler s = c.scheduler;
            return s != null && s.mountedForeign ? s : null;
        }
        return null;
    }

    /**
     * Any thread: whether a deterministic runtime is open in this JVM (a cheap
     * filter before looking for the current thread's runtime).
     *
     * @return true if at least one deterministic runtime is open
     */
    public static boolean anyOpen() {
        return OPEN.get() != 0;
    }

    /**
     * Any thread: how many deterministic runtimes are open in this JVM; each holds
     * one unit of {@link Safepoints#pendingRequests()} until it closes.
     *
     * @return the number of open deterministic runtimes
     */
    public static int openCount() {
        return OPEN.get();
    }

    /**
     * The random source of green thread {@code g} of this runtime, made on first
     * use from the seed and {@code g}'s pid (index and generation), so it does not
     * depend on how other threads draw. Called on {@code g} itself.
     *
     * @param g the calling green thread
     * @return its random source
     */
    public java.util.random.RandomGenerator randomFor(GreenThread<?> g) {
        SplittableRandom r = threadRandoms.get(g);
        if (r == null) {
            io.verdant.Pid pid = g.pid();
            long key = ((long) io.verdant.internal.Pids.index(pid) << 32) | (io.verdant.internal.Pids.generation(pid) & 0xFFFF_FFFFL);
            r = new SplittableRandom(StepLog.mix(settings.seedValue() ^ StepLog.mix(key + 0x632BE59BD9B4E019L)));
            threadRandoms.put(g, r);
        }
        return r;
    }

    // ------------------------------------------------------------------ failure, root, trace

    private void fail(ScheduleFailedException e) {
        synchronized (lock) {
            failLocked(e);
        }
    }

    private void failLocked(ScheduleFailedException e) {
        if (failure == null) {
            failure = e;
            if (endTrace == null && e.trace() != null) {
                endTrace = e.trace(); // the schedule ends at its failure (see trace())
            }
        }
        lock.notifyAll();
    }

    /**
     * Any thread outside the runtime: waits until {@code root} ends or the run
     * fails, whichever comes first.
     *
     * @param root the green thread the caller waits for
     * @throws ScheduleFailedException if the run failed (deadlock, refusal, livelock)
     * @throws InterruptedException if the caller is interrupted while waiting
     */
    public void awaitRoot(GreenThread<?> root) throws InterruptedException {
        await(root, false, null);
    }

    /**
     * Any thread outside the runtime: an untimed join of {@code g} (see "Joins
     * from outside"). Waits until {@code g} has ended or the run fails,
     * whichever comes first; unlike {@link #awaitRoot}, it does not wait for
     * the end-of-body checks of a root.
     *
     * @param g the green thread the caller joins
     * @throws ScheduleFailedException if the run failed (deadlock, refusal, livelock)
     * @throws InterruptedException if the caller is interrupted while waiting
     */
    public void awaitEnd(GreenThread<?> g) throws InterruptedException {
        await(g, true, null);
    }

    /**
     * Any thread outside the runtime: {@link #awaitEnd}, which also returns once
     * {@code stop} holds (the wait of a handle's future from outside, which ends
     * when the future is cancelled or completed: see "Joins from outside").
     * {@code stop} is read under the lock at least every WATCHDOG_POLL_MILLIS
     * and after {@link #wakeOutsideWaiters}.
     *
     * @param g the green thread the caller waits for
     * @param stop cheap, never blocks, takes no lock
     * @throws ScheduleFailedException if the run failed (deadlock, refusal, livelock)
     * @throws InterruptedException if the caller is interrupted while waiting
     */
    public void awaitEndUnless(GreenThread<?> g, java.util.function.BooleanSupplier stop) throws InterruptedException {
        await(g, true, stop);
    }

    /**
     * Any thread: the callers of {@link #awaitEndUnless} re-read their stop
     * condition now (a future made it hold). Takes the lock briefly; never parks.
     */
    public void wakeOutsideWaiters() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    private void await(GreenThread<?> root, boolean anyEnd, java.util.function.BooleanSupplier stop)
            throws InterruptedException {
        synchronized (lock) {
            awaiting++;
            if (anyEnd) {
                outsideJoins.add(root);
            } else {
                rootWaits.add(root);
            }
            lock.notifyAll(); // a carrier waiting for the outside (see "Roots from outside") looks again
        }
        try {
            awaitRootRegistered(root, anyEnd, stop);
        } finally {
            synchronized (lock) {
                awaiting--;
                if (anyEnd) {
                    outsideJoins.remove(root);
                } else {
                    rootWaits.remove(root);
                }
            }
        }
    }

    private void awaitRootRegistered(GreenThread<?> root, boolean anyEnd, java.util.function.BooleanSupplier stop)
            throws InterruptedException {
        for (long t0 = System.nanoTime(); !root.isDone() && failure == null
                && System.nanoTime() - t0 < HANDOFF_YIELD_NANOS; ) {
            Thread.yield(); // a short body ends within microseconds: see HANDOFF_YIELD_NANOS
        }
        long bound = saturatedNanos(settings.sliceWatchdogValue());
        boolean leakCheck = settings.isFailOnLeak();
        long seen = progressOpaque();
        long since = System.nanoTime();
        while (true) {
            synchronized (lock) {
                if (failure != null || anyEnd && root.isDone()) {
                    break;
                }
                if (stop != null && stop.getAsBoolean()) {
                    return; // the future's wait ended otherwise (cancelled, completed): no failure to report
                }
                if (root.isDone() && (endedRoots.contains(root) || closing) && (!leakCheck || quiet || closing)) {
                    endedRoots.remove(root);
                    break;
                }
                lock.wait(WATCHDOG_POLL_MILLIS);
            }
            // The watchdog: the same slice (no step since) for longer than the bound.
            long p = progressOpaque();
            long now = System.nanoTime();
            Thread vt = mounted;
            if (p != seen || (vt == null && !mountedForeign)) {
                seen = p;
                since = now;
            } else if (now - since >= bound && failure == null && !closing) {
                abandonedAt = p;
                abandoned = true;
                fail(new ScheduleFailedException(watchdogMessage(vt, now - since) + report(), liveTrace()));
            }
        }
        ScheduleFailedException f = failure;
        if (f != null) {
            throw f;
        }
    }

    private static long saturatedNanos(java.time.Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** The waiting thread: the watchdog's report of the slice that does not end. */
    private String watchdogMessage(Thread vt, long nanos) {
        Thread who = vt != null ? vt : carrier;
        StringBuilder at = new StringBuilder();
        for (StackTraceElement e : who.getStackTrace()) {
            at.append("\n    at ").append(e);
        }
        DetTask cur = current; // a racy read, for the name only
        return (vt != null ? "green thread '" + vt.getName() + "'" : "a foreign virtual thread" + (cur == null ? ""
                : " " + cur.name())) + " has run for " + nanos / 1_000_000 + " ms (real time) without reaching a "
                + "scheduling point (Determinism.sliceWatchdog is " + settings.sliceWatchdogValue() + "): it holds the "
                + "deterministic runtime's only carrier, so no other green thread can run. Typical causes: a loop that "
                + "spins on a plain or atomic field with no Verdant operation in it (add Green.checkpoint() or "
                + "Green.schedulingPoint(), or wait with a Verdant operation), a class initialisation another green "
                + "thread holds, or long real work (raise sliceWatchdog). The thread cannot be stopped: the runtime "
                + "gives its carrier (a daemon thread) up, close() does not wait for it, and the next deterministic "
                + "runtime starts on a fresh carrier. Its stack now:" + at;
    }

    /** The failure of this run, or null. Any thread. */
    public ScheduleFailedException failure() {
        return failure;
    }

    /**
     * The trace of the schedule: while a green thread started from outside
     * (rt.run's body, rt.spawn) runs, a snapshot of the steps so far; once the
     * last of them has ended (with failOnLeak: once the runtime is quiescent
     * after it), or once the run failed, the trace as of that step, frozen. Steps after it
     * (leaked green threads running on, a leaked sleeper's timer moving the
     * clock, close's cancellations) race the test thread's real-time close, so
     * they are left out: two runs of a program with the same settings end with
     * equal traces, however quickly the caller reads them. Any thread.
     *
     * @return the trace
     */
    public ScheduleTrace trace() {
        ScheduleTrace end = endTrace;
        return end != null ? end : liveTrace();
    }

    /** A snapshot of the steps so far; any thread. */
    private ScheduleTrace liveTrace() {
        return new ScheduleTrace(settings.replayKey(), log.hash(), log.count(), clock.nanoTime(), replayable);
    }

    // ------------------------------------------------------------------ shutdown

    /** Close, before cancelling: wake-ups from the closer are expected from now on. Any thread. */
    public void closing() {
        closing = true;
    }

    /**
     * Close, last step: stops the loop and waits up to {@code timeoutNanos} for
     * it to return, which frees the carrier for the next deterministic runtime
     * (see {@link DetCarrier}). Any thread (the closer).
     *
     * @param timeoutNanos how long to wait for the loop to return
     * @return 1 if the carrier is stuck in a task (it is not reused), else 0
     * @throws InterruptedException if the closer is interrupted while waiting
     */
    public int terminate(long timeoutNanos) throws InterruptedException {
        if (stuck()) {
            timeoutNanos = 0; // the watchdog gave this carrier up: a fresh one serves the next runtime
        }
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            synchronized (lock) {
                stop = true;
                lock.notifyAll();
                if (carrier == null) {
                    return 0; // no submission ever came: the loop never ran
                }
            }
            for (long t0 = System.nanoTime(); !loopDone && System.nanoTime() - t0 < HANDOFF_YIELD_NANOS; ) {
                Thread.yield(); // the idle loop sees stop within microseconds: see HANDOFF_YIELD_NANOS
            }
            synchronized (lock) {
                while (!loopDone) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return 1;
                    }
                    lock.wait(Math.max(1, left / 1_000_000));
                }
            }
            return 0;
        } finally {
            // Released once the loop has returned (or the wait gave up): until then an abandoned
            // thread that is still mounted reaches point(), which unmounts it (see point()).
            synchronized (lock) {
                if (!released) {
                    released = true;
                    Safepoints.release();
                    OPEN.decrementAndGet();
                }
            }
        }
    }

    private void setProgressOpaque(long n) {
        PROGRESS.setOpaque(this, n);
    }

    private long progressOpaque() {
        return (long) PROGRESS.getOpaque(this);
    }

    private static final java.lang.invoke.VarHandle PROGRESS;

    static {
        try {
            PROGRESS = java.lang.invoke.MethodHandles.lookup().findVarHandle(DetScheduler.class, "progress", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
