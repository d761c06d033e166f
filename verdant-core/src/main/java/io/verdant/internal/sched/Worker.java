package io.verdant.internal.sched;

import io.verdant.internal.obs.TraceEvent;
import io.verdant.internal.obs.TraceRing;
import io.verdant.internal.timer.Clock;
import io.verdant.internal.vthread.VirtualThreads;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A carrier thread: a platform thread that runs green threads (and foreign
 * virtual-thread continuations) taken from its own queues, the runtime's
 * injection queues, and other workers' queues.
 *
 * <pre>
 * Queues owned by this worker
 *   levels[p]  one {@link LocalQueue} per priority (0 = CRITICAL .. 3 = LOW). A
 *              push into a full ring moves its older half to the injection
 *              queue as one batch (LocalQueue, "Overflow"); a take from the
 *              injection queue brings a batch back into the ring (refill).
 *   levelMask  bit p set when levels[p] may be non-empty. Owner-only plain int:
 *              set on push, cleared when a pop finds the level empty or takes
 *              its last task (LocalQueue.emptied), so a thread that yields alone
 *              finds it clear (see Scheduler.submit). Stealers never clear it, so it may have stale
 *              set bits (a thief emptied the level), never a stale clear bit for
 *              work the owner pushed: only the owner adds to its levels.
 *   lifo       a green thread woken by the green thread running here while
 *              nothing else was runnable here (levels and slot empty; not by a
 *              finishing thread: see queueWakeups); it runs next (ping-pong
 *              locality). A wake-up that finds other work queued goes behind it
 *              instead (Scheduler, "Wake-ups behind queued work"). Filled only by
 *              the owner and only when empty (a release store), taken with
 *              getAndSet by the owner; an idle worker may take it (getAndSet) if
 *              this worker has not dispatched anything for a whole steal pass,
 *              so work parked in the slot behind a long-running task is never
 *              stranded (tokio issue #4941); the ticker may take it (a CAS from
 *              the task it saw) for Sysmon's priority rule c (takeWaiting).
 *
 * Dispatch order (owner)
 *   1. every GLOBAL_INTERVAL dispatches, or when Sysmon has just asked the task
 *      running here to yield at the end of its slice (injectedFirst; not when it
 *      asked for better work queued here: that runs first), the injection queues first
 *      (fairness between local and remote work: without the second rule, work
 *      injected behind CPU-bound threads that yield every 10 ms slice would
 *      wait up to 61 slices); the best injected level, except that one passed
 *      over by STARVATION_LIMIT such looks in a row while it held tasks is
 *      taken from instead (Scheduler.pollInjectedFair: step 3 for the
 *      injection queues, whose HIGH level a ring's overflow can keep full);
 *   1b. an injected task of strictly higher priority than all local work
 *      (one opaque read of the injection queue's hint when nothing is injected:
 *      Scheduler.pollInjectedHinted, used at steps 1, 1b and 5): a
 *      HIGH thread woken by a timer or a platform thread is not queued behind
 *      local LOW work once priority preemption has freed this carrier;
 *   2. the LIFO slot, if its priority is at least the best local level and
 *      fewer than LIFO_LIMIT LIFO runs happened in a row; a slot's task of a
 *      worse priority than the best local level goes to the back of its level
 *      first (lifoBehindBetterWork), so step 3 counts it;
 *   3. anti-starvation: a non-empty level passed over STARVATION_LIMIT times
 *      in a row is served next;
 *   4. the best non-empty local level (numberOfTrailingZeros of levelMask);
 *   5. the injection queues (a batch: the first runs, the rest join this
 *      worker's ring; Scheduler.pollInjectedAbove), then stealing, then parking.
 *
 * Counters read by other threads
 *   dispatches  incremented (plain, owner) per dispatch; read opaquely by other
 *               workers (LIFO steal rule) and by the ticker (time slices).
 *   current     the task being run, published with a release store after the
 *               dispatch count (the ticker reads it first, acquire, then the
 *               count: Sysmon, "Observation"); cleared opaquely; for diagnostics
 *               and the ticker, never for correctness. A traced slice clears it before
 *               publishing its SLICE event, so a stopping trace that sees the
 *               event sees it cleared (TraceControl.slicesInFlight).
 *   counters    statistics for Verdant.metrics(): plain fields, one writer each
 *               (this carrier; busyTicks the ticker), none on the dispatch path;
 *               see {@link WorkerCounters} for the readers' memory ordering.
 *
 * Tracing (see {@link TraceControl} and io.verdant.internal.obs.TraceRing)
 *   trace      this carrier's ring while a trace or the flight recorder records,
 *              else null. Written by TraceControl under the scheduler's spareLock
 *              (or before start() for a spare), read opaquely by the owner once per
 *              turn, and again after an untraced turn took its task: with the trace
 *              off, those two reads, their null tests and one store of found are
 *              its whole cost (nothing else is stored per dispatch or per yield).
 *              A change is seen at the latest a few dispatches later (opaque reads
 *              are eventually fresh), which only moves where a trace begins or ends.
 *              The second read comes after the task was taken (from a queue, or by a
 *              search that may spin for microseconds), so a thread spawned after
 *              startTrace() returned is traced from its first slice even when the
 *              carrier's turn began before the start: taking the task acquires what
 *              its spawner released, startTrace()'s ring store included
 *              (TraceStartRaceTest holds a carrier at each of the two places).
 *              TraceControl.COMPILED_IN false (-Dverdant.trace=false, a benchmarking
 *              switch) makes the read a constant null.
 *   found      owner only: 0 before next() in every turn (a turn that began untraced
 *              may become traced after it, above), set
 *              only where a task comes from the injection queues or a steal (paths
 *              that paid an atomic already); otherwise how the task was found is
 *              derived after the fact: the task that was in the yielded slot or the
 *              LIFO slot before next() (kept in turns()'s locals, not in fields:
 *              a reference store into this object would pay a GC barrier per
 *              dispatch) came from there, any other from the local queues.
 *   slicesOpened, slicesClosed
 *              owner writes, any thread reads (TraceControl.slicesInFlight, when a
 *              trace stops): traced slices begun on this carrier (beginTraced,
 *              opaque) and those whose SLICE event is published (endTraced, a
 *              release store right after the SLICE; also a traced turn whose task
 *              did not run, and recover()). A stop that reads them unequal waits
 *              until closed reaches the opened count it read (acquire): the SLICE
 *              is then visible to its last drain. current alone could not say it:
 *              cleared before the SLICE (runTask), a stop that read in between saw
 *              neither the task nor its SLICE and did not wait (the last slice of a
 *              thread that exits after join() returned to the stopper was lost,
 *              and the arrow of the wake-up into it: TraceSearchingCarrierTest and
 *              TraceWakeSourcesTest under load); cleared after it, a stop that read
 *              in between took an ended slice for a running one (TraceStopInFlightTest).
 *              Two stores per traced slice; nothing on an untraced turn.
 *   slicesInFlight (TraceControl) also reads current, the ring's published
 *              count and stampedRing: nothing else is written for it.
 *   sliceBegin, stampedRing, stampRun, stampCoarse
 *              owner only, while tracing. The end of a slice (or of an idle period)
 *              is the begin of the next one on this carrier, so the scheduler's own
 *              work between two slices is counted in the second; except for a task
 *              found in the injection queues or by a steal, whose slice begins at a
 *              fresh clock read: it may have been made runnable (by another thread,
 *              whose wake-up event carries that thread's earlier clock read) while
 *              this carrier searched, and an export links a wake-up to the first
 *              slice of the woken thread that begins after it. A slice's end is a
 *              clock read only every STAMP_EVERY slices (stampRun counts the slices
 *              since the last read) or when Ticker.coarseNanos moved since it
 *              (stampCoarse: a slice that may have run a tick or more ends at a
 *              read), unless Task.worker says the thread was dispatched on another
 *              carrier before the read (which then came after that slice began);
 *              any other end is the slice's begin plus 1 ns, flagged
 *              TraceEvent.ESTIMATED: a lower bound of the true time (a dispatch takes
 *              far more than 1 ns), strictly increasing along the carrier, so every
 *              ordering the exports rely on holds (TraceEvent, "Estimated times";
 *              SliceTimes spreads the estimates for display). sliceBegin holds the
 *              begin of the running slice (WAKE and SPAWN events carry it) and,
 *              between slices, the last end; stampedRing is the serial number of the
 *              ring it was stamped for: a newly installed ring (rings are never
 *              reused) starts from a fresh clock read. A JDK sub-poller hosted on
 *              this carrier that records a wake-up (a clock read of its own) makes
 *              its slice end at a read too (stampSliceEnd): the woken thread is
 *              queued here and begins after that end.
 *   foldedWake owner only (the loop, and Scheduler.submit on this OS thread): the
 *              task id of the first thread the running traced slice woke, 0 for
 *              none. Written as the SLICE's fourth word and cleared at the slice's
 *              end: a slice that woke one thread writes one event, not two
 *              (TraceEvent, "Folded wake-up").
 *   traceHonoured, tracePriority, traceTail
 *              owner only: beginTraced notes them before a traced dispatch and
 *              endTraced compares after it (preemptions honoured, the task's level
 *              and that level's tail). A traced turn calls beginTraced, the same
 *              runTask as an untraced turn, then endTraced: the continuation runs
 *              from the carrier loop's own compiled frame (runTask inlined into
 *              turns) in both. A method that wrapped the dispatch (as
 *              dispatchTraced did) is compiled on its own and called, and a
 *              dispatch from it cost about 8 ns more (measured with the body reduced
 *              to the dispatch alone: TraceProbe, flight recorder, yield 1 worker).
 *   Why a traced slice ended is read off what it left behind: the continuation
 *   is gone (done), the carrier's preemption count moved (preempt), the task is
 *   in the yielded slot or was the last task pushed to its local level during
 *   the slice (yield; a re-submission that overflowed to the injection queues, or
 *   one to another level after the task changed its priority in the slice, is
 *   recorded as a park), it has a park blocker (park: the blocker is read first,
 *   so the common park costs no state read), its virtual thread terminated
 *   (exit), else it parked (without a blocker). A blocker and an exit are taken
 *   only while Task.worker is still this carrier: otherwise the thread was woken
 *   and ran on another carrier before this one wrote the slice, and they are
 *   that later run's (the slice is then a park, on nothing known).
 *   Events are written only by this carrier's OS thread: by the loop (SLICE, IDLE,
 *   STEAL) and by green-thread code running here (WAKE, SPAWN, in Scheduler.submit),
 *   which runs in sequence with the loop: one writer per ring.
 *
 * Flags written by other threads
 *   injectedFirst  set (opaque) by Sysmon when it requests preemption of the task
 *                  running here for its time slice (not for better local work);
 *                  read and cleared by the owner in next().
 *                  Also set by a submitter that pushed to this carrier's inbox.
 *   retire         spares only: set by Sysmon under the idle lock; read by the
 *                  owner between tasks (see Scheduler, "Carriers").
 *   inbox          a JDK sub-poller's submissions sent to this carrier, its home
 *                  (PollerHost, "Home carriers"), by a thread other than this
 *                  carrier: a stack of tasks linked through Task.next, pushed by
 *                  CAS (any thread), taken whole by getAndSet: by the owner
 *                  (next() when injectedFirst is set or every GLOBAL_INTERVAL
 *                  dispatches, its own search, park()'s re-check) or by another
 *                  carrier once the newest task has waited INBOX_GRACE_NANOS (a
 *                  searching one in stealBy; a busy one, which never searches,
 *                  every GLOBAL_INTERVAL dispatches in takeLateInbox) (a home
 *                  that runs takes it within a dispatch; one whose OS thread is
 *                  descheduled, or held by a long task, does not). The first
 *                  task taken runs; the rest go to the taker's local ring.
 *                  Progress: the pusher wakes this carrier if it is idle (a
 *                  Dekker pair with park()'s re-check of its own inbox); a full
 *                  inbox is waiting work for Sysmon's rules (hasLocalWork: the
 *                  stranded-work rescue wakes a carrier, which takes it after the
 *                  grace), as the LIFO slot is (Scheduler.sendHome).
 *
 * A small ring (stealBy; issue 11, spawn at 2 workers)
 *   A searching carrier that finds a victim's ring holding fewer than STEAL_MIN
 *   tasks while the victim runs a task (current not null) leaves them to the
 *   victim, and steals nothing of a worse level from it instead, until it has
 *   seen such a ring there for LAST_TASK_GRACE_NANOS (runtime clock) without
 *   running anything itself meanwhile; then it steals as before (half, from the
 *   head: the newest stays). A ring of STEAL_MIN or more, or any ring of an
 *   owner that runs nothing, is stolen at once. Why: a thread that spawns in a
 *   loop fills its carrier's ring a child at a time, and a thief that took
 *   whatever was there kept the ring near empty: 233-510 steals per 1,000
 *   children of `spawn` at 2 workers, each a CAS on the spawner's ring and a
 *   read of slots and children still in the spawner's core's cache, two or
 *   three children at a time. Waiting for STEAL_MIN, the thief takes 16 at a
 *   time (44-48 steals per 1,000): 141-193 ns per child against 244-317 (CPU
 *   259-357 against 455-614), one JVM per run, 2026-12-04 (BENCHMARKS.md,
 *   spawn). The rule began (2026-12-03) as "a ring's last task" (STEAL_MIN 2):
 *   a spawner made to yield by back-pressure (Scheduler, "Back-pressure on a
 *   spawner") ends up its ring's last task behind its children, and stolen
 *   then it moves to the other carrier, away from the lines of its stack and
 *   of the children it just made.
 *   Per victim, thief-owned: smallRingSeen (the thief's own dispatch count when
 *   leaving began, NOT_WAITING otherwise) and smallRingSince (when); reset when
 *   the thief steals from the victim or finds it without such a ring. It counts
 *   the ring, not its tasks: yielders alternating through the ring of a carrier
 *   (always one queued, a different one each time) are still taken after the
 *   grace.
 *   Progress: the thief does not park while the tasks are there (park()'s
 *   re-check sees a non-empty ring and returns to search), and no rule can
 *   postpone them past the grace: an idle carrier takes them within
 *   LAST_TASK_GRACE_NANOS plus a search, or their owner runs them
 *   (SmallRingStealTest). The stalled-carrier rules (Sysmon's rescue, spares)
 *   steal through the same path and wait the same grace at most.
 *
 * Parking
 *   See {@link Scheduler}: a worker registers as idle, re-checks every queue,
 *   then parks until {@code notified} is set; Dekker-style fences on both sides
 *   make a wake-up impossible to lose.
 *
 * Search and idle state (the flags idle, searching, notified, retire)
 *   Four fields, not one state word: each has its own guard and partner, and a
 *   CAS word would replace none of them. idle must change atomically with the
 *   idle list (so under idleLock, CAS or not); searching is paired with the
 *   scheduler's searching count (the token); notified is the park/unpark
 *   handshake; retire is a one-way request. The dispatch path reads only
 *   searching (plain, owner) and retire (volatile, once per turn, on a spare
 *   only: a core tests the final spare first); a state word would not make
 *   that cheaper, and would turn the plain writes made under the lock into
 *   CASes. So the protocol keeps the fields and this table is
 *   its specification: every write of one of them is a row below.
 *
 *   field      kind      guard / ordering                 read by
 *   idle       plain     idleLock (with idleWorkers,      the writers, under idleLock
 *                        idleCount)
 *   searching  plain     owner; or a notifier under       the owner (turn, search,
 *                        idleLock while the worker is     carrierFaulted, retired)
 *                        off the list and parked: it
 *                        reaches the owner through the
 *                        notifier's volatile notified=true
 *   notified   volatile  set true by unparkWorker()       the owner, in park()
 *                        before LockSupport.unpark;       and carrierFaulted
 *                        set false by the owner in park(),
 *                        or in carrierFaulted after a fault
 *                        inside park() whose entry a
 *                        notifier had taken
 *   retire     volatile  set once (true) under idleLock   a spare owner: turns() each turn,
 *                        by Sysmon; never cleared         park() under idleLock
 *
 *   state      idle searching  meaning
 *   RUNNING    F    F          running a task, or about to look for one
 *   SEARCHING  F    T          holds one of the scheduler's search tokens
 *   IDLE       T    F          in the idle list (parked, or about to park)
 *   (T, T) never happens: a worker registers as idle only after endSearch
 *   (search() always ends with endSearch; park() is only called after search()
 *   returned null), and signalWork clears idle before it sets searching.
 *
 *   transition             by, where                    how (fence)
 *   RUNNING -> SEARCHING   owner, search()              searching.incrementAndGet (volatile
 *                                                       RMW), then searching = true; refused
 *                                                       (stays RUNNING, polls the injection
 *                                                       queues once) while half the carriers
 *                                                       (at least one) already search
 *   SEARCHING -> RUNNING   owner, endSearch(): from     searching = false, then
 *                          search(), or from turns()    searching.decrementAndGet; if it was
 *                          when a notified worker       the last searcher and found work:
 *                          found work in its own or     signalWork() (full fence)
 *                          the injection queues
 *   SEARCHING -> RUNNING   owner, carrierFaulted()      after the idleLock section (so a token
 *                                                       a notifier gave under it is seen):
 *                                                       endSearch(found = true)
 *   SEARCHING -> (gone)    spare owner, retired()       searching = false, decrementAndGet;
 *                                                       no signal here: retired() ends with
 *                                                       signalWork() anyway
 *   RUNNING -> IDLE        owner, park()                under idleLock, unless retire:
 *                                                       idle = true, addLast, idleCount
 *                                                       (volatile); then fullFence and the
 *                                                       re-check of every queue (the Dekker
 *                                                       pair with signalWork's fullFence)
 *   IDLE -> RUNNING        owner, park()                the re-check found work (or
 *                                                       terminating): under idleLock, only
 *                                                       if still idle, removes itself and
 *                                                       sets recheckFound (owner-only plain):
 *                                                       the next task it takes is followed by
 *                                                       signalIfWorkLeft (Scheduler, step 5)
 *   IDLE -> SEARCHING      a notifier, signalWork()     fullFence, reads searching count and
 *                                                       idleCount; under idleLock: pollFirst,
 *                                                       idle = false, searching = true,
 *                                                       searching.incrementAndGet; after the
 *                                                       lock: notified = true (volatile), unpark
 *   IDLE -> RUNNING        Sysmon, retireSpare()        under idleLock: retire = true, idle =
 *                                                       false, removed; after: notified = true,
 *                                                       unpark (the spare then retires)
 *   IDLE -> RUNNING        owner, carrierFaulted()      under idleLock, if still idle: removed
 *                                                       (a fault between registering and parking)
 *   any -> (exit)          Scheduler.terminate          terminating = true (volatile), then
 *                                                       notified = true and unpark for every
 *                                                       core; spares after the ticker stopped.
 *                                                       A parked worker leaves its park loop on
 *                                                       either flag; the idle list is not
 *                                                       cleaned (nothing reads it afterwards)
 *   Consuming notified: park() returns true only after it saw notified (then
 *   clears it) or terminating; it returns false only having removed itself
 *   from the list, or because retire was set. A notifier that took the worker
 *   off the list while the worker's re-check found work sets notified right
 *   after releasing idleLock, so park() waits for it rather than returning
 *   (returning would leave a late notified = true that made the next park()
 *   return at once while registered as idle).
 *   notified = true outside these rows (terminate, or retireSpare on a spare
 *   that is running) is harmless: the worker exits, or retires, before it
 *   parks again.

 * Faults in the carrier's own code
 *   A task's failure is caught around its dispatch. Anything else that throws
 *   inside the loop (next(), search(), park(), the error logger: a defect, or
 *   an OutOfMemoryError) is caught by run(), and recover() hands back what the
 *   carrier held: it leaves the idle list if it was registered, gives back its
 *   search token if it had one (then signalWork(), as endSearch does: work may
 *   wait that it would have found), clears {@code current}, reports the
 *   failure and carries on. So a carrier never dies of its own bookkeeping,
 *   and a dead carrier can never keep the token that makes every later
 *   signalWork() wake nobody. Tests inject such faults with {@link Faults}.
 * </pre>
 */
public final class Worker extends Thread {
    /** Slice ends per clock read at most while tracing (see "Tracing"); the others are estimated.
     * 64: the read's cost (20-29 ns on a VM) spread over 64 slices is under 0.5 ns per
     * dispatch (it was 16, about 1.8 ns). Precision is kept by the other rule: a slice end
     * is read whenever the ticker's coarse clock moved since the last read, so an estimated
     * slice never hides a tick or more; 64 estimated slices of a switch loop span some 10 µs. */
    static final int STAMP_EVERY = 64;

    /** Consecutive LIFO-slot runs before the worker goes back to its queue
     * (tokio uses 3): bounds how long a ping-pong pair can starve the queue. A
     * wake-up takes the slot only when nothing is queued, so the bound acts only
     * when a thread filled the slot and then queued work before it unmounted. */
    static final int LIFO_LIMIT = 3;
    /** Check the injection queues first every this many dispatches (61, as Go
     * and tokio: prime, so it does not resonate with periodic workloads). */
    static final int GLOBAL_INTERVAL = 61;
    /** A level skipped this many times in a row while non-empty is served next,
     * so LOW keeps at least ~1/(1+16) of a worker's dispatches under saturating
     * higher-priority load. Chosen, not measured. */
    static final int STARVATION_LIMIT = 16;
    /** Pause after a fault in the carrier's own code (see {@link #recover}): one
     * tick, so a fault that repeats at every turn costs at most ~1000 turns and
     * log records a second instead of a spinning core. Chosen, not measured. */
    private static final long FAULT_PAUSE_NANOS = Ticker.TICK_NANOS;
    /** How long a searching carrier leaves a small ring to its running owner (see
     * "A small ring"): several short tasks' time (a no-op child's start, run and
     * exit take well under a microsecond), a quarter of the longest spin. Chosen, not tuned. */
    static final long LAST_TASK_GRACE_NANOS = 5_000;
    /**
     * The grace in force: LAST_TASK_GRACE_NANOS, or {@code -Dverdant.lastTaskGrace=<ns>}
     * (0 turns the rule off). A benchmarking switch, not an API; not final so that a
     * test or a comparison in one process can change it (read once per look, off the
     * dispatch path).
     */
    static long lastTaskGrace = Long.getLong("verdant.lastTaskGrace", LAST_TASK_GRACE_NANOS);
    /** A ring with fewer tasks than this is small ("A small ring"): 32, an eighth of
     * LocalQueue.CAPACITY, so a thief takes at least 16 at a time without waiting. `spawn` at
     * 2 workers, ns per child, one JVM per run (2026-12-04): 2 (the rule's first form) 244,
     * 273, 317; 8: 210, 236; 16: 224; 32: 141, 170, 179, 193; 64: 189; 128: 174. */
    static final int STEAL_MIN = 32;
    /**
     * The bound in force: STEAL_MIN, or {@code -Dverdant.stealMin=<n>} (2 leaves only a
     * single task, the rule's first form; 1 turns it off). A benchmarking switch, not an
     * API; not final, as {@link #lastTaskGrace}.
     */
    static int stealMin = Math.max(1, Integer.getInteger("verdant.stealMin", STEAL_MIN));
    /**
     * How long a thief leaves a task in another carrier's inbox to that carrier, its
     * home (see "Flags written by other threads"): a few HTTP requests' dispatches
     * (about 4-6 us each on the VM of BENCHMARKS.md), below an OS time slice, the
     * longest spin phase's length. Chosen, not tuned.
     */
    static final long INBOX_GRACE_NANOS = 20_000;
    /** smallRingSeen's value for "not leaving a ring there": no dispatch count is negative. */
    private static final long NOT_WAITING = -1;

    final Scheduler scheduler;
    final int index;
    /** True for a spare carrier started by Sysmon in place of a stalled one. */
    final boolean spare;
    /** Spares only: leave after the current task (see Scheduler, "Carriers"). */
    volatile boolean retire;
    @SuppressWarnings("unused") private volatile boolean injectedFirst;
    final LocalQueue[] levels = new LocalQueue[Scheduler.LEVELS];
    int levelMask;
    private final int[] skipped = new int[Scheduler.LEVELS];
    /** Owner only: per injection level, the periodic looks at the injection queues in a
     * row that found it holding tasks and a better level too (injectedStarved). */
    private final int[] injectedSkipped = new int[Scheduler.LEVELS];
    private int lifoRuns;
    /** Owner only (Scheduler.pollInjectedHinted): looks in a row that found the injection
     * queue's hint set and nothing to take. */
    int hintMisses;
    /** Owner only: a task that re-submitted itself from this carrier (Thread.yield,
     * or a park that found its permit) while no other local work was queued. It is
     * invisible to thieves, so a thread yielding alone never bounces between cores;
     * it runs after injected work, before stealing. */
    Task yielded;
    /** Owner only (set and cleared by the green thread running on this carrier):
     * while true, wake-ups made by the running task go to the back of the local
     * queue instead of the LIFO slot; see {@link #queueWakeups}. */
    boolean wakeToQueue;
    /** Owner only (set by Scheduler.submit on the spawn path, read and cleared by the
     * spawning green thread right after its spawn, both on this carrier's OS thread):
     * a spawn made here overflowed the local ring; see Scheduler, "Back-pressure on a
     * spawner". A flag left set by a spawner preempted between its push and its check
     * costs the next spawner that checks here one extra yield, nothing else. */
    boolean spawnOverflowed;
    /** Owner only (countSpawn): the dispatch count at the running task's first spawn, and
     * how many spawns it has made since in that dispatch. */
    private long spawnDispatch = -1;
    private int spawnsInDispatch;
    /** Owner only (read and written only by green threads running on this carrier, in
     * sequence): one channel node kept for the next plain channel operation that parks
     * here, so a hand-off allocates nothing (see io.verdant.internal.chan.ChannelImpl,
     * "Node reuse"). An Object: the scheduler knows no channel types. */
    public Object spareNode;
    /** Owner only (this carrier's OS thread, in sequence): the green thread whose continuation
     * this carrier runs now (the JDK's runContinuation, its afterYield included) while that
     * thread's dispatch holds its queued-copy token, as that thread's trace id (Task.traceId:
     * its pid's index and generation, unique in this carrier's runtime but not across
     * runtimes, so a reader compares the runtime too); 0 otherwise. The
     * dispatch sets it just before the continuation runs; the thread's own execute() from this
     * carrier in that run (Thread.yield, a park that found its permit, a monitor unblocked while
     * blocking: the JDK's afterYield) clears it, the token passing to the new copy; the dispatch
     * reads and clears it once the continuation returns, before anything else (GreenThread,
     * "One queued copy"). Per carrier, not per thread: the new copy may run on another carrier
     * before this dispatch returns, and re-submit itself there. A number, not the thread: a
     * reference stored into this long-lived object on every dispatch paid G1's post-write
     * barrier, whose StoreLoad fence runs once the carrier is in an old region (issue 11). */
    public long tokenRun;
    @SuppressWarnings("unused") private volatile Task lifo;
    /** Sub-poller tasks sent here from other threads (see "Flags written by other threads"). */
    @SuppressWarnings("unused") private volatile Task inbox;
    @SuppressWarnings("unused") private volatile long dispatches;
    @SuppressWarnings("unused") private volatile Task current;
    private int randomSeed;

    /** Set by a notifier before unparking this worker; cleared by the worker. */
    volatile boolean notified;
    /** Guarded by the scheduler's idle lock. */
    boolean idle;
    /** Owner, or a notifier holding the idle lock while this worker is parked
     * (published to it by the volatile write of {@code notified}). */
    boolean searching;
    /** Owner only: victims' dispatch counts at this worker's previous steal pass. */
    final long[] stealSeen;
    /** Owner only, per victim (see "A small ring"): this carrier's own dispatch count
     * when it began leaving that victim's small ring, or NOT_WAITING. */
    final long[] smallRingSeen;
    /** Owner only, per victim: the runtime clock's time that leaving began (valid while smallRingSeen is set). */
    final long[] smallRingSince;
    /** Owner only: between park()'s registration on the idle list and its return
     * (Scheduler.carrierFaulted reads it after a fault inside park()). */
    boolean parkRegistered;
    /** Owner only: the last park() was abandoned because its re-check found work;
     * the next task taken passes on what is left (Scheduler.signalIfWorkLeft). */
    boolean recheckFound;
    /** Owner only: the length of this carrier's next spin phase, in nanoseconds (Scheduler, "Adaptive spin"). */
    long spinBudget = Scheduler.SPIN_NANOS;
    /** Owner only: spin time paid for by finds, less spin time spent, in nanoseconds (SpinBudget). */
    long spinCredit;
    /** Owner only: the last turn parked and was woken (a following empty turn is a no-op wake-up). */
    private boolean woken;
    /** Statistics written by this carrier only, read by anyone (see {@link WorkerCounters}). */
    public final WorkerCounters counters = new WorkerCounters();
    /** This carrier's trace ring, or null (see "Tracing" in the class comment). */
    @SuppressWarnings("unused") private volatile TraceRing trace;
    /** Owner only, reset every turn, read in traced ones: how the task about to run was found
     * (a TraceEvent.FOUND_ code), or 0 to derive it (see "Tracing"). */
    int found;
    /** Owner only, while a trace records: Clock.SYSTEM (System.nanoTime) when the running slice
     * began; between slices, when the last one ended (see "Tracing"). */
    long sliceBegin;
    /** Owner only: the serial number of the ring {@link #sliceBegin} was stamped for, 0 for
     * none (Scheduler.submit records a WAKE or SPAWN only in a slice traced into the ring
     * installed now). A number, not the ring: a removed ring is not kept alive by it. */
    long stampedRing;
    /** Traced slices begun here; owner writes (opaque), a stopping trace reads (see "Tracing"). */
    @SuppressWarnings("unused") private long slicesOpened;
    /** Traced slices whose SLICE is published; owner writes (release), a stopping trace reads (see "Tracing"). */
    @SuppressWarnings("unused") private long slicesClosed;
    /** Owner only, while a trace records: slice ends stamped since the last clock read (see "Tracing"). */
    private int stampRun;
    /** Owner only, while a trace records: Ticker.coarseNanos at the last clock read (see "Tracing"). */
    private long stampCoarse;

    /**
     * Owner only (Scheduler.submit, for a JDK sub-poller running on this carrier that
     * recorded a wake-up with its own clock read): the running slice ends at a clock
     * read, not an estimate, so the woken thread's slice, which begins at or after
     * that end on this carrier, begins after the wake-up (see "Tracing").
     */
    void stampSliceEnd() {
        stampRun = STAMP_EVERY;
    }

    /** Owner only, while tracing: a clock read, from which the next estimated slice ends count (see "Tracing"). */
    private long readClock() {
        stampRun = 0;
        stampCoarse = Ticker.coarseNanos;
        return Clock.SYSTEM.nanoTime();
    }
    /** Owner only: the first thread the running traced slice woke, 0 for none (see "Tracing"). */
    long foldedWake;
    /** Owner only, during a traced slice: the preemptions honoured, the task's priority level and
     * that level's tail at its begin (beginTraced), for endTraced to tell why it ended. */
    private long traceHonoured;
    private int tracePriority;
    private long traceTail;

    Worker(Scheduler scheduler, int index, String name, long stackSize, boolean spare) {
        super(null, null, name, stackSize, false);
        this.scheduler = scheduler;
        this.index = index;
        this.spare = spare;
        this.randomSeed = index * 0x9E3779B9 + 1;
        this.stealSeen = new long[scheduler.maxCarriers()];
        java.util.Arrays.fill(stealSeen, -1);
        this.smallRingSeen = new long[scheduler.maxCarriers()];
        this.smallRingSince = new long[scheduler.maxCarriers()];
        java.util.Arrays.fill(smallRingSeen, NOT_WAITING);
        for (int p = 0; p < levels.length; p++) {
            levels[p] = new LocalQueue();
        }
        setDaemon(true);
    }

    @Override
    public void run() {
        try {
            while (!scheduler.isTerminating()) {
                try {
                    if (turns()) {
                        return;
                    }
                } catch (Throwable t) {
                    recover(t);
                }
            }
        } finally {
            scheduler.workerStopped(this);
        }
    }

    /**
     * Owner only: the carrier loop, one turn per iteration (run one task, or
     * search, or park) until the runtime terminates (false) or this spare
     * retires (true). Anything the carrier's own code throws leaves it for
     * {@link #run}, which recovers and enters it again.
     *
     * <p>Why the turn is the loop's body and not a method of its own (issue 11):
     * a method called once per turn is compiled on its own first, and its
     * compiled code (next, runTask and the continuation's mount inlined) was
     * over the JIT's limit for inlining an already-compiled method
     * (InlineSmallCode): -XX:+PrintInlining showed run()'s loop calling turn()
     * ("already compiled into a big method") on every switch. Here the loop is
     * compiled on-stack-replaced, and the methods it calls per turn, next() and
     * runTask(), compile to less than that limit on their own, so they inline.
     */
    private boolean turns() {
        while (!scheduler.isTerminating()) {
            if (spare && retire) {
                scheduler.retired(this);
                return true;
            }
            TraceRing ring = traceOpaque();
            // Traced turns: the LIFO slot's and the yielded slot's tasks before next(), in
            // locals (a reference store into this long-lived object would pay a GC barrier).
            Task lifoSeen = null;
            Task yieldedSeen = null;
            found = 0;
            if (ring != null) {
                lifoSeen = lifoOpaque();
                yieldedSeen = yielded;
            }
            Task task = next();
            if (task != null && searching) {
                // Woken as a searcher, found work in its own or the injection queues.
                // (Kept across a task that never ends, the token would make
                // signalWork() believe someone is searching and wake nobody.)
                scheduler.endSearch(this, true);
            }
            if (task == null) {
                task = scheduler.search(this);
                if (task == null) {
                    parkIdle(ring);
                    continue;
                }
                // A trace started meanwhile must see the task found, which may have been
                // spawned after the start (TraceStartRaceTest). search set found, so how
                // is known either way.
                ring = traceOpaque();
            } else if (ring == null) {
                // The same for a task taken by next(): an injected or stolen one set found;
                // any other counts as the carrier's own queue's (the slots were not noted).
                ring = traceOpaque();
            }
            woken = false;
            if (recheckFound) {
                scheduler.signalIfWorkLeft(this);
            }
            int how = 0;
            if (ring != null) {
                how = found;
                if (how == 0) {
                    how = task == yieldedSeen ? TraceEvent.FOUND_YIELDED
                            : task == lifoSeen ? TraceEvent.FOUND_LIFO : TraceEvent.FOUND_LOCAL;
                }
            }
            if (ring == null) {
                runTask(task);
            } else {
                // Traced: begin and end around the same runTask as an untraced turn, so the
                // continuation still runs from this loop's frame (runTask inlined here). A
                // method that wrapped the dispatch was compiled on its own, out of line,
                // and cost about 8 ns a dispatch more (measured; see "Tracing").
                beginTraced(task, ring, how);
                if (runTask(task)) {
                    endTraced(task, ring, how);
                } else {
                    closeTraced(); // a stale copy: no slice
                }
            }
        }
        return false;
    }

    /**
     * Owner only: a turn that found nothing parks (recording the idle period if
     * {@code ring} is this turn's trace ring). Out of the loop's body: off the
     * dispatch path.
     */
    private void parkIdle(TraceRing ring) {
        if (woken) {
            counters.noopWakeups++;
        }
        if (ring == null) {
            woken = scheduler.park(this);
        } else {
            long t0 = Clock.SYSTEM.nanoTime();
            woken = scheduler.park(this);
            long t1 = readClock();
            if (woken) {
                ring.put(TraceEvent.header(TraceEvent.IDLE, 0, 0, 0), t0, t1, 0);
            }
            sliceBegin = t1;
            stampedRing = ring.serial;
        }
    }

    /**
     * Owner only: something the carrier's own code threw (never a task's: those
     * are caught around dispatch) reached the loop. The carrier gives back what
     * it holds in the scheduler (an idle-list entry, a search token: a token kept
     * by a dead carrier made every later signalWork() return early), reports the
     * failure (a logger that throws in turn is ignored: nothing is left to tell)
     * and goes on, after a pause that bounds the CPU and log volume of a fault
     * that repeats at every turn.
     */
    private void recover(Throwable t) {
        setCurrentOpaque(null);
        closeTraced(); // a traced slice it cut short writes no SLICE (see "Tracing")
        try {
            scheduler.carrierFaulted(this);
        } catch (Throwable again) {
            t.addSuppressed(again);
        }
        try {
            report(t);
        } catch (Throwable ignored) {
            // The error logger itself failed.
        }
        LockSupport.parkNanos(FAULT_PAUSE_NANOS);
    }

    /** Owner only: reports a failure of a foreign task or of this carrier's own code. */
    private void report(Throwable t) {
        Faults.at(this, Faults.Site.REPORT);
        scheduler.reportInternalError(t);
    }

    /**
     * The worker whose OS thread runs the calling thread: the carrier the JDK
     * mounted the calling green thread on (or a worker calling from its own
     * code), else null. Use this, not the caller's {@link Task#lastWorker}, for
     * a carrier's owner-only state: a stale copy of the caller is skipped
     * before Task.worker is written (Task.takeCopy), but in the window left
     * (GreenThread, "One queued copy") one dispatched on another carrier while
     * the caller runs may still name that carrier there for a moment.
     *
     * @return the calling thread's worker, or null
     */
    public static Worker ofCaller() {
        return VirtualThreads.currentCarrier() instanceof Worker w ? w : null;
    }

    /**
     * Owner only: runs {@code task} (a traced turn calls beginTraced before and
     * endTraced after, if it ran). Clears current before it returns, so a traced
     * slice's SLICE event is published after that (see endTraced).
     *
     * @return false for a stale copy, which did not run
     */
    boolean runTask(Task task) { // package-private for SmallRingStealTest
        if (!task.takeCopy(this)) {
            // A stale copy of a green thread (GreenThread, "One queued copy"): nothing runs,
            // so nothing is counted, traced or named as this carrier's.
            return false;
        }
        Faults.at(this, Faults.Site.TAKEN);
        setDispatchesOpaque(dispatchesOwn() + 1);
        if (task.worker != this) {
            // Stored only when it changes: a task that stays on its carrier (every
            // task with one worker) skips a reference store and its GC write barrier.
            task.worker = this;
        }
        // Release: the ticker, reading current (acquire) and then the count, sees the
        // count of this dispatch with this task (Sysmon, "Observation"). A plain store
        // on x86, as the opaque one was.
        setCurrentRelease(task);
        try {
            task.dispatch(this);
            Faults.at(this, Faults.Site.DISPATCHED);
        } catch (Throwable t) {
            // A continuation never throws out of run(); a foreign runnable might.
            report(t);
        } finally {
            setCurrentOpaque(null);
        }
        return true;
    }

    /**
     * Owner only, before a traced dispatch of {@code task} (runTask): notes what endTraced compares after the slice (preemptions
     * honoured, the tail of the task's level) and, for a slice that does not begin
     * where the last one ended, reads the clock. A task taken from the injection
     * queues or stolen may have been made runnable after this carrier's last mark
     * (it searched meanwhile): its slice begins now, after the wake-up that made it
     * runnable, so the wake's arrow finds it (see "Tracing"). Otherwise
     * sliceBegin and stampedRing hold the slice's begin and ring already: nothing
     * is stored for them.
     */
    private void beginTraced(Task task, TraceRing ring, int how) {
        OPENED.setOpaque(this, slicesOpened + 1);
        int priority = task.priority;
        tracePriority = priority;
        traceHonoured = counters.preemptionsHonored;
        traceTail = levels[priority].tailOwner();
        if (stampedRing != ring.serial || how == TraceEvent.FOUND_INJECTED || how == TraceEvent.FOUND_STOLEN) {
            sliceBegin = readClock();
            stampedRing = ring.serial;
        }
    }

    /**
     * Owner only, after a traced dispatch of {@code task} that ran (beginTraced
     * before it; runTask cleared current): records its slice: when it began and ended, how it was found and why it
     * stopped ("Tracing" in the class comment), for a park its blocker and a
     * mutex's holder, for an exit the thread's name (TraceEvent). A clock read at
     * the end of one slice in STAMP_EVERY (or when the ticker's coarse clock
     * moved), at the begin of a task found in the injection queues or stolen; one
     * ring write, carrying the slice's first wake-up; nothing allocated (the cost
     * of tracing, see docs/observability.md).
     */
    private void endTraced(Task task, TraceRing ring, int how) {
        Faults.at(this, Faults.Site.SLICE_ENDING);
        long t0 = sliceBegin;
        long t1;
        long estimated = 0;
        if (++stampRun >= STAMP_EVERY || Ticker.coarseNanos != stampCoarse) {
            t1 = readClock();
            if (task.worker != this) {
                // Dispatched on another carrier before this read (this carrier descheduled
                // after the dispatch returned): the read is later than that slice's begin, and
                // the thread would be running on two carriers at once. Its lower bound instead
                // (TraceLateSliceEndTest).
                t1 = t0 + 1;
                estimated = TraceEvent.ESTIMATED;
            }
        } else {
            t1 = t0 + 1; // a lower bound: see "Tracing"
            estimated = TraceEvent.ESTIMATED;
        }
        Thread vt = task.thread();
        int ended;
        Object blocker = null;
        long holder = 0;
        if (vt == null) {
            ended = TraceEvent.ENDED_DONE;
        } else if (counters.preemptionsHonored != traceHonoured) {
            ended = TraceEvent.ENDED_PREEMPT;
        } else if (yielded == task || levels[tracePriority].pushedSince(traceTail, task)) {
            ended = TraceEvent.ENDED_YIELD;
        } else if ((blocker = LockSupport.getBlocker(vt)) != null) {
            // Parked on something (a channel, mutex, handle: the common park): its
            // blocker, kept as a reference and rendered at export, is one field read
            // (opaque), no formatting on the carrier; and it answers "exit or park"
            // without the thread's state: a thread sets its blocker only around its
            // own park and clears it after, so one that ended in this slice has none.
            ended = TraceEvent.ENDED_PARK;
            // It may be a later park's: woken, the thread can run on another carrier and park
            // there before this carrier gets here (descheduled under load); that carrier wrote
            // task.worker before its dispatch, which precedes that park's blocker (read first;
            // the fence orders the read after it: no instruction on x86). Then this slice parked
            // on something no longer known: it names none (TraceParkBlockerElsewhereTest).
            VarHandle.acquireFence();
            if (task.worker == this) {
                holder = io.verdant.internal.obs.WaitReasons.holderId(blocker, vt); // a mutex's holder now, as a number
            } else {
                blocker = null;
            }
        } else if (vt.getState() == Thread.State.TERMINATED && task.worker == this) {
            // Ended, and in this slice: a thread that parked here without a blocker
            // can be woken, run on another carrier and end there before this carrier
            // gets here (descheduled under load); that carrier wrote task.worker before
            // its dispatch, which precedes the thread's end (read first, a volatile
            // state). Without the check the trace held two exits of one thread.
            ended = TraceEvent.ENDED_EXIT;
            blocker = vt.getName(); // a field read: names a thread that ends before the collector sees it
        } else {
            // Parked without a blocker, or already woken and its blocker cleared (it
            // then ran again elsewhere).
            ended = TraceEvent.ENDED_PARK;
        }
        // current was cleared (runTask) before the SLICE is published (the ring's release
        // store orders it): a stopping trace that reads the published count including this
        // SLICE then sees no current task (TraceControl.slicesInFlight). Cleared after
        // it, a stop that came in between waited its whole bound for a SLICE that had
        // been written already and cut a phantom "running" slice of the task to the
        // stop time, while the task ran on another carrier (TraceViewTest under load).
        ring.put(TraceEvent.header(TraceEvent.SLICE, how, ended, task.priority) | estimated, t0, t1,
                task.traceId(), blocker, holder, foldedWake);
        closeTraced();
        foldedWake = 0;
        sliceBegin = t1;
        Faults.at(this, Faults.Site.SLICE_WRITTEN);
    }

    /**
     * Owner only: the next task from this worker's own queues, or from injection.
     * A task in the yielded slot runs only when nothing else is found; if
     * something else is, the yielder goes to the back of its level first, where
     * thieves and Sysmon can see it, and an idle carrier is signalled for it (a yielder left hidden in the slot behind a
     * CPU-bound thread would never be counted as waiting, so that thread would
     * never be asked to yield: two loops on one worker would not alternate).
     */
    private Task next() {
        Faults.at(this, Faults.Site.NEXT);
        Task y = yielded;
        if (y == null) {
            return nextQueued();
        }
        yielded = null;
        Task t = nextQueued();
        if (t == null) {
            return y;
        }
        // The yielder leaves the private slot for the local queue, where thieves can
        // see it: announce it, as every other push of runnable work by this carrier
        // is announced (Scheduler.submit). Without the signal an idle carrier stayed
        // parked while t held this one, until Sysmon's rescue a tick or more later
        // (YieldFastPathTest.aYielderMovedBehindOtherWorkIsHandedToAnIdleCarrier).
        // Off the lone yield's path: here other work turned up during the yield.
        pushLocalOrInject(y);
        if (t.priority <= y.priority) {
            scheduler.signalWorkFromOwner();
            return t;
        }
        // t is of lower priority than the yielder: going behind it would invert
        // priorities. Both go through the local levels, where the priority order
        // and the anti-starvation rule decide (t loses its place in its level).
        pushLocalOrInject(t);
        Task p = pollLocal(bestLevel());
        scheduler.signalWorkFromOwner();
        if (p != null) {
            return p;
        }
        return pollInjectedNoted();
    }

    private Task nextQueued() {
        long n = dispatchesOwn();
        if (n % GLOBAL_INTERVAL == 0 || injectedFirstOpaque()) {
            // A volatile clear, then the inbox's volatile read: a pusher's flag that this
            // clear overwrote was set after its push, which the read then sees.
            INJECTED_FIRST.setVolatile(this, false);
            Task p = takeInbox();
            if (p != null) {
                found = TraceEvent.FOUND_INJECTED;
                return p;
            }
            if (n % GLOBAL_INTERVAL == 0 && PollerHost.homes && (p = takeLateInbox()) != null) {
                found = TraceEvent.FOUND_STOLEN;
                return p;
            }
            Task t = scheduler.pollInjectedFair(this);
            if (t != null) {
                found = TraceEvent.FOUND_INJECTED;
                return t;
            }
        }
        int best = bestLevel();
        Task slot = lifoOpaque();
        if (slot != null && best >= 0 && slot.priority > best) {
            lifoBehindBetterWork();
            slot = null;
        }
        int top = slot != null && (best < 0 || slot.priority < best) ? slot.priority : best;
        if (top > 0) {
            Task t = scheduler.pollInjectedHinted(this, top);
            if (t != null) {
                found = TraceEvent.FOUND_INJECTED;
                return t;
            }
        }
        if (slot != null && (best < 0 || slot.priority <= best) && lifoRuns < LIFO_LIMIT) {
            slot = getAndSetLifo(null);
            if (slot != null) {
                lifoRuns++;
                return slot;
            }
        }
        lifoRuns = 0;
        Task t = pollLocal(best);
        if (t != null) {
            return t;
        }
        // The LIFO slot was over its run limit and the queues are empty: run it anyway.
        // Only if it was full at the read above: only this carrier fills the slot, so
        // one seen empty is still empty, and the lone yield (and every turn that finds
        // nothing) skips a locked exchange.
        if (slot != null) {
            slot = getAndSetLifo(null);
            if (slot != null) {
                return slot;
            }
        }
        return pollInjectedNoted();
    }

    /**
     * Owner only (nextQueued), the LIFO slot's task being of a worse priority than work
     * queued here since the hand-off (the waker spawned or woke better work, or yielded
     * behind it): that task cannot run next, so it goes to the back of its level, where
     * the priority order and the anti-starvation rule count it and thieves see it, and an
     * idle carrier is signalled for it (as a yielder moved to the queue is, in next()).
     * Left in the slot, it was passed over for as long as better work stayed queued and
     * never counted as skipped: a LOW thread woken by a HIGH one never ran under HIGH
     * load (SchedulingTest.aLowThreadWokenByAHighThreadProgressesUnderHighLoad).
     * Out of nextQueued: the hand-off path does not pay for it.
     */
    private void lifoBehindBetterWork() {
        Task t = getAndSetLifo(null);
        if (t != null) {
            pushLocalOrInject(t);
            scheduler.signalWorkFromOwner();
        }
    }

    /** Owner only: a task from the injection queues (by the hint: a miss is found by the
     * search that follows), noted in {@link #found} if there was one. */
    private Task pollInjectedNoted() {
        Task t = scheduler.pollInjectedHinted(this, Scheduler.LEVELS);
        if (t != null) {
            found = TraceEvent.FOUND_INJECTED; // after the queue's atomics: noise
        }
        return t;
    }

    /**
     * Owner only (a retiring spare, between tasks): moves all its queued work to
     * the injection queues. Nothing can be pushed here afterwards: only this
     * thread pushes, and it runs no more tasks. Then drops the stale references of
     * its rings (LocalQueue.clearStale): a retired spare stays reachable from
     * Task.worker of every task it ran, and each such task that lived on (parked
     * for as long as it likes) kept up to CAPACITY ended threads per level
     * reachable through the spare's popped slots (RetiredSpareKeepsNoThreadTest).
     */
    void drainToInjection() {
        Task t = getAndSetLifo(null);
        if (t != null) {
            scheduler.inject(t);
        }
        if (yielded != null) {
            scheduler.inject(yielded);
            yielded = null;
        }
        for (LocalQueue q : levels) {
            while ((t = q.poll()) != null) {
                scheduler.inject(t);
            }
            q.clearStale();
        }
        levelMask = 0;
    }

    /** Any thread (Sysmon): the next dispatch of this worker looks at the injection queues first. */
    void preferInjectedNext() {
        setInjectedFirstOpaque(true);
    }

    /** Any thread: the best priority level queued here (local queues or LIFO slot), or -1; a snapshot. */
    int bestWaitingLevel() {
        Task slot = lifoOpaque();
        int best = slot != null ? slot.priority : Scheduler.LEVELS;
        for (int p = 0; p < best; p++) {
            if (!levels[p].isEmpty()) {
                best = p;
                break;
            }
        }
        return best == Scheduler.LEVELS ? -1 : best;
    }

    /**
     * The green thread running on this carrier only (so owner only), as its level gets
     * worse (an event-actor dispatcher starting a lower-priority actor's turn): whether
     * work of a better level than {@code level} waits here (local levels or LIFO slot)
     * or in the injection queues, so that it yields to it first. A snapshot; not on the
     * dispatch path.
     *
     * @param level the caller's new level
     * @return true if better work waits
     */
    public boolean betterWorkWaits(int level) {
        int local = bestWaitingLevel();
        if (local >= 0 && local < level) {
            return true;
        }
        int injected = scheduler.bestInjectedLevel();
        return injected >= 0 && injected < level;
    }

    /**
     * Owner only: the back of the task's level; a full ring first moves its older
     * half to the injection queue as one batch (LocalQueue, "Overflow").
     *
     * @return true if the ring was full and a batch went to the injection queue
     */
    boolean pushLocalOrInject(Task task) {
        int p = task.priority;
        boolean overflowed = levels[p].push(task, scheduler.injection);
        levelMask |= 1 << p;
        return overflowed;
    }

    /**
     * Owner only: appends a chain of tasks taken from one injected level
     * (Scheduler.pollInjectedBetween sized it to fit the rings of the levels it looked
     * at) to the ring of its first task's priority. A task of another priority (one
     * re-levelled while injected: Dispatcher.wakeAt's stray unpark) and every task
     * behind it are pushed one by one instead, each to the back of its own level (a
     * full ring overflowing to the injection queue): appended whole, a HIGH task behind
     * it sat in a LOW ring, and a chain longer than that ring's room, which nobody had
     * checked, threw out of the dispatch path with every task of the chain taken and
     * queued nowhere (InjectedChainRefillTest).
     */
    void refill(Task chain) {
        int p = chain.priority;
        Task left = levels[p].offerChain(chain, p);
        levelMask |= 1 << p;
        if (left != null) {
            pushEach(left);
        }
    }

    /** Owner only, off the dispatch path (refill's rare case): pushes each task of the chain to its level. */
    private void pushEach(Task chain) {
        boolean overflowed = false;
        for (Task t = chain; t != null; ) {
            Task next = InjectionQueue.unlinkNext(t);
            overflowed |= pushLocalOrInject(t);
            t = next;
        }
        if (overflowed) {
            scheduler.signalWorkFromOwner(); // a batch went back to the injection queue
        }
    }

    private int bestLevel() {
        int m = levelMask;
        return m == 0 ? -1 : Integer.numberOfTrailingZeros(m);
    }

    private Task pollLocal(int best) {
        int m = levelMask;
        while (m != 0) {
            int level = Integer.numberOfTrailingZeros(m);
            int lower = m & ~((2 << level) - 1);
            if (lower != 0) {
                Task starved = serveStarved(lower);
                if (starved != null) {
                    return starved;
                }
            }
            LocalQueue q = levels[level];
            Task t = q.poll();
            if (t != null) {
                skipped[level] = 0;
                if (q.emptied) {
                    // Cleared as soon as the take emptied the level, not at the next poll
                    // that finds nothing: a thread yielding alone re-queues itself
                    // behind a set bit (Scheduler.submit), so a bit left set by the
                    // take that emptied the level made every later yield of that
                    // thread go through the ring (and, with two carriers, a signal)
                    // instead of the yielded slot (YieldFastPathTest). The poll knows
                    // from the tail it read (LocalQueue.emptied): no re-read of head
                    // and tail. A level emptied by thieves keeps its bit until the
                    // next poll finds nothing (a stale set bit, allowed above).
                    levelMask &= ~(1 << level);
                }
                return t;
            }
            m &= ~(1 << level);
            levelMask = m;
        }
        return null;
    }

    /**
     * Owner only, at a periodic look at the injection queues (nextQueued, step 1;
     * Scheduler.pollInjectedFair): counts a skip for every injected level holding tasks
     * below the best such level, and resets the count of every other; returns the
     * first level whose count reached STARVATION_LIMIT (its count reset), or -1.
     */
    int injectedStarved(InjectionQueue q) {
        int best = -1;
        int starved = -1;
        for (int p = 0; p < Scheduler.LEVELS; p++) {
            boolean holds = q.holds(p);
            if (!holds || best < 0) {
                if (holds) {
                    best = p;
                }
                injectedSkipped[p] = 0;
            } else if (++injectedSkipped[p] >= STARVATION_LIMIT && starved < 0) {
                starved = p;
                injectedSkipped[p] = 0;
            }
        }
        return starved;
    }

    /** Counts a skip for every non-empty level below the best one; serves the
     * first whose count reached the limit. */
    private Task serveStarved(int lowerMask) {
        int m = lowerMask;
        while (m != 0) {
            int level = Integer.numberOfTrailingZeros(m);
            m &= m - 1;
            if (++skipped[level] >= STARVATION_LIMIT) {
                LocalQueue q = levels[level];
                Task t = q.poll();
                skipped[level] = 0;
                if (q.emptied) {
                    levelMask &= ~(1 << level); // as in pollLocal
                }
                if (t != null) {
                    return t;
                }
            }
        }
        return null;
    }

    /**
     * Called by the task running on this carrier (so owner only): while
     * {@code on}, the threads it wakes are queued behind the work already queued
     * here instead of taking the LIFO slot. A finishing green thread uses it for
     * its joiners: a joiner of many threads (fan-in) then finds most of them
     * done when it runs, instead of parking once per thread it joins while its
     * queued siblings wait (measured in BENCHMARKS.md: spawn, skynet).
     */
    public void queueWakeups(boolean on) {
        wakeToQueue = on;
    }

    /**
     * Owner only, having seen the LIFO slot empty ({@link #lifoOpaque}): puts a
     * woken task in it. Only the owner ever fills the slot (thieves only empty
     * it), so a slot seen empty stays empty until this call fills it: a release
     * store suffices, and the wake-up of a hand-off costs no locked instruction.
     * A full slot is never overwritten: a wake-up that finds it full queues the
     * task instead (Scheduler, "Wake-ups behind queued work").
     */
    void fillLifo(Task task) {
        setLifoRelease(task);
    }


    /**
     * Any thread (the ticker's stranded-work rescue): true if this worker's LIFO
     * slot or one of its local queues holds a task; a snapshot.
     */
    boolean hasLocalWork() {
        if (lifoOpaque() != null || hasInbox()) {
            return true;
        }
        for (LocalQueue q : levels) {
            if (!q.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The ticker only (Sysmon rule c), while this carrier runs a task at least as good
     * as {@code level}: takes one task of that level waiting here, from its ring (a
     * thief's take: levelMask may keep a stale set bit, as after any steal) or else
     * from the LIFO slot (a CAS from the task seen: one the owner put there since is
     * left alone), or null.
     */
    Task takeWaiting(int level) {
        Task t = levels[level].takeOne();
        if (t != null) {
            return t;
        }
        Task slot = lifoOpaque();
        if (slot != null && slot.priority == level && LIFO.compareAndSet(this, slot, null)) {
            return slot;
        }
        return null;
    }

    /**
     * Called by another worker {@code thief}: steal from the best non-empty level;
     * then, if {@code lifoToo}, the LIFO slot under the rule of the class comment.
     */
    Task stealBy(Worker thief, long[] lastSeenDispatches, boolean lifoToo) {
        boolean left = false;
        for (int p = 0; p < levels.length; p++) {
            LocalQueue q = levels[p];
            int size = q.size();
            if (size > 0 && size < stealMin && currentOpaque() != null && thief.leavesSmallRing(index)) {
                // A small ring whose owner runs (see "A small ring"); and nothing of a
                // worse level instead of it.
                left = true;
                break;
            }
            Task t = q.stealInto(thief.levels[p]);
            if (t != null) {
                if (!thief.levels[p].isEmpty()) {
                    thief.levelMask |= 1 << p;
                }
                thief.smallRingSeen[index] = NOT_WAITING;
                return t;
            }
        }
        if (!left) {
            thief.smallRingSeen[index] = NOT_WAITING;
        }
        if (!lifoToo) {
            return null;
        }
        // The inbox: once its newest task has waited INBOX_GRACE_NANOS (see "Flags written by
        // other threads"), in every round, the spin phase's too.
        if (inboxLate()) {
            Task t = takeInboxInto(thief);
            if (t != null) {
                return t;
            }
        }
        // LIFO slot: only if this worker has not dispatched since the thief last looked.
        long d = dispatchesOpaque();
        if (lastSeenDispatches[index] == d && lifoOpaque() != null) {
            return getAndSetLifo(null);
        }
        lastSeenDispatches[index] = d;
        return null;
    }

    /**
     * Owner only (this carrier, searching; or a test thread for an unstarted worker): whether
     * it leaves {@code victim}'s small ring, whose owner runs a task, to that carrier for
     * now (see "A small ring"): yes until it has seen such a ring there for
     * the grace ({@link #lastTaskGrace}) of the runtime's clock without running anything
     * itself meanwhile.
     */
    boolean leavesSmallRing(int victim) {
        long grace = lastTaskGrace;
        if (grace <= 0) {
            return false;
        }
        long now = scheduler.clock().nanoTime();
        long d = dispatchesOwn();
        if (smallRingSeen[victim] != d) {
            smallRingSeen[victim] = d;
            smallRingSince[victim] = now;
            return true;
        }
        if (now - smallRingSince[victim] < grace) {
            return true;
        }
        smallRingSeen[victim] = NOT_WAITING;
        return false;
    }

    int nextRandom(int bound) {
        int x = randomSeed;
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        randomSeed = x;
        return (x & Integer.MAX_VALUE) % bound;
    }

    /**
     * Any thread (signalWork after taking this worker off the idle list,
     * retireSpare, terminate): sets {@code notified}, then unparks; see the
     * table "Search and idle state".
     */
    void unparkWorker() {
        notified = true;
        LockSupport.unpark(this);
    }

    /**
     * Any thread but this carrier (Scheduler.sendHome): pushes {@code t}, a task
     * in no queue, to this carrier's inbox, then sets injectedFirst so that the
     * owner's next turn takes it (see "Flags written by other threads"). The
     * caller then wakes this carrier if it is idle.
     */
    void pushInbox(Task t) {
        Task head;
        do {
            head = (Task) INBOX.getVolatile(this);
            t.next = head;
        } while (!INBOX.compareAndSet(this, head, t));
        setInjectedFirstOpaque(true);
    }

    /** Owner only: the inbox's first task, the rest pushed to the local ring; or null. A volatile read if empty. */
    Task takeInbox() {
        return INBOX.getVolatile(this) == null ? null : takeInboxInto(this);
    }

    /** {@code taker} (this worker or a thief, on its own thread): takes the whole inbox;
     * returns its first task and pushes the rest to the taker's local ring; or null. */
    private Task takeInboxInto(Worker taker) {
        Task first = (Task) INBOX.getAndSet(this, null);
        if (first == null) {
            return null;
        }
        Task rest = first.next;
        first.next = null;
        boolean pushed = false;
        while (rest != null) {
            Task next = rest.next;
            rest.next = null;
            taker.pushLocalOrInject(rest);
            pushed = true;
            rest = next;
        }
        if (pushed) {
            scheduler.signalWorkFromOwner();
        }
        return first;
    }

    /**
     * Owner only, every GLOBAL_INTERVAL dispatches while homes are on: another
     * carrier's inbox whose newest task has waited INBOX_GRACE_NANOS, taken (its
     * first task; the rest to this carrier's ring), or null. A busy carrier does
     * not search, so without this a sub-poller whose home the OS descheduled (or
     * a long task holds) waited for the home while this carrier ran its own work
     * (see "Flags written by other threads"): one opaque read of each other
     * carrier's inbox per GLOBAL_INTERVAL dispatches, a clock read only when one
     * holds a task.
     */
    private Task takeLateInbox() {
        for (Worker v : scheduler.carriers()) {
            if (v != this && v.inboxLate()) {
                Task t = v.takeInboxInto(this);
                if (t != null) {
                    counters.steals++;
                    return t;
                }
            }
        }
        return null;
    }

    /** A thief: true if the inbox's newest task was submitted INBOX_GRACE_NANOS ago or more (Clock.SYSTEM). */
    private boolean inboxLate() {
        return INBOX.getOpaque(this) instanceof PollerTask p
                && Clock.SYSTEM.nanoTime() - p.submittedAt >= INBOX_GRACE_NANOS;
    }

    /** Any thread: true if the inbox holds a task; a snapshot (opaque). */
    boolean hasInbox() {
        return INBOX.getOpaque(this) != null;
    }

    /** The task running now, or null; any thread, a snapshot. */
    public Task currentTask() {
        return currentOpaque();
    }

    /**
     * The ticker (Sysmon): the task running now, or null, read before
     * {@link #dispatchCount()}; the count read after it is at least that of the
     * task's dispatch (acquire, pairing with the dispatch's release).
     */
    Task currentTaskAcquire() {
        return currentAcquire();
    }

    /** Dispatches so far; any thread, a snapshot. */
    public long dispatchCount() {
        return dispatchesOpaque();
    }

    /** Any thread, a racy snapshot: tasks in this carrier's local queues, all priorities. */
    public int localQueueDepth() {
        int n = 0;
        for (LocalQueue q : levels) {
            n += q.size();
        }
        return n;
    }

    /** Any thread, a snapshot: a task waits in the LIFO slot. */
    public boolean lifoOccupied() {
        return lifoOpaque() != null;
    }

    /** True for a spare carrier. */
    public boolean isSpare() {
        return spare;
    }

    /** This carrier's index (cores first, then spare slots). */
    public int index() {
        return index;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    // ------------------------------------------------------------------ accessors, named by access mode
    // (see the io.verdant.internal package comment: Opaque / Acquire / Release /
    // Volatile name the VarHandle mode, getAndSet and cas the atomic operation).

    /** Any thread: the task in the LIFO slot now, or null; an opaque snapshot. */
    Task lifoOpaque() {
        return (Task) LIFO.getOpaque(this);
    }

    /**
     * The owner (push, take) or a thief (take): swaps the LIFO slot atomically, so
     * an owner's take and a thief's take never both get the task.
     */
    private Task getAndSetLifo(Task t) {
        return (Task) LIFO.getAndSet(this, t);
    }

    /**
     * The owner, filling the slot it saw empty (see {@link #fillLifo}): publishes
     * the task to whoever takes it (a thief's getAndSet acquires); the ticker's
     * opaque reads see it at the latest a tick later, as with getAndSet.
     */
    private void setLifoRelease(Task t) {
        LIFO.setRelease(this, t);
    }

    /** Any thread: dispatches so far, opaque (a monotonic counter; only its changes matter). */
    private long dispatchesOpaque() {
        return (long) DISPATCHES.getOpaque(this);
    }

    /**
     * Owner only, on a spawn by the task this carrier runs: counts it, and says
     * whether the task has spawned at least {@code Scheduler.LOOP_SPAWNS} times in
     * this dispatch (a spawn loop; a parent that forks a few children and joins
     * them never gets there). Looks at the dispatch count instead of resetting a
     * field per dispatch, so the dispatch path pays nothing.
     */
    boolean countSpawn() {
        long d = dispatchesOwn();
        if (d != spawnDispatch) {
            spawnDispatch = d;
            spawnsInDispatch = 0;
        }
        return ++spawnsInDispatch >= Scheduler.LOOP_SPAWNS;
    }

    /** Owner only (the single writer): its own last write, in program order; a plain read. */
    private long dispatchesOwn() {
        return (long) DISPATCHES.get(this);
    }

    /** Owner only: the single writer, so a plain read and an opaque write suffice. */
    private void setDispatchesOpaque(long n) {
        DISPATCHES.setOpaque(this, n);
    }

    /** Any thread: the task running here now, opaque (diagnostics and the ticker, never correctness). */
    private Task currentOpaque() {
        return (Task) CURRENT.getOpaque(this);
    }

    /** Owner only. */
    private void setCurrentOpaque(Task t) {
        CURRENT.setOpaque(this, t);
    }

    /** Owner only, as a dispatch begins: publishes the task after the dispatch count (see runTask). */
    private void setCurrentRelease(Task t) {
        CURRENT.setRelease(this, t);
    }

    /** Owner only: the traced slice begun last has its SLICE published, or has none (release: see "Tracing"). */
    private void closeTraced() {
        CLOSED.setRelease(this, slicesOpened);
    }

    /** Any thread (TraceControl.slicesInFlight): traced slices begun here (acquire; see "Tracing"). */
    long slicesOpenedAcquire() {
        return (long) OPENED.getAcquire(this);
    }

    /** Any thread (a stopping trace): traced slices whose SLICE is published (acquire; see "Tracing"). */
    long slicesClosedAcquire() {
        return (long) CLOSED.getAcquire(this);
    }

    /** Any thread (TraceControl.slicesInFlight): the task running here now, acquire. */
    Task currentAcquire() {
        return (Task) CURRENT.getAcquire(this);
    }

    /** Owner (per dispatch, and in Scheduler.submit): this carrier's trace ring, or null; opaque. */
    TraceRing traceOpaque() {
        return TraceControl.COMPILED_IN ? (TraceRing) TRACE.getOpaque(this) : null;
    }

    /** TraceControl, holding the scheduler's spareLock (or before a spare starts): installs or removes the ring. */
    void setTraceOpaque(TraceRing ring) {
        TRACE.setOpaque(this, ring);
    }

    /** Owner only (next()): Sysmon's request to look at the injection queues first. */
    private boolean injectedFirstOpaque() {
        return (boolean) INJECTED_FIRST.getOpaque(this);
    }

    /** Owner (clear) or the ticker (set): a hint; a lost or late one costs one dispatch order. */
    private void setInjectedFirstOpaque(boolean b) {
        INJECTED_FIRST.setOpaque(this, b);
    }

    private static final VarHandle LIFO;
    private static final VarHandle DISPATCHES;
    private static final VarHandle CURRENT;
    private static final VarHandle INJECTED_FIRST;
    private static final VarHandle INBOX;
    private static final VarHandle TRACE;
    private static final VarHandle OPENED;
    private static final VarHandle CLOSED;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            LIFO = l.findVarHandle(Worker.class, "lifo", Task.class);
            DISPATCHES = l.findVarHandle(Worker.class, "dispatches", long.class);
            CURRENT = l.findVarHandle(Worker.class, "current", Task.class);
            INJECTED_FIRST = l.findVarHandle(Worker.class, "injectedFirst", boolean.class);
            INBOX = l.findVarHandle(Worker.class, "inbox", Task.class);
            TRACE = l.findVarHandle(Worker.class, "trace", TraceRing.class);
            OPENED = l.findVarHandle(Worker.class, "slicesOpened", long.class);
            CLOSED = l.findVarHandle(Worker.class, "slicesClosed", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
