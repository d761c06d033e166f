package io.verdant.internal.sched;

import io.verdant.internal.obs.TraceEvent;
import io.verdant.internal.obs.TraceRing;
import io.verdant.internal.timer.Clock;
import io.verdant.internal.vthread.VirtualThreads;

import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
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
 *       -> that worker's LIFO slot if nothing else is runnable there (its
 *          local levels and its LIFO slot empty: a hand-off), no signal;
 *          otherwise the back of the local queue, then signalWork() (see
 *          "Wake-ups behind queued work").
 *       Except the wake-ups a finishing green thread makes for its joiners
 *       (Worker.queueWakeups): back of the local queue, then signalWork(). A
 *       fan-in joiner then runs after its queued siblings and finds them done,
 *       instead of parking once per sibling (skynet: 1.96 -> 1.3-1.6 dispatches
 *       per thread, see BENCHMARKS.md).
 *   re-submission from the carrier itself (Thread.yield, a park that found its
 *   permit already set; the JDK calls execute from the carrier after unmount)
 *       -> the worker's private yielded slot if nothing else is queued there,
 *          otherwise the back of the local queue, then signalWorkFromOwner().
 *   wake from a foreign virtual thread mounted on one of our workers (a JDK
 *   sub-poller that PollerHost runs here, unparking a thread whose socket is
 *   ready; found by the carrier the caller is mounted on, which the JDK pins
 *   while it submits) -> back of that worker's local queue, then
 *   signalWorkFromOwner(): the default scheduler's poller wake-ups are local
 *   pushes too (issue 11: 0.33-0.39 injections per HTTP request -> 0.005).
 *   anything else (platform threads, JDK timer and poller threads, foreign
 *   virtual threads elsewhere) -> injection queue of the task's priority,
 *   signalWork().
 *   A push into a full local ring moves the ring's older half to the injection
 *   queue as one batch (LocalQueue, "Overflow"); a carrier taking from the
 *   injection queue takes a batch (pollInjectedAbove; InjectionQueue).
 *
 * Back-pressure on a spawner (issue 11: spawn at 2 workers)
 *   A green thread spawning in a loop on one of our carriers pushes each child
 *   to the back of that carrier's ring. A spawn is cheaper than a child's run,
 *   so without a check the spawner outran the other carrier: every 256 spawns
 *   the ring's older half went to the injection queue, hundreds of thousands
 *   of children waited there unstarted (cold in cache by the time they ran,
 *   and copied by every young collection meanwhile), and the spawner's own
 *   carrier ran none of them until the spawner was preempted or blocked. Now a
 *   spawn whose push overflowed the ring sets Worker.spawnOverflowed, and the
 *   spawner, once the spawn has returned (RuntimeCore.create, through
 *   {@link #yieldIfSpawnOverflowed}), clears it and yields: it goes to the back
 *   of its ring (resubmitFromCarrier), behind the half the overflow left there,
 *   so its carrier runs those children, oldest first, before it spawns again,
 *   while the other carriers take the injected half and steal. One yield per
 *   128 spawns. Only a spawner that has spawned LOOP_SPAWNS times in its current
 *   dispatch yields: a parent that forks a few children and joins them (skynet's
 *   tree, where the ring is full of its siblings' children) is not a spawn loop,
 *   and making it yield only reordered the tree (skynet 0.83x default virtual
 *   threads with, 0.68x without, quiet run of 2026-12-02). With one carrier the
 *   children waiting to start never exceed a ring (SpawnBackPressureTest: 256
 *   of 100,000, against all of them without this); with more, the spawner's
 *   carrier takes only its share of each injected half (pollInjectedAbove), so
 *   the bound is the other carriers' keeping up: a few hundred when they run, more while one's OS thread is
 *   descheduled (loaded runs of 1,000,000 spawns at 2 workers: 0.4k-10k at the
 *   peak, against 19k-350k without this). The default scheduler
 *   has no such bound (a virtual thread started from a virtual thread goes to
 *   a shared submission queue, unbounded, which every carrier polls FIFO; the
 *   spawner is never preempted) and keeps up only because its spawn is slower.
 *   The yield is a scheduling point a time slice could have made anyway (a
 *   spawn is already a safepoint: RuntimeCore.create begins with one, so a
 *   spawn under a scope's monitor could already unmount there): a spawner
 *   keeps its priority and place rules (a yield), its cancellation and its
 *   children are untouched, and a pinned spawner simply does not yield.
 *   Only spawns by a green thread running on our carrier push locally, so only
 *   they yield; deterministic mode submits elsewhere and is unaffected.
 *   -Dverdant.spawnYield=false turns it off (a benchmarking switch, read at
 *   class initialisation into a static that a benchmark may flip between rounds).
 *
 * Signals per spawn (issue 11: spawn at 2 workers)
 *   A spawn on one of our carriers signals other carriers (signalWorkFromOwner:
 *   a full fence and two shared reads) only when its push found the ring of its
 *   level empty, or overflowed it (the older half went to the injection queue);
 *   the other spawns of a loop signal nobody. So a spawn loop pays one fence per
 *   time its ring empties and one per overflow, not one per spawn (a million
 *   spawns at 2 workers: 1,000,000 signals -> about 10,000, counted), as the
 *   JDK's ForkJoinPool signals only a push into an empty or nearly empty queue.
 *   Why no work is lost: the push that made the ring non-empty signalled (the
 *   Dekker pair below holds for it), and until the ring empties its owner, a
 *   running carrier, takes every task left in it. What may be lost is help: if
 *   a thief emptied the ring and the owner read the head before the thief's CAS
 *   (a stale "not empty"), a carrier that parked meanwhile is not woken for this
 *   spawn; it is woken by the next push into the empty ring, the next overflow
 *   (with back-pressure, every half ring of a spawn loop), or any other signal,
 *   and the owner runs the tasks meanwhile. Wake-ups and re-submissions still
 *   signal per push. -Dverdant.spawnSignalBatch=false signals every spawn (a
 *   benchmarking switch; SpawnSignalBatchTest counts both).
 *
 * Search and parking (after tokio's multi_thread scheduler)
 *   searching    number of workers looking for work (stealing). A worker that
 *                finds work while it was the last searcher wakes one more, so
 *                parallelism ramps up one worker at a time: no thundering herd.
 *                At most half the carriers (at least one) search at once.
 *   search       SEARCH_ROUNDS passes over the injection queues and every other
 *                carrier (stealing half a queue, or a LIFO slot whose owner has
 *                not dispatched between two looks); then, with more than one
 *                carrier and no spare alive, a spin phase of up to SPIN_NANOS,
 *                still holding the token, over the queues only (not LIFO slots). While a worker
 *                spins, every signalWork sees searching != 0 and unparks nobody:
 *                a spawn burst on one carrier is absorbed by the spinning one
 *                instead of costing a park and an unpark (two system calls) every
 *                few threads (SpawnWakeCountTest: 300 one-by-one hand-offs, 299
 *                unparks without the spin, 1 with a spin longer than the gaps).
 *                Signals are thereby batched per search, not per spawn: one idle
 *                worker is woken, it steals half the spawner's queue, and it
 *                parks again only after a whole spin finds nothing.
 *   Adaptive spin  each carrier's spin phase lasts its spinBudget (owner-only),
 *                between SPIN_FLOOR_NANOS and SPIN_NANOS. A spin that expires
 *                makes the next one 1/8 shorter, one that finds work twice as
 *                long while the carrier's spin credit is not negative: the
 *                spin time it spent per find stayed below what a park round
 *                trip costs (SpinBudget; before it, every find doubled the
 *                budget, which stayed at the top under http while 24 % of
 *                spins found work late, 44 us of spin per find). With the
 *                credit positive the budget goes to SPIN_NANOS while more than
 *                ~16 % of spins find work (p ln 2 = (1 - p) ln 8/7), to the
 *                floor while fewer do (17 expiries in a row from the top). So a carrier
 *                spins long where work follows its searches closely (a spawn
 *                burst: the spin finds the work, the budget stays), and briefly
 *                where work comes from outside at longer intervals (HTTP: 1 % of
 *                20 us spins found work, and the spin took ~300-440 ns of ~6.5 us
 *                of server CPU per request; issue 11). As the ForkJoinPool, whose
 *                pre-park spin is a few hundred queue reads. Only a spin's own
 *                outcome moves the budget: also growing it when a carrier was
 *                woken soon after its spin began (even only when its next search
 *                found work) made it climb under http while no spin found work.
 *                The cost: a carrier at the floor whose work then comes at gaps
 *                between the floor and SPIN_NANOS parks for each piece until a
 *                spin happens to find one. A spin's length is the runtime
 *                clock's time, so a spin the OS preempts costs less CPU, not more.
 *   signalWork   after publishing work: full fence, then if nobody is searching
 *                and someone is idle, pop one idle worker, count it as
 *                searching, and unpark it.
 *   signalWorkFromOwner  the same, called by a running worker for work it
 *                published itself; a no-op while there is a single carrier
 *                (one worker, no spare alive): the caller takes that work itself.
 *   park         a worker with nothing to do (its search token, if any, given
 *                back first by endSearch): (1) registers in the idle list
 *                under idleLock, (2) full fence, (3) re-checks the injection
 *                queues and every worker's queues, (4) parks until notified;
 *                (5) if the re-check found work, it leaves the idle list and,
 *                once it has taken a task, wakes one idle worker if work is
 *                still visible (signalIfWorkLeft: fence, re-check, signalWork).
 *   Invariant (tokio's): while work is visible, some worker is searching, or
 *   one was notified, or no worker is idle. A producer keeps it by
 *   publish-fence-read: it wakes nobody only if it saw a searcher (who is then
 *   responsible for the work) or no idle worker (who then re-checks before it
 *   parks). A searcher keeps it by ramp-up (the last one to find work wakes
 *   one more) or by parking with the re-check.
 *   Ordering argument. Producer P: publish (the injected count's RMW, or the
 *   local tail's release store), fullFence, read searching and idleCount.
 *   Worker W: searching.decrementAndGet (endSearch), register idle, fullFence,
 *   read the queues. With both fences in the total order of SC fences, either
 *   P's read comes after W's writes (P sees W idle, or W's token gone, and
 *   wakes someone), or W's read comes after P's publish (W sees the work). This
 *   is the Dekker pair of steps (2)/(3) against signalWork.
 *   Step (5) closes the one hole that pair leaves: P read searching = 1 (W's
 *   token, before W's decrement) and so woke nobody, for tasks A and B; W found
 *   nothing in its search (before P's publish), gave the token back, and its
 *   re-check saw A and B. W can run one. Without step 5 it took A and nobody
 *   woke an idle carrier for B (OutsideSpawnWakeTest with Sysmon's rescue of
 *   injected work off: 1-3 of 40 repetitions failed). Step 5 is W acting as the
 *   last searcher that found work, after the fact: its fence-then-re-check
 *   after taking A sees B (B was published before P's read, which came before
 *   W's decrement) unless another worker already took B. It runs once per
 *   abandoned park, never on the dispatch path. (Step 5 does not always wake
 *   as tokio's ramp-up does: W re-checks first, so a lone task costs no
 *   wake-up that finds nothing.)
 *
 * Wake-ups behind queued work (issue 11: Savina philosophers)
 *   A woken thread takes the LIFO slot, and so runs as soon as its waker
 *   unmounts, only when its carrier has nothing else runnable. When other work
 *   is queued it goes to the back of the local queue, FIFO, as a spawn does.
 *   Until this change it always took the slot (displacing the slot's task to
 *   the back of the queue), as Go's runnext and tokio's LIFO slot do. For a
 *   thread that serves many others through a mailbox that ran the server once
 *   per message: the philosophers' arbitrator, woken into the slot by each
 *   philosopher's request, ran right after it with that one request, 3.0M
 *   dispatches per run at 1 worker. Queued behind the other runnable senders,
 *   it finds their messages waiting and takes them in one dispatch: 1.6M, the
 *   count of default virtual threads (FIFO); chameneos and bndbuffer 4.0M ->
 *   2.0M, big 3.06M -> 2.38M (counts, exact at 1 worker; docs/benchmarks.md,
 *   "Scheduling order and the philosophers' denials"). Denials did not change
 *   with it: 500,018 -> 500,009 (the FIFO figure). A ping-pong pair or a ring
 *   alone on a carrier keeps the slot: its wake-up finds nothing queued. The
 *   LIFO_LIMIT bound stays for the case left: a task that filled the slot and
 *   then queued other work (a spawn) before it unmounted.
 *   The price: a pair exchanging messages while other threads are queued on
 *   its carrier waits one round of that queue per message instead of none, so
 *   its latency grows with the queue; in exchange no runnable thread is passed
 *   over by a pair (before, a pair ran LIFO_LIMIT times ahead of the queue and
 *   a displaced thread lost its place). The test reads levelMask, which may
 *   hold a stale set bit (a thief emptied the level): such a wake-up is queued
 *   although nothing was, and still runs next unless a thief takes it.
 *
 * The LIFO slot and progress (why a wake-up into it signals nobody)
 *   A wake-up into the LIFO slot (one release store by the owner into the
 *   empty slot, no fence, no signal) is the ping-pong fast
 *   path: the woken thread runs as soon as the waker unmounts, on the same
 *   carrier. Signalling an idle carrier there would cost a fence per dispatch
 *   and hand the woken thread to another core half the time. Progress does not
 *   need it as long as the waker unmounts soon; when it does not (it computes,
 *   spins, or blocks in native code), the slot counts as waiting work for every
 *   rule of the {@link Sysmon}, which sees it within two ticks of the waker's
 *   last dispatch:
 *     - stranded-work rescue: the owner has not dispatched for a tick while
 *       its queues or LIFO slot hold work -> signalWork(); the woken searcher
 *       steals the slot (Worker.stealBy takes it once the owner's dispatch count
 *       stood still between two of its looks, normally its two search rounds);
 *     - time slice: the waker is asked to yield at its next safepoint;
 *     - stall: a spare carrier is started, which steals the slot likewise.
 *   Memory ordering: the ticker reads the slot opaquely, once per tick; the
 *   slot is written with a release store (getAndSet if full), and the ticker re-reads
 *   it at every tick, so a task that stays in it is seen at the latest one
 *   tick later (opaque reads of a variable are eventually fresh; a task taken
 *   out in between is at worst an extra signalWork). The ticker runs whenever
 *   a carrier is active, which the waker's carrier is. LIFO slots are not part
 *   of park()'s re-check: in ping-pong the slot is full most of the time, and
 *   an idle carrier that refused to park for it would spin against a carrier
 *   that takes the slot itself a few hundred nanoseconds later.
 *
 * Carriers: core workers and spare carriers
 *   cores     the Config.workers() workers, started with the runtime, never replaced.
 *   carriers  volatile copy-on-write array: the cores plus the spare carriers
 *             alive now (see {@link Sysmon}). Every loop over "all workers" (steal
 *             victims, the park re-check, the ticker) reads one snapshot of it.
 *             Written under spareLock only, by the ticker (a spare joins) and by
 *             a retiring spare (it leaves).
 *   A spare is an ordinary Worker with its own queues: it owns those and no
 *   others. It takes a stalled worker's queued work by stealing, which is safe
 *   against the stalled worker's own pushes (the green thread stuck on it may
 *   still spawn or wake threads into its queues and LIFO slot). Its index is
 *   cores.length + a spare slot, so per-carrier arrays have maxCarriers entries.
 *   Retirement (Worker.retire set by Sysmon under idleLock, then unparkWorker):
 *     1. the spare finishes its current task (never interrupted mid-task);
 *     2. it gives back a search token if it holds one;
 *     3. it moves everything in its own queues, LIFO and yielded slots to the
 *        injection queues (it is their only producer, and it is between tasks,
 *        so nothing can be pushed to them after this);
 *     4. it leaves carriers (under spareLock), then signalWork(): work it
 *        injected, or a wake-up it absorbed, goes to a carrier that stays.
 *   A retiring spare is never in the idle list: retire is set under idleLock,
 *   which removes it if it is there, and park() does not register a worker whose
 *   retire flag is set (checked under idleLock).
 *
 * Locks
 *   idleLock guards the idle list only; it is never held while a task runs,
 *   and execute() takes it for at most a few field updates (no blocking).
 *
 * Shutdown (see {@link #terminate})
 *   1. terminating = true: workers stop taking tasks at their next loop turn
 *      and every later submission is dropped (never rejected: execute() must
 *      not throw, see the class design of GreenThread), except a foreign
 *      task's, which goes to the JDK's default scheduler (submitForeign).
 *   2. every worker is unparked; each exits its loop and counts down.
 *   3. the ticker stops and is joined: no spare can be started after this, and
 *      preemption requests it made are withdrawn (Safepoints.pending is JVM-wide).
 *   4. every spare carrier alive is unparked and joined; spares exit like
 *      workers (no drain: submissions are dropped from step 1 on).
 *   5. in a close during the JVM's shutdown only (resumeOnDefault): handingOver
 *      = true, then every task still queued goes to the JDK's default scheduler
 *      (handOverQueued). A submitter from outside that read terminating as false
 *      before step 1 and injects after this drain reads handingOver after its
 *      inject and drains the injection queues itself (submitFromElsewhere).
 *      A close made on the ticker itself (a timer action's dead-letter handler)
 *      does not join it, and the ticker's turn goes on after that action with a
 *      Sysmon pass, after this hand-over. That pass injects only under priority
 *      rule c (preemptForQueuedElsewhere), which needs every carrier running a
 *      task (none free) and takes the task from one of them, the donor: a carrier
 *      that did not stop, whose queues this hand-over leaves alone and whose owner
 *      exits without reading them (a stopped carrier runs nothing, so the pass
 *      counts it free and rule c does not run). The task moved was in a queue
 *      nobody reads already, so the late injection strands nothing the hand-over
 *      would have given over; the pass starts no spare once terminating, and its
 *      other rules only request (withdrawn as the ticker ends) or signal.
 *   The waits of steps 3 and 4 share one deadline, and an interrupt of the
 *   closer does not cut them short (close waits as ExecutorService.close does).
 *   A worker stuck inside a task that never yields cannot be stopped: terminate
 *   reports how many carriers did not exit in time.
 * </pre>
 */
public final class Scheduler {
    public static final int LEVELS = 4;
    /** Priority.NORMAL's level: injections above it may trigger an immediate Sysmon pass. */
    private static final int NORMAL_LEVEL = 2;
    /** Dispatch-path looks in a row that found the injection hint set and nothing to
     * take before a carrier clears the stale bits (pollInjectedHinted): an atomic per
     * 32 such looks at most, instead of one per look. Chosen, not measured. */
    static final int HINT_MISSES = 32;
    /** Steal passes over all victims before a worker registers as idle. */
    private static final int SEARCH_ROUNDS = 2;
    /**
     * After SEARCH_ROUNDS empty passes a searcher keeps its token and goes on
     * looking for up to this long before it parks (runtimes with more than one
     * carrier only). While it does, every producer's signalWork sees a searcher and
     * wakes nobody, and the searcher finds the work itself: a spawn burst on one
     * carrier keeps the other one stealing instead of parking and being unparked
     * after every few threads (a futex wake plus a futex wait, system time, per
     * round trip). Go's spinning Ms and the JDK's ForkJoinPool (its pre-park spin)
     * do the same. 20 us: a few times the cost of a park/unpark round trip, small
     * against any time slice; chosen, not measured on a quiet machine. The CPU
     * cost is bounded: one spin per run of empty searches, by at most half the
     * carriers (the search-token bound).
     */
    static final long SPIN_NANOS = 20_000;
    /**
     * The shortest spin phase of the adaptive spin (see "Adaptive spin"): a carrier
     * whose spins keep expiring spins this long, a few passes (about 5 on the
     * 2-core VM of BENCHMARKS.md), like the ForkJoinPool's pre-park spin of a few
     * hundred queue reads; so it still finds work that arrives right behind its
     * search, and a spin that does grows the budget back. Chosen, not tuned.
     */
    static final long SPIN_FLOOR_NANOS = 2_000;
    /**
     * False only with {@code -Dverdant.adaptiveSpin=false}: every spin phase lasts
     * SPIN_NANOS, as before the adaptive spin (a benchmarking switch, not an API: it
     * lets one jar be measured both ways). Read once, at class initialisation.
     */
    static final boolean ADAPTIVE_SPIN = !"false".equalsIgnoreCase(System.getProperty("verdant.adaptiveSpin"));
    /** onSpinWait calls between two passes of the spin phase: keeps the spinner
     * from hammering the victims' queue heads (cache lines their owners write). */
    private static final int SPIN_PAUSES = 32;

    /**
     * Whether a spawn that overflowed its carrier's ring makes the spawner yield (see
     * "Back-pressure on a spawner"). A benchmarking switch, not an API: true unless
     * {@code -Dverdant.spawnYield=false}; not final so that a comparison in one
     * process can alternate both behaviours (read only when a push overflowed).
     */
    static boolean spawnYield = !"false".equalsIgnoreCase(System.getProperty("verdant.spawnYield"));
    /**
     * Spawns in one dispatch after which an overflowing spawn makes the spawner yield
     * (see "Back-pressure on a spawner"): a loop, not a parent forking a few children
     * (skynet's nodes spawn 10 each and join them; yielding those cost 15-20 % there).
     */
    static final int LOOP_SPAWNS = 64;
    /**
     * Whether a spawn signals other carriers only when it made its ring non-empty or
     * overflowed (see "Signals per spawn"). A benchmarking switch, not an API: true
     * unless {@code -Dverdant.spawnSignalBatch=false} (then every spawn signals, as
     * before); not final so that a comparison or a test in one process can alternate
     * both (read once per spawn, a static the JIT cannot fold).
     */
    static boolean spawnSignalBatch = !"false".equalsIgnoreCase(System.getProperty("verdant.spawnSignalBatch"));

    private final Worker[] workers;
    private volatile Worker[] carriers;
    private final int maxCarriers;
    private final long stackSize;
    private final String name;
    private final Object spareLock = new Object();
    /** Guarded by spareLock: spare carriers alive, by spare slot. */
    private final Worker[] spares;
    /** Guarded by spareLock: the counters of spares that have retired (see {@link #metrics}). */
    private final WorkerCounters retiredCounters = new WorkerCounters();
    /** The injection queues of every level (see {@link InjectionQueue}); also where local rings overflow. */
    final InjectionQueue injection = new InjectionQueue();
    private final AtomicInteger searching = new AtomicInteger();
    private final Object idleLock = new Object();
    private final ArrayDeque<Worker> idleWorkers = new ArrayDeque<>();
    private volatile int idleCount;
    private volatile boolean terminating;
    /**
     * Set by a close that runs while the JVM shuts down (a shutdown hook): a green
     * thread made runnable after termination then runs on the JDK's default scheduler
     * instead of being dropped (Task.submittedAfterTermination). The thread that called
     * System.exit waits in it for the hooks, holding the JVM's exit lock: dropped, it
     * never ran again and the JVM never exited (JvmExitTest).
     */
    private volatile boolean resumeOnDefault;
    /**
     * Set by terminate, with resumeOnDefault, once the carriers stopped and before it hands
     * the queued tasks over (handOverQueued). A submitter from outside the carriers that
     * read terminating as false and injected reads it after its inject, and hands the
     * injection queues over itself if it is set (submitFromElsewhere). Read only on that
     * path, never by a carrier.
     */
    private volatile boolean handingOver;
    @SuppressWarnings("unused") private volatile long foreign;
    @SuppressWarnings("unused") private volatile long pollerRescues;
    @SuppressWarnings("unused") private volatile long pollerRuns;
    /** The spin phase's longest length (SPIN_NANOS; 0 turns it off). Tests only change it
     * ({@link #spinNanos(long)}); volatile, read once per search and once per carrier wake-up. */
    private volatile long spinNanos = SPIN_NANOS;
    /** Tests only (set with spinNanos): every spin phase is spinNanos long, not adapted. */
    private volatile boolean spinFixed;
    private final CountDownLatch stopped;
    private final Consumer<Throwable> internalErrors;
    private final Ticker ticker;
    private final Sysmon sysmon;
    /** Work outside the queues held back by a running task (see heldBackWork); null if none. */
    private volatile BooleanSupplier heldBack;
    private final boolean preemptive;
    /** Trace rings of this scheduler's carriers and ticker (see {@link TraceControl}). */
    private final TraceControl traceControl;
    /** The runtime's clock: every time the scheduler measures (ticks, slices, stalls, terminate) is read from it. */
    private final Clock clock;

    /** How long a failed start waits for the carriers it had started to stop. Chosen, not measured. */
    private static final long START_FAILURE_STOP_NANOS = 5_000_000_000L;

    /**
     * @param timesliceNanos time slice, 0 for no preemption
     * @param stallNanos     how long a carrier may be held by one task, while work waits, before Sysmon steps in
     * @param maxSpares      most spare carriers alive at once (0: stalls are only reported)
     * @param clock          the runtime's clock (its timer wheel's): the ticker and Sysmon read time from it only
     */
    public Scheduler(String name, int workerCount, long stackSize, long timesliceNanos, long stallNanos, int maxSpares,
                     Consumer<Throwable> internalErrors, Clock clock) {
        this.clock = java.util.Objects.requireNonNull(clock, "clock");
        this.workers = new Worker[workerCount];
        this.maxCarriers = workerCount + maxSpares;
        this.spares = new Worker[maxSpares];
        this.stackSize = stackSize;
        this.name = name;
        this.preemptive = timesliceNanos > 0;
        this.internalErrors = internalErrors;
        for (int i = 0; i < workerCount; i++) {
            workers[i] = new Worker(this, i, name + "-carrier-" + i, stackSize, false);
        }
        this.carriers = workers.clone();
        this.stopped = new CountDownLatch(workerCount);
        this.sysmon = new Sysmon(this, timesliceNanos, stallNanos);
        this.ticker = new Ticker(this, name + "-ticker", sysmon);
        this.traceControl = new TraceControl(this);
    }

    /** The trace rings' owner: traces and the flight recorder. */
    public TraceControl traceControl() {
        return traceControl;
    }

    /** The lock guarding the carriers array, also held to install trace rings (TraceControl). */
    Object spareLock() {
        return spareLock;
    }

    /**
     * Starts the carriers and the ticker. If one cannot be started (Thread.start
     * throws, e.g. OutOfMemoryError: unable to create native thread), those already
     * started are stopped and joined before the failure is thrown: a failed start
     * leaves nothing running.
     */
    public void start() {
        int started = 0;
        try {
            for (Worker w : workers) {
                Faults.carrierStarting(w);
                w.start();
                started++;
            }
            ticker.start();
        } catch (Throwable t) {
            for (int i = started; i < workers.length; i++) {
                stopped.countDown(); // never started: terminate waits for the others only
            }
            try {
                terminate(START_FAILURE_STOP_NANOS, () -> { });
            } catch (Throwable s) {
                t.addSuppressed(s);
            }
            throw t;
        }
        PollerHost host = PollerHost.INSTANCE;
        if (host != null) {
            host.hostStarted(this);
        }
    }

    /**
     * Any thread (PollerHost): queues a JDK sub-poller's continuation here, or
     * returns false if this scheduler is terminating (PollerHost then runs it
     * elsewhere). Read after PollerHost added the task to its pending set: see
     * PollerHost, "end". {@code home} is the sub-poller's number (PollerHost,
     * "Home carriers"): the task goes to core carrier {@code home % workers}, by
     * its inbox unless the caller is that carrier; -1 for none (then as
     * {@link #submit}).
     */
    boolean submitPoller(PollerTask task, int home) {
        if (terminating) {
            return false;
        }
        if (home < 0) {
            submit(task, false);
            return true;
        }
        Worker w = workers[home % workers.length];
        if (Thread.currentThread() == w) {
            submit(task, false); // its own re-submission (a yield): w's yielded slot or ring
        } else {
            sendHome(w, task);
        }
        return true;
    }

    /**
     * Any thread but {@code w}: pushes {@code task} to {@code w}'s inbox (Worker,
     * "Flags written by other threads"), then wakes {@code w} if it is idle. The
     * Dekker pair with park(): the push (a CAS), a full fence, then idleCount and
     * under idleLock w.idle; park() registers w as idle under idleLock, fences,
     * then re-checks w's inbox. Either this sees w idle and wakes it, or w's
     * re-check sees the task. A w not idle takes it at its next turn (the push
     * set its injectedFirst), its next search, or its park's re-check. No other
     * carrier is signalled: one woken for it would find the task left to w for
     * Worker.INBOX_GRACE_NANOS and spin or park for nothing (signalling one, and
     * not parking while an inbox held a task, cost +1-3 us of carriers' user CPU
     * per request at -c100, loaded, three of three runs). A searching carrier
     * takes it once it has waited the grace (w's OS thread descheduled, or held
     * by a long task); a w that does not dispatch for a tick while its inbox
     * holds it is Sysmon's stranded-work rescue (the inbox is local work), which
     * wakes a carrier that takes it so; PollerHost's rescue bounds the wait. A
     * woken w counts as searching, as signalWork's (it ends the search when it
     * finds the task).
     */
    private void sendHome(Worker w, Task task) {
        w.pushInbox(task);
        VarHandle.fullFence();
        if (idleCount == 0) {
            return;
        }
        boolean home = false;
        synchronized (idleLock) {
            if (w.idle) {
                w.idle = false;
                idleWorkers.remove(w);
                idleCount = idleWorkers.size();
                w.searching = true;
                searching.incrementAndGet();
                w.counters.wakeups++;
                home = true;
            }
        }
        if (home) {
            ticker.advanceIfSleeping(); // the clock w stamps slices from; the worker's wake-up before the ticker's
            w.unparkWorker();
            ticker.wakeIfSleeping();
        }
    }

    /** Ticker only (Sysmon, every tick): sub-poller tasks waiting here longer than {@code maxWaitNanos} move elsewhere. */
    void rescuePollers(long maxWaitNanos) {
        PollerHost host = PollerHost.INSTANCE;
        if (host != null) {
            host.rescue(this, maxWaitNanos);
        }
    }

    /** PollerHost.rescue: counts one sub-poller task moved off this runtime because it waited too long. */
    void pollerRescued() {
        POLLER_RESCUES.getAndAdd(this, 1L);
    }

    /**
     * PollerHost only: a sub-poller task waited here until rescued, and no carrier of
     * this runtime has run one since (set by the rescue, cleared when one runs here, or
     * taken back by the rescue itself when a carrier here claimed the task meanwhile:
     * PollerHost, "stall", the rescuer's steps). PollerHost's last choice, when no host
     * has an idle carrier, passes over such a host (PollerHost, "Which host").
     */
    volatile boolean pollerSlow;

    /** PollerTask.dispatch: counts one sub-poller continuation run on a carrier of this runtime. */
    void pollerRan() {
        POLLER_RUNS.getAndAdd(this, 1L);
    }

    /**
     * Any thread: JDK sub-poller continuations run on this runtime's carriers so far
     * (see {@link PollerHost}; one per wake-up batch of a sub-poller, not per socket).
     *
     * @return the count so far
     */
    public long pollerRuns() {
        return (long) POLLER_RUNS.getVolatile(this);
    }

    /**
     * Any thread: JDK sub-poller tasks handed to the JDK's default scheduler because
     * they waited here longer than the stall threshold with no carrier having taken
     * them (see {@link PollerHost}, "stall"). Each is counted once, when handed over;
     * a carrier of this runtime that comes free first still runs it here, so this is
     * at least the number the default scheduler ran. Not in metrics(), snapshots or
     * JFR: tests and the benchmarks' {@code counts} line read it.
     *
     * @return the count so far
     */
    public long pollerRescues() {
        return (long) POLLER_RESCUES.getVolatile(this);
    }

    /** Any thread: spare carriers alive now; a snapshot (observability). */
    public int spareCarriers() {
        return carriers.length - workers.length;
    }

    /** The runtime's name (carrier threads' name prefix). */
    public String name() {
        return name;
    }

    public int workerCount() {
        return workers.length;
    }

    /** Cores plus spare slots: the size of per-carrier arrays indexed by Worker.index. */
    int maxCarriers() {
        return maxCarriers;
    }

    /** The core workers, for diagnostics; do not modify. */
    public Worker[] workers() {
        return workers;
    }

    /** A snapshot of the carriers running now: the cores, then live spares; do not modify. */
    public Worker[] carriers() {
        return carriers;
    }

    public Sysmon sysmon() {
        return sysmon;
    }

    /** The runtime's clock (see the constructor); any thread. */
    Clock clock() {
        return clock;
    }

    /** Config.maxSpareCarriers: how many spares may be alive at once. */
    int spareSlots() {
        return spares.length;
    }

    public Ticker ticker() {
        return ticker;
    }

    // ------------------------------------------------------------------ submission

    /**
     * Any thread; never blocks, never throws. {@code first} is true for the
     * submission that starts a green thread. This method, with the two it hands
     * over to ({@code resubmitFromCarrier}, {@code submitFromElsewhere}), is the
     * whole policy of where a submitted task goes (the table "Where a submitted
     * task goes" in the class comment, one branch per row); Worker only provides
     * the pushes.
     *
     * @param task  the task made runnable
     * @param first true if this submission starts the green thread (a spawn)
     */
    public void submit(Task task, boolean first) {
        if (terminating) {
            task.submittedAfterTermination();
            return;
        }
        Thread t = Thread.currentThread();
        if (t instanceof Worker w && w.scheduler == this) {
            resubmitFromCarrier(w, task);
        } else {
            submitFromElsewhere(task, first, t);
        }
    }

    /**
     * Worker {@code w} only, after a green thread unmounted from it and made
     * itself runnable again (Thread.yield, a park that found its permit; the JDK
     * calls execute from the carrier): the owner's private yielded slot when
     * nothing else is queued here, else the back of the local queue. (A trace
     * reads a yield off where the task went: see Worker, "Tracing".)
     */
    private void resubmitFromCarrier(Worker w, Task task) {
        Task earlier = w.yielded;
        if (earlier != null) {
            // An earlier yielder is still waiting (next() has not run since):
            // it keeps its place in front of this one.
            w.yielded = null;
            w.pushLocalOrInject(earlier);
        }
        if (w.levelMask == 0 && w.lifoOpaque() == null) {
            w.yielded = task;
        } else {
            w.pushLocalOrInject(task);
            signalWorkFromOwner();
        }
    }

    /**
     * The calling green thread only, right after a spawn of its own returned:
     * if a spawn made on its carrier (the one the JDK mounted it on, see
     * Worker.ofCaller) overflowed the carrier's ring, clears the flag and yields
     * (see "Back-pressure on a spawner"). A field read otherwise.
     */
    public static void yieldIfSpawnOverflowed() {
        Worker w = Worker.ofCaller();
        if (w != null && w.spawnOverflowed) {
            w.spawnOverflowed = false;
            w.counters.spawnYields++;
            Thread.yield();
        }
    }

    /**
     * {@link #submit}'s rows other than a re-submission from one of our carriers,
     * kept out of submit so that submit, called on every yield and every park
     * that found its permit, stays small enough for the JIT to inline it into
     * the JDK's afterYield (at 342 bytecodes it was not: "hot method too big").
     */
    private void submitFromElsewhere(Task task, boolean first, Thread t) {
        // (A carrier, of another runtime here, is a platform thread: it is "anyone else".)
        // The running green thread is found by its uncaught-exception handler; one whose
        // handler user code replaced, by its carrier, off this path's fast branch
        // (ReplacedHandlerWakeTest: it took the foreign row below, drawn from outside, with
        // no hand-off, no nudge and no spawn back-pressure).
        if (t.isVirtual() && (VirtualThreads.currentHandler(t) instanceof Task h ? h : ownTaskOfCarrier(t))
                instanceof Task running) {
            Worker w = Worker.ofCaller();
            if (w != null && w.scheduler == this && w.currentTask() == running) {
                // Made runnable by the green thread running on worker w.
                traceWakeByRunning(w, running, task, first);
                if (task.priority < running.priority && preemptive) {
                    // Higher priority than the thread making it runnable: let Sysmon
                    // look now (rule a), not at the next tick.
                    ticker.nudge();
                }
                if (first) {
                    // A spawn: back of the local queue. An overflow asks the spawner to
                    // yield once its spawn returns (see "Back-pressure on a spawner"); only
                    // a push into an empty ring, or an overflow, signals (see "Signals per
                    // spawn").
                    boolean loop = w.countSpawn();
                    boolean wasEmpty = !spawnSignalBatch || w.levels[task.priority].isEmpty();
                    boolean overflowed = w.pushLocalOrInject(task);
                    if (overflowed && spawnYield && loop) {
                        w.spawnOverflowed = true;
                    }
                    if (!wasEmpty && !overflowed) {
                        return;
                    }
                    w.counters.spawnSignals++;
                } else if (w.wakeToQueue) {
                    // A finishing thread's joiners: back of the local queue.
                    w.pushLocalOrInject(task);
                } else if (w.levelMask == 0 && w.lifoOpaque() == null) {
                    // A hand-off (nothing else runnable here): the LIFO slot, so the woken
                    // thread runs next (ping-pong locality); no signal (see "The LIFO slot
                    // and progress").
                    w.fillLifo(task);
                    return;
                } else {
                    // Other work waits here: the woken thread queues behind it (see
                    // "Wake-ups behind queued work").
                    w.pushLocalOrInject(task);
                }
                signalWorkFromOwner();
                return;
            }
        }
        if (t.isVirtual() && VirtualThreads.currentCarrier() instanceof Worker w && w.scheduler == this) {
            // A foreign virtual thread mounted on one of our carriers: a JDK sub-poller
            // (PollerHost) unparking a thread whose socket is ready. The JDK pins the
            // caller while it submits (VirtualThread.submitRunContinuation), so this
            // runs on w's OS thread throughout: the owner's push. Back of the local
            // queue, as the default scheduler pushes its poller's wake-ups: a poll
            // wakes a batch, which then runs in the order the sockets became ready.
            if (traceControl.wakeFromOutside(task, first, t)) {
                w.stampSliceEnd(); // the woken slice must begin after this wake-up's clock read
            }
            w.pushLocalOrInject(task);
            signalWorkFromOwner();
            return;
        }
        // Anyone else: platform threads, JDK timer and poller threads (the master
        // poller; sub-pollers when they run elsewhere), foreign virtual threads,
        // another runtime's carriers.
        traceControl.wakeFromOutside(task, first, t); // a volatile read unless a trace records
        Faults.outsideInjecting();
        inject(task);
        if (handingOver) {
            // A close during the JVM's shutdown set terminating after submit read it, and
            // its hand-over of the queues may have run before the inject: this task would
            // stay in a queue nobody reads. The Dekker pair with handOverQueued: the push
            // (getAndSet, getAndAdd), then this volatile read; there, the write of
            // handingOver, then its reads of the queues. Either this read sees the flag,
            // or that drain sees the task (LateInjectionHandOverTest).
            handOverInjected();
            return;
        }
        signalWork();
        if (task.priority < NORMAL_LEVEL && preemptive) {
            highPriorityInjected(task.priority);
        }
    }

    /**
     * The virtual thread {@code t}, the caller, whose handler is not a task: the task
     * one of this scheduler's carriers runs if t is its virtual thread (a green thread
     * whose uncaught-exception handler user code replaced), else null (a foreign
     * virtual thread, such as a JDK sub-poller, on a carrier or not).
     */
    private Task ownTaskOfCarrier(Thread t) {
        Worker w = Worker.ofCaller();
        Task running = w != null && w.scheduler == this ? w.currentTask() : null;
        return running != null && running.thread() == t ? running : null;
    }

    /**
     * The green thread {@code running} on worker {@code w} (so on w's OS thread)
     * made {@code task} runnable: records the wake-up (or spawn) in w's trace ring,
     * if a trace records there. w's ring has one writer: this OS thread. (A slice
     * begun before the ring was installed is not traced: its wake-ups are not
     * either.) The slice's first wake-up is folded into its SLICE event
     * (TraceEvent, "Folded wake-up"): one plain store here. Others are events; a
     * spawn carries the child's name (a reference, read at export).
     */
    private static void traceWakeByRunning(Worker w, Task running, Task task, boolean first) {
        TraceRing ring = w.traceOpaque();
        if (ring != null && w.stampedRing == ring.serial) {
            long woken = task.traceId();
            if (!first && woken != 0 && w.foldedWake == 0) {
                w.foldedWake = woken;
            } else {
                ring.put(TraceEvent.header(first ? TraceEvent.SPAWN : TraceEvent.WAKE, 0, 0, 0),
                        w.sliceBegin, running.traceId(), woken, first ? task.traceName() : null);
            }
        }
    }

    /**
     * Any thread: a submission of {@code task} that queues nothing, because the
     * task's one copy is held already (GreenThread, "One queued copy": queued, or
     * a carrier still ending the dispatch in which the thread parked, which then
     * queues it through {@link #requeueAfterDispatch}). A trace still shows the
     * wake-up, as {@link #submit} would have recorded it. Off the switch path:
     * only a submission that lost the copy's CAS comes here.
     */
    public void traceDroppedSubmission(Task task) {
        if (!TraceControl.COMPILED_IN) {
            return;
        }
        Thread t = Thread.currentThread();
        if (t.isVirtual() && t.getUncaughtExceptionHandler() instanceof Task running) {
            Worker w = Worker.ofCaller();
            if (w != null && w.scheduler == this && w.currentTask() == running) {
                traceWakeByRunning(w, running, task, false);
                return;
            }
        }
        if (!(t instanceof Worker)) {
            traceControl.wakeFromOutside(task, false, t);
        }
    }

    /**
     * Worker {@code w} only, at the end of a dispatch of {@code task} in which the
     * thread parked (or ended, or was not run) and another thread made it
     * runnable meanwhile, whose submission was dropped because this dispatch
     * held the copy (GreenThread, "One queued copy"): queues it in the injection
     * queue, as a submission from outside would be. Not in w's own queues: a task
     * pushed there during its slice is traced as having yielded (Worker,
     * "Tracing"), and this one parked. A rare race (the waker runs on another
     * carrier while this one ends the dispatch); never on the switch path.
     */
    public void requeueAfterDispatch(Task task) {
        if (terminating) {
            task.submittedAfterTermination();
            return;
        }
        inject(task);
        signalWork();
    }

    /**
     * Any thread, after injecting a task of priority {@code level} (HIGH or
     * CRITICAL): if no carrier is idle and some carrier runs lower-priority work,
     * Sysmon runs now (rule b) instead of at its next pass, which a backed-off
     * ticker may take only at the end of a slice. Reads only; the request itself is made
     * on the ticker thread, which keeps Sysmon's bookkeeping single-threaded.
     */
    private void highPriorityInjected(int level) {
        if (idleCount != 0) {
            return;
        }
        boolean worse = false;
        for (Worker c : carriers) {
            Task t = c.currentTask();
            if (t == null) {
                return;
            }
            worse |= t.priority > level;
        }
        if (worse) {
            ticker.nudge();
        }
    }

    /**
     * Any thread: a task that is not a green thread (see {@link ForeignTask}). Once
     * this scheduler terminates, the virtual thread it continues (started inside a
     * green thread, whose executor stays its scheduler for good) runs on the JDK's
     * default scheduler instead, as the JDK's sub-pollers do (PollerHost, "end"): the
     * carriers never run it again, and a dropped submission left it runnable for ever
     * (ForeignThreadAfterCloseTest). One queued here just before the flag was set is
     * still lost with the carriers' queues, as green threads are abandoned, except in
     * a close during the JVM's shutdown, which hands it over too (handOverQueued).
     */
    public void submitForeign(Runnable r, int priority) {
        getAndIncrementForeign();
        if (terminating) {
            java.util.concurrent.Executor fallback = VirtualThreads.defaultScheduler();
            if (fallback != null) {
                fallback.execute(r);
            }
            return;
        }
        // submit's rows without its second read of terminating, which would drop it.
        Task task = new ForeignTask(r, priority);
        Thread t = Thread.currentThread();
        if (t instanceof Worker w && w.scheduler == this) {
            resubmitFromCarrier(w, task);
        } else {
            submitFromElsewhere(task, true, t);
        }
    }

    /** Number of foreign submissions so far (diagnostics; see {@link ForeignTask}). */
    public long foreignSubmissions() {
        return foreignVolatile();
    }

    /** Any thread: appends {@code task} to the injection queue of its level. */
    void inject(Task task) {
        injection.push(task);
    }

    /** Worker {@code w} only, searching: a task from its own inbox (Worker, "Flags written by
     * other threads"), else an injected task of any level, or null. */
    private Task takeInboxOrInjected(Worker w) {
        Task own = w.takeInbox();
        return own != null ? own : pollInjected(w);
    }

    /** Worker {@code w} only: an injected task of any level, or null (see {@link #pollInjectedAbove}). */
    Task pollInjected(Worker w) {
        return pollInjectedAbove(w, LEVELS);
    }

    /**
     * Worker {@code w} only, on its dispatch path (Worker.next): as
     * {@link #pollInjectedAbove}, but looks at the queues only if the injection
     * queue's hint says a level below {@code level} may hold a task (one opaque
     * read where the counts cost two volatile reads per level; InjectionQueue,
     * "The dispatch path's hint"). After HINT_MISSES looks in a row that found
     * the hint set and nothing to take, w clears the stale bits. Search and
     * park's re-check do not use the hint.
     */
    Task pollInjectedHinted(Worker w, int level) {
        if (!injection.maybeAnyBelow(level)) {
            return null;
        }
        return pollInjectedMissCounted(w, level);
    }

    /** {@link #pollInjectedHinted} once the hint is set: kept out of it so that it inlines. */
    private Task pollInjectedMissCounted(Worker w, int level) {
        Task t = pollInjectedAbove(w, level);
        if (t != null) {
            w.hintMisses = 0;
        } else if (++w.hintMisses >= HINT_MISSES) {
            w.hintMisses = 0;
            injection.clearHintsBelow(level);
        }
        return t;
    }

    /**
     * Worker {@code w} only: an injected task of a priority level below (better
     * than) {@code level}, or null. Takes a batch, as tokio's
     * next_remote_task_batch does: up to the queue's length divided among the
     * carriers, plus one, at most half a ring and no more than fits in w's ring
     * of any level that may be taken; the first is returned, the rest go to the
     * back of w's ring of their level, where w runs them next and idle carriers
     * may steal them. So a carrier takes several of the JDK poller's or a
     * timer's wake-ups, or an overflowed batch, for one lock.
     */
    Task pollInjectedAbove(Worker w, int level) {
        if (!injection.hasAnyBelow(level)) {
            return null; // nothing queued below level: no flag CAS (search's common case when idle)
        }
        return pollInjectedBetween(w, 0, level);
    }

    /**
     * Worker {@code w} only, on its periodic look at the injection queues (Worker.next,
     * step 1): as {@link #pollInjectedHinted}{@code (w, LEVELS)}, except that an injected
     * level that such looks passed over STARVATION_LIMIT times in a row while it held
     * tasks (Worker.injectedStarved) is taken from instead of the best one. The rule of
     * the local levels, for the injection queues: without it a level the injection
     * queues never ran out of (HIGH threads overflowing a carrier's ring) kept every
     * worse injected level waiting for ever, so a LOW thread spawned or woken from
     * outside a carrier never ran under that load
     * (SchedulingTest.injectedLowPriorityProgressesUnderHighLoadThatOverflowsTheRing).
     * Costs a read of each level's counts once per look (every GLOBAL_INTERVAL
     * dispatches), and only while the hint says something is injected.
     */
    Task pollInjectedFair(Worker w) {
        if (!injection.maybeAnyBelow(LEVELS)) {
            return null;
        }
        int starved = w.injectedStarved(injection);
        if (starved >= 0) {
            Task t = pollInjectedBetween(w, starved, starved + 1);
            if (t != null) {
                w.hintMisses = 0;
                return t;
            }
        }
        return pollInjectedMissCounted(w, LEVELS);
    }

    /** {@link #pollInjectedAbove} for the levels from {@code from} (inclusive) to {@code level} (exclusive). */
    private Task pollInjectedBetween(Worker w, int from, int level) {
        int queued = injection.size();
        int max = Math.min(queued / carriers.length + 1, LocalQueue.CAPACITY / 2);
        if (max > 1) {
            for (int p = from; p < level; p++) {
                max = Math.min(max, w.levels[p].room() + 1);
            }
        }
        Task first = injection.pollBatch(from, level, Math.max(1, max), w.levels);
        if (first != null) {
            Task rest = InjectionQueue.unlinkNext(first);
            if (rest != null) {
                w.refill(rest);
            } else if (max > 1) {
                // Tasks of an array batch went straight into w's ring of their level
                // (InjectionQueue, "Array batches"): announce the level, as refill does.
                // Only a ring that holds tasks: a bit set over a level left empty changes
                // where a yielder goes and what the anti-starvation rule counts
                // (PreemptedPriorityTest). Every level taken from, not first's: a woken
                // event-actor dispatcher may carry another level than the queue it sat in
                // (Dispatcher.wakeAt), and its batch's ring left unannounced was run by
                // nobody but thieves.
                for (int p = from; p < level; p++) {
                    if (!w.levels[p].isEmpty()) {
                        w.levelMask |= 1 << p;
                    }
                }
            }
        }
        return first;
    }

    /** Any thread: the best priority level with injected work, or -1; a snapshot. */
    int bestInjectedLevel() {
        return injection.bestLevel();
    }

    /**
     * Any thread (diagnostics, benchmarks): the injection queue's counts so far,
     * {pushes of one task, batch pushes (overflows), tasks pushed, pops, tasks
     * popped}; a racy snapshot.
     *
     * @return the five counts
     */
    public long[] injectionCounts() {
        return injection.counts();
    }

    /**
     * A worker, after publishing work to its own queues or the injection queues
     * while it runs. With a single carrier (one worker, no spare alive) there is
     * nobody to wake: the only carrier is the caller, which takes that work itself, so the fence and the
     * reads of signalWork are skipped: every yield on a one-worker runtime paid
     * a full fence for nobody (measured: yield on one carrier went from 1.20x to
     * 1.07x the vt-floor in CPU time; BENCHMARKS.md).
     */
    void signalWorkFromOwner() {
        if (carriers.length > 1) {
            signalWork();
        }
    }

    /**
     * Worker {@code w} only, holding the task it took after its park() re-check
     * found work (step 5 of "Search and parking"): if more work is still visible,
     * wakes an idle carrier for it. Off the dispatch path: it runs once per
     * aborted park.
     */
    void signalIfWorkLeft(Worker w) {
        w.recheckFound = false;
        VarHandle.fullFence();
        if (hasVisibleWork()) {
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
            // A count for tests and diagnostics (the wake-up protocol's cost is measured
            // in these, not in time): kept by the woken carrier's counters, written only
            // under idleLock, which orders the writers; no shared atomic (it was one
            // AtomicLong that every carrier's signal wrote). Summed by wakeupsIssued().
            w.counters.wakeups++;
        }
        ticker.advanceIfSleeping(); // the clock w stamps slices from; the worker's wake-up before the ticker's
        w.unparkWorker();
        ticker.wakeIfSleeping();
    }

    /** Tests only: sets every spin phase's length, not adapted, in nanoseconds (0: searchers park after SEARCH_ROUNDS). */
    void spinNanos(long nanos) {
        spinNanos = nanos;
        spinFixed = true;
    }

    /**
     * Any thread: idle carriers signalWork has unparked so far (the carriers'
     * {@code wakeups} counters, summed; a statistic, as every WorkerCounters sum).
     *
     * @return the count so far, a snapshot
     */
    public long wakeupsIssued() {
        long n;
        synchronized (spareLock) {
            n = retiredCounters.wakeups;
        }
        for (Worker c : carriers) {
            n += c.counters.wakeups;
        }
        return n;
    }

    // ------------------------------------------------------------------ search and park

    /** Worker {@code w} only, when its own queues are empty. */
    Task search(Worker w) {
        if (!w.searching) {
            // Bound the searchers to half the workers (at least one), as tokio does:
            // more searchers only contend on the same victims.
            if (2 * searching.get() >= Math.max(carriers.length, 2)) {
                w.found = TraceEvent.FOUND_INJECTED;
                return takeInboxOrInjected(w);
            }
            searching.incrementAndGet();
            w.searching = true;
        }
        Faults.at(w, Faults.Site.SEARCH);
        WorkerCounters counters = w.counters;
        counters.searches++;
        Task found = null;
        long[] seen = w.stealSeen;
        long spinEnd = 0;
        long spinLength = spinFixed || !ADAPTIVE_SPIN ? spinNanos : Math.min(w.spinBudget, spinNanos);
        for (int round = 0; found == null && !terminating; round++) {
            if (round >= SEARCH_ROUNDS) {
                // Spin phase (see SPIN_NANOS): token kept, so producers wake nobody.
                // Not on one carrier (nobody to steal from), and not while a spare is
                // alive: a carrier is stalled then, and the CPU a spin takes is the
                // stalled carrier's, the spare's and the ticker's.
                Worker[] cs = carriers;
                if (cs.length < 2 || cs.length != workers.length || spinLength == 0) {
                    break;
                }
                long now = clock.nanoTime();
                if (spinEnd == 0) {
                    spinEnd = now + spinLength;
                    counters.spinPhases++;
                } else if (now - spinEnd >= 0) {
                    break;
                }
                counters.spinPasses++;
                for (int k = 0; k < SPIN_PAUSES; k++) {
                    Thread.onSpinWait();
                }
            }
            found = takeInboxOrInjected(w);
            w.found = TraceEvent.FOUND_INJECTED;
            if (found == null) {
                Worker[] victims = carriers;
                int n = victims.length;
                int start = n > 1 ? w.nextRandom(n) : 0;
                for (int i = 0; i < n && found == null; i++) {
                    Worker victim = victims[(start + i) % n];
                    if (victim != w) {
                        counters.stealProbes++;
                        // The spin phase leaves LIFO slots alone: a ping-pong pair's
                        // slot would be taken whenever its carrier runs a task longer
                        // than one pass (~1 us), moving the pair across cores.
                        found = victim.stealBy(w, seen, round < SEARCH_ROUNDS);
                        if (found != null) {
                            w.counters.steals++;
                            w.found = TraceEvent.FOUND_STOLEN;
                            TraceRing ring = w.traceOpaque();
                            if (ring != null) {
                                ring.put(TraceEvent.header(TraceEvent.STEAL, 0, 0, 0), Clock.SYSTEM.nanoTime(),
                                        victim.index, found.traceId());
                            }
                        }
                    }
                }
            }
            if (found == null) {
                Thread.onSpinWait();
            }
        }
        if (spinEnd != 0) {
            long spun = clock.nanoTime() - (spinEnd - spinLength);
            counters.spinNanos += spun;
            if (found != null) {
                counters.spinsFound++;
            }
            // The next spin's length (see "Adaptive spin" and SpinBudget).
            long credit = SpinBudget.credit(w.spinCredit, spun, found != null);
            w.spinCredit = credit;
            w.spinBudget = SpinBudget.next(spinLength, credit, found != null, spinNanos);
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

    /**
     * Worker {@code w} only: parks until notified (or terminating), unless work
     * appears while registering or {@code w} is a spare told to retire; true if
     * it parked (counted in {@code w.counters.parks}). See Worker, "Search and
     * idle state", for every transition made here.
     */
    boolean park(Worker w) {
        w.recheckFound = false;
        synchronized (idleLock) {
            if (w.retire) {
                return false;
            }
            w.idle = true;
            idleWorkers.addLast(w);
            idleCount = idleWorkers.size();
            w.parkRegistered = true;
        }
        Faults.at(w, Faults.Site.PARK);
        VarHandle.fullFence();
        if (hasVisibleWork() || w.hasInbox() || terminating) {
            synchronized (idleLock) {
                if (w.idle) {
                    w.idle = false;
                    idleWorkers.remove(w);
                    idleCount = idleWorkers.size();
                    ticker.wakeIfSleeping();
                    // Step (5): the re-check found work. A producer may have published
                    // it while w still held the last search token and so woken nobody;
                    // w takes one task, and must pass the rest on (see "Search and parking").
                    w.recheckFound = true;
                    w.parkRegistered = false;
                    return false;
                }
            }
            // A notifier (or a retirement) already took us off the list; it sets
            // notified right after releasing the lock, so wait for that below:
            // returning now would leave notified to be set later, and the next
            // park() would return at once while still registered as idle.
        }
        w.counters.parks++;
        while (!w.notified && !terminating) {
            LockSupport.park(this);
        }
        w.notified = false;
        w.parkRegistered = false;
        return true;
    }

    private boolean hasVisibleWork() {
        if (injection.size() != 0) {
            return true;
        }
        for (Worker v : carriers) {
            for (LocalQueue q : v.levels) {
                if (!q.isEmpty()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Any thread (PollerHost): true if a carrier is parked idle; a snapshot (one volatile read). */
    boolean hasIdleCarrier() {
        return idleCount != 0;
    }

    /** True if every carrier (cores and spares) is parked; a snapshot. */
    boolean allIdle() {
        return idleCount >= carriers.length;
    }

    /**
     * Any thread (the ticker): true if some task waits in an injection queue, a
     * carrier's queues or a carrier's LIFO slot or inbox, or is held back outside
     * them (see {@link #heldBackWork}); a snapshot. Every rule that
     * looks for waiting work (time slices, stalls and spares, the stranded-work
     * rescue that wakes an idle carrier to steal) uses this one, so a wake-up
     * parked in the LIFO slot of a carrier whose task runs on is never invisible.
     */
    boolean hasWaitingWork() {
        if (hasVisibleWork()) {
            return true;
        }
        for (Worker v : carriers) {
            if (v.lifoOpaque() != null || v.hasInbox()) {
                return true;
            }
        }
        BooleanSupplier h = heldBack;
        return h != null && h.getAsBoolean();
    }

    /**
     * Any thread, once (the runtime's event-actor dispatch): {@code probe} answers
     * whether work that is in none of this scheduler's queues waits behind a running
     * task (an event actor in the next slot of a dispatcher whose handler runs on).
     * {@link #hasWaitingWork()} counts it, so the time-slice rule asks that task to
     * yield, and the yield hands the work on.
     */
    public void heldBackWork(BooleanSupplier probe) {
        heldBack = probe;
    }

    // ------------------------------------------------------------------ lifecycle

    void workerStopped(Worker w) {
        if (!w.spare) {
            stopped.countDown();
        }
    }

    // ------------------------------------------------------------------ spare carriers

    /**
     * Ticker thread only (Sysmon): starts a spare carrier, or returns null if
     * {@code maxSpares} are alive or the scheduler is terminating. If the spare
     * cannot be started (Thread.start throws), its slot is free again and the
     * failure is thrown: the ticker reports it, and the next tick that sees the
     * stall tries again.
     */
    Worker startSpare() {
        Worker s;
        Worker[] before;
        Worker[] grown;
        synchronized (spareLock) {
            if (terminating) {
                return null;
            }
            int slot = -1;
            for (int i = 0; i < spares.length; i++) {
                if (spares[i] == null) {
                    slot = i;
                    break;
                }
            }
            if (slot < 0) {
                return null;
            }
            int index = workers.length + slot;
            s = new Worker(this, index, name + "-spare-" + slot, stackSize, true);
            s.setTraceOpaque(traceControl.ringOf(index)); // under spareLock, before start()
            spares[slot] = s;
            before = carriers;
            grown = java.util.Arrays.copyOf(before, before.length + 1);
            grown[before.length] = s;
            carriers = grown;
        }
        try {
            Faults.carrierStarting(s);
            s.start();
        } catch (Throwable t) {
            // Not started (no native thread): give its slot and its place among the
            // carriers back, or the slot stays taken by a carrier that never runs and
            // never retires. Its queues are empty: only its own thread fills them.
            synchronized (spareLock) {
                if (carriers == grown) {
                    carriers = before; // no allocation, the common case
                } else {
                    // Another spare retired meanwhile: drop s from the current array.
                    carriers = java.util.Arrays.stream(carriers).filter(c -> c != s).toArray(Worker[]::new);
                }
                spares[s.index - workers.length] = null;
            }
            throw t;
        }
        return s;
    }

    /**
     * Ticker thread only (Sysmon): asks spare {@code s} to retire after its
     * current task (steps in the class comment).
     */
    void retireSpare(Worker s) {
        synchronized (idleLock) {
            s.retire = true;
            if (s.idle) {
                s.idle = false;
                idleWorkers.remove(s);
                idleCount = idleWorkers.size();
            }
        }
        s.unparkWorker();
    }

    /**
     * Worker {@code w} only, after its own code threw (Worker, "Faults in the
     * carrier's own code"): takes it off the idle list if it is registered there,
     * and gives back its search token, if any, as endSearch does.
     */
    void carrierFaulted(Worker w) {
        boolean takenByNotifier;
        synchronized (idleLock) {
            takenByNotifier = w.parkRegistered && !w.idle;
            if (w.idle) {
                w.idle = false;
                idleWorkers.remove(w);
                idleCount = idleWorkers.size();
            }
        }
        if (takenByNotifier) {
            // The fault came inside park(), after w registered as idle, and a notifier
            // has taken w off the list: it sets notified right after its lock, so wait
            // for that store and consume it. Left set, it would make w's next park()
            // return at once while w is registered as idle again: w would then be on
            // the idle list twice, and a later signalWork popping the stale entry would
            // count a running carrier as searching and wake nobody (CarrierFaultTest,
            // a fault at PARK: 2 of 8 loaded runs lost the second carrier).
            while (!w.notified && !terminating) {
                Thread.onSpinWait();
            }
            w.notified = false;
        }
        w.parkRegistered = false;
        // Read after the lock: a notifier that took w off the list set searching under it.
        if (w.searching) {
            endSearch(w, true);
        }
    }

    /** Spare {@code s} only, between tasks, once its retire flag is set: steps 2-4 of retirement. */
    void retired(Worker s) {
        if (s.searching) {
            s.searching = false;
            searching.decrementAndGet();
        }
        s.drainToInjection();
        synchronized (spareLock) {
            Worker[] old = carriers;
            if (java.util.Arrays.asList(old).contains(s)) { // not if a failed retirement is retried
                Worker[] shrunk = new Worker[old.length - 1];
                int j = 0;
                for (Worker c : old) {
                    if (c != s) {
                        shrunk[j++] = c;
                    }
                }
                carriers = shrunk;
                retiredCounters.add(s.counters);
                retiredCounters.dispatchesRetired += s.dispatchCount();
            }
            if (spares[s.index - workers.length] == s) {
                spares[s.index - workers.length] = null;
            }
        }
        signalWork();
    }

    private Worker[] liveSpares() {
        synchronized (spareLock) {
            return java.util.Arrays.stream(spares).filter(java.util.Objects::nonNull).toArray(Worker[]::new);
        }
    }

    /**
     * The carriers at one moment and the summed counters of the spares retired by
     * then ({@link #carriersAndRetired}).
     *
     * @param carriers the carriers array (not to be modified)
     * @param retired  a copy of the retired spares' counters, {@link WorkerCounters#dispatchesRetired()} included
     */
    public record CarriersAndRetired(Worker[] carriers, WorkerCounters retired) {
    }

    /**
     * Any thread: the carriers now and a copy of the summed counters of the spares
     * that have retired, read together under the spare lock. A spare leaves the
     * carriers array and adds its counters to the retired totals in one hold of
     * that lock ({@link #retired}), so each spare is counted once: among the
     * carriers (its live counters) or in the totals. Read apart, a spare retiring
     * between the two reads was in neither, and the runtime's sums went down
     * (MetricsSpareRetireRaceTest).
     *
     * @return both
     */
    public CarriersAndRetired carriersAndRetired() {
        WorkerCounters c = new WorkerCounters();
        synchronized (spareLock) {
            c.add(retiredCounters);
            return new CarriersAndRetired(carriers, c);
        }
    }

    /** Any thread, a snapshot: tasks in the injection queues. */
    public int injectedDepth() {
        return injection.size();
    }

    public boolean isTerminating() {
        return terminating;
    }

    /** Any thread, before {@link #terminate}: see {@link #resumeOnDefault}. */
    public void resumeOnDefaultAfterTermination() {
        resumeOnDefault = true;
    }

    /** Any thread: see {@link #resumeOnDefault}. */
    public boolean resumesOnDefaultAfterTermination() {
        return resumeOnDefault;
    }

    /** Called by Sysmon: a worker whose dispatch count has not moved for a
     * whole tick while work sits in its queues, its LIFO slot or the injection
     * queues is stuck in one task: wake an idle carrier to take that work. */
    void rescueStranded(Worker w) {
        if (w.hasLocalWork() || injection.size() != 0) {
            signalWork();
        }
    }

    /**
     * Stops the workers and the ticker (steps in the class comment). Returns the
     * number of carriers that did not exit within {@code timeoutNanos} (stuck in
     * a task that never reaches a safepoint).
     * An interrupt of the caller, before or during, does not shorten its waits;
     * the interrupt status is set on return.
     *
     * @param onTerminating run once submissions are dropped, before the waits
     *        (the closer asks the threads it abandoned to yield)
     */
    public int terminate(long timeoutNanos, Runnable onTerminating) {
        synchronized (spareLock) {
            terminating = true;
        }
        // Submissions are dropped from here on: a task that yields now leaves its carrier for good.
        onTerminating.run();
        PollerHost host = PollerHost.INSTANCE;
        if (host != null) {
            // After terminating = true: every sub-poller task queued here, or about to
            // be, moves to another host or the JDK's default scheduler (PollerHost, "end").
            host.hostEnded(this);
        }
        for (Worker w : workers) {
            w.unparkWorker();
        }
        ticker.shutdown();
        long deadline = clock.nanoTime() + timeoutNanos;
        int stuckSpares = 0;
        // A close made on the ticker itself (a dead-letter handler called for a timer's send)
        // does not wait for it: it joined itself for the whole timeout. The ticker ends when
        // the callback returns, and withdraws its requests then (Ticker.run).
        boolean onTicker = Thread.currentThread() == ticker;
        boolean interrupted = !onTicker
                && awaitUninterruptibly(deadline, n -> ticker.join(TimeUnit.NANOSECONDS.toMillis(n) + 1));
        if (!onTicker && !ticker.isAlive()) {
            sysmon.withdrawAll();
        }
        Worker[] left = liveSpares();
        for (Worker s : left) {
            s.unparkWorker();
        }
        interrupted |= awaitUninterruptibly(deadline, n -> stopped.await(n, TimeUnit.NANOSECONDS));
        // A worker counts down as its loop ends and then still has to exit: joined too, so
        // no carrier thread is alive once close returns (LifecycleTest saw one alive right
        // after close, once, on a machine loaded 13 deep). One that is stuck costs 1 ms.
        for (Worker w : workers) {
            if (w != Thread.currentThread()) {
                interrupted |= awaitUninterruptibly(deadline, n -> w.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(n))));
            }
        }
        for (Worker s : left) {
            interrupted |= awaitUninterruptibly(deadline, n -> s.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(n))));
            if (s.isAlive()) {
                stuckSpares++;
            }
        }
        if (resumeOnDefault) {
            handOverQueued(left);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return (int) stopped.getCount() + stuckSpares;
    }

    /**
     * terminate during the JVM's shutdown ({@link #resumeOnDefault}), once the carriers
     * stopped: every task still queued (a stopped carrier's rings, LIFO and yielded
     * slots, the injection queues) goes to {@link Task#submittedAfterTermination}, as a
     * submission after termination does, instead of being dropped with the queues. A
     * green thread's dropped copy kept its token (GreenThread, "One queued copy") and the
     * thread was runnable, so nothing submitted it again: a thread in System.exit woken
     * (another shutdown hook, such as the JDK's LogManager cleaner, ended) just before
     * a hook's close stopped the carriers never ran again and the JVM never exited
     * (ExitDropsNoQueuedTaskTest). A carrier still alive (stuck in a task) keeps its
     * own queues. terminate only; a late submitter from outside drains the injection
     * queues alone (handOverInjected).
     */
    private void handOverQueued(Worker[] spares) {
        handingOver = true; // before the drains: see submitFromElsewhere's late inject
        for (Worker w : workers) {
            if (!w.isAlive()) {
                w.drainToInjection(); // its owner has ended (joined): the queues are this thread's now
            }
        }
        for (Worker s : spares) {
            if (!s.isAlive()) {
                s.drainToInjection();
            }
        }
        handOverInjected();
    }

    /**
     * terminate (handOverQueued), or a submitter from outside whose inject came after
     * handingOver was set (submitFromElsewhere): every task in the injection queues goes
     * to {@link Task#submittedAfterTermination}. Both may drain at once: the queue's
     * consumer flag gives each task to one of them (exactly once), and one that finds
     * the flag taken looks again while the counts say a task is left.
     */
    private void handOverInjected() {
        // pollBatch returns null while a producer is half-way: a few more looks, then what is left stays.
        for (int misses = 0; misses < 1_000 && injection.size() != 0; ) {
            Task t = injection.pollBatch(LEVELS, Integer.MAX_VALUE);
            if (t == null) {
                misses++;
                Thread.onSpinWait();
                continue;
            }
            while (t != null) {
                Task next = InjectionQueue.unlinkNext(t);
                try {
                    t.submittedAfterTermination();
                } catch (Throwable e) {
                    reportInternalError(e);
                }
                t = next;
            }
        }
    }

    /** One of terminate's waits, for at most {@code nanos}. */
    private interface TimedWait {
        void await(long nanos) throws InterruptedException;
    }

    /**
     * terminate's waits, until {@code deadline}: an interrupt of the closer does
     * not cut one short (Verdant.close waits as ExecutorService.close does); the
     * wait is made again for the time left. Returns whether an interrupt came
     * (then cleared; terminate sets it again before it returns).
     */
    private boolean awaitUninterruptibly(long deadline, TimedWait wait) {
        boolean interrupted = false;
        for (;;) {
            try {
                wait.await(Math.max(0, deadline - clock.nanoTime()));
                return interrupted;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
    }

    void reportInternalError(Throwable t) {
        internalErrors.accept(t);
    }

    /** Any thread: counts one foreign submission (a diagnostics counter; atomic so none is lost). */
    private void getAndIncrementForeign() {
        FOREIGN.getAndAdd(this, 1L);
    }

    /** Any thread. */
    private long foreignVolatile() {
        return (long) FOREIGN.getVolatile(this);
    }

    private static final java.lang.invoke.VarHandle FOREIGN;
    private static final java.lang.invoke.VarHandle POLLER_RESCUES;
    private static final java.lang.invoke.VarHandle POLLER_RUNS;
    static {
        try {
            FOREIGN = java.lang.invoke.MethodHandles.lookup().findVarHandle(Scheduler.class, "foreign", long.class);
            POLLER_RESCUES = java.lang.invoke.MethodHandles.lookup().findVarHandle(Scheduler.class, "pollerRescues", long.class);
            POLLER_RUNS = java.lang.invoke.MethodHandles.lookup().findVarHandle(Scheduler.class, "pollerRuns", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
