package io.verdant.internal;

import io.verdant.CancelledException;
import io.verdant.GreenFailedException;
import io.verdant.GreenHandle;
import io.verdant.GreenState;
import io.verdant.Pid;
import io.verdant.Priority;
import io.verdant.TimedOutException;
import io.verdant.internal.sched.Worker;
import io.verdant.internal.timer.Clock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * One green thread: the record the runtime keeps for it, the {@link Executor}
 * its virtual thread was built with, the body that virtual thread runs, and the
 * handle user code holds.
 *
 * <pre>
 * Why one object plays four roles
 *   Memory per parked thread is a benchmark (see BENCHMARKS.md): a separate
 *   executor, body runnable and handle would each cost an object header and a
 *   reference. The pid is not an object either: index and generation are ints
 *   and a {@link Pid} is made on request.
 *
 * Finding the current green thread
 *   The virtual thread's uncaught-exception handler is this object, so
 *   {@link #current()} is Thread.currentThread() plus one field read. (The body
 *   catches every Throwable, so the JDK never calls the handler; a library that
 *   hands it an error gets what the JDK's default handler does: uncaughtException.)
 *   User code may replace that handler (a library's thread factory sets one on
 *   every thread it makes): then, and only then, current() asks the carrier
 *   which green thread it runs (its Worker's task, or a deterministic carrier's),
 *   checking that this is the calling thread's. A handler that is a GreenThread
 *   counts only on that green thread's own virtual thread (vthread == the caller):
 *   code may hand a green thread's handler on to a virtual thread it starts, which
 *   then acted as that green thread (took its messages). The replacing handler gets the
 *   body's failure, as the JDK would give it a thread's uncaught exception
 *   (run(), Dispatcher's turn for an event actor's handler; not a cancellation).
 *
 * execute(Runnable) and foreign tasks
 *   The JDK submits the same runContinuation instance on every resubmission.
 *   The first execute() call is always our own thread's start (nothing else can
 *   reach this executor before the thread runs: unpark and interrupt of an
 *   unstarted virtual thread submit nothing), so it is captured by a release
 *   store, on the starting thread. Any
 *   other Runnable comes from a virtual thread created inside this green thread
 *   (Thread.ofVirtual(), newVirtualThreadPerTaskExecutor, structured concurrency)
 *   that inherited this executor: it is run as anonymous work, never as us.
 *   execute() never blocks and never throws (see Scheduler.submit), with one
 *   exception, the start of an abandoned thread (below).
 *
 * Starting an abandoned thread
 *   A thread factory's thread (RuntimeCore.createUnstarted) exists from
 *   newThread() on, and close abandons it if it was never started. Its user
 *   may still call start() afterwards (a pool starting a worker late). The
 *   scheduler drops every submission once it terminates, so that start used to
 *   return normally and leave the virtual thread RUNNABLE for ever: join()
 *   never returned. So the start (the first execute, own == null) of a thread
 *   whose status is no longer ALIVE throws RejectedExecutionException: the JDK
 *   then ends the virtual thread (VirtualThread.start: afterDone, joiners
 *   released) and start() rethrows it. Only the start may throw: a later
 *   submission is an unpark or a yield, whose rejection would leave a started
 *   thread runnable for ever. A start that read ALIVE just before close
 *   abandoned the thread is queued and dropped as before (a narrow race, not
 *   closed here).
 *
 * One queued copy
 *   The JDK submits a thread once per transition to runnable (start, unpark,
 *   yield, timeout, unblock), and once more after Thread.getStackTrace() of a
 *   runnable, unmounted thread (VirtualThread.tryGetStackTrace suspends it,
 *   walks the stack, restores the state and resubmits: "task may have run while
 *   suspended"). That extra copy came while the first was still queued: the
 *   injection queue links tasks through Task.next, so the second push cut the
 *   queue and the tasks behind the first copy were never run; and of two copies
 *   in carriers' rings one could be dispatched while the other ran the thread on
 *   another carrier, overwriting its Task.worker (so Carriers.current() named a
 *   carrier whose owner-only state the thread then used) and, for a dispatcher,
 *   running Dispatcher.unmounted() beside the running turn
 *   (ResubmittedCopyTest, both reproduced). So at most one copy exists, queued
 *   or being dispatched: the copy holds a token, the flag queued.
 *     false -> true   execute() from any thread but the carrier dispatching
 *                     the thread: CAS; the winner submits, a loser drops its
 *                     copy (the holder runs the thread). The start: a plain
 *                     store (nothing else can submit before it).
 *     true (kept)     execute() from the carrier running the thread's
 *                     continuation for a dispatch that holds the token (its
 *                     own re-submission after unmounting, in the JDK's
 *                     afterYield: Thread.yield, a park that found its permit,
 *                     a monitor unblocked while blocking): the token passes
 *                     from that dispatch to the new copy, no CAS; the carrier
 *                     notes it (Worker.tokenRun, owner-only plain, set to the
 *                     thread's trace id just before its continuation runs and cleared by
 *                     this execute()).
 *     true -> false   the carrier, first thing once the continuation returned
 *                     (endRun: before the stamp, a withdrawal,
 *                     Dispatcher.unmounted, anything that may block), if the
 *                     dispatch did not pass the token on (the thread parked,
 *                     blocked, waits or ended, or the JDK declined to run it),
 *                     or on skipping a copy whose thread is not runnable
 *                     (takeCopy): volatile store, then a volatile read of the
 *                     JDK's state; if runnable, CAS false -> true and the
 *                     carrier queues it (in the injection queue:
 *                     Scheduler.requeueAfterDispatch), or runs it (in
 *                     takeCopy). A dropped submission is still traced as a
 *                     wake-up (Scheduler.traceDroppedSubmission). Also the
 *                     CAS winner whose submission threw OutOfMemoryError,
 *                     having queued nothing (execute): the JDK
 *                     retries it.
 *   A thread that ended in the dispatch keeps the token (the end of the
 *   dispatch reads the JDK's state first, and stores nothing for TERMINATED):
 *   nothing submits a terminated thread (an unpark finds it not parked, a
 *   walker answers an empty stack), so there is nothing to pair with, and a
 *   spawned thread that runs to its end in one dispatch pays no fence for the
 *   token (issue 11, spawn).
 *   Why no run is lost: a submission is dropped only while the token is held.
 *   A held token is released only by the volatile store above, followed by the
 *   state read; a dropped submitter made the thread runnable (the JDK's
 *   volatile state write: an unpark's CAS, a walker's restore, the unblocker's
 *   CAS) before its CAS. Both pairs are in the synchronization order (Dekker),
 *   so either the releasing carrier sees the runnable state and takes the token
 *   back (and queues the thread), or the submitter's CAS sees it free. That
 *   needs the holder to reach its release whatever other threads do: the
 *   dropped submitter has gone, so if the holder waited for a thread that
 *   needs the dropped one to run, nothing would run it (the Savina bndbuffer
 *   hang: a carrier in Dispatcher.unmounted, blocked on Dispatchers' idleLock,
 *   still held the token of the green thread the JVM had chosen to take that
 *   monitor next; the unblocker's submission was dropped; HeldTokenBlockTest).
 *   Why a holder never blocks: the holder is a queued copy (taken by a carrier
 *   whose takeCopy runs the thread or releases, waiting for nothing) or a
 *   dispatch. A dispatch can only drop a submission while the thread is
 *   unmounted in a state another thread submits from: (a) between takeCopy
 *   and the JDK's mount CAS (runnable: only a stack walker submits), where the
 *   carrier does plain stores (its count, Task.worker, its current task, a
 *   trace slice's begin); (b) after the JDK's afterYield wrote the parked,
 *   blocked or waiting state, where the JDK does no more than a permit CAS, a
 *   monitor exit (timed wait) and at most one execute() of the thread from
 *   this carrier, which passes the token to a copy published by a lock-free
 *   push (ring or injection queue) before the submit's signalWork, the one
 *   step that may wait (Scheduler's idleLock); then endRun, straight-line
 *   code and a lock-free injection. (While the thread is mounted nothing
 *   submits it; the JDK's own monitor in unmount comes before the state
 *   write.) So from the first submission the holder may drop to its release
 *   or its pass, the carrier runs a bounded sequence of its own steps and
 *   takes no monitor or lock: everything that may block (Dispatcher.unmounted,
 *   any fault hook at UNMOUNTED) runs after endRun, holding nothing.
 *   Cost (issue 11, yield): per switch by yield nothing but plain stores and
 *   loads of the carrier's tokenRun (set before the run, cleared by the
 *   execute(), read after the run; the JDK calls execute from the carrier: the
 *   check is currentThread and that one read); per
 *   park and wake-up one CAS (the waker's) and one volatile store (the end of
 *   the run), as before; and per dispatch one read of the JDK's state,
 *   on the line its continuation reads next. The previous protocol released
 *   the token at the start of every dispatch (a volatile store) and made the
 *   carrier's own re-submission CAS it back: two locked instructions per
 *   yield, 7-9 ns of a 145 ns switch (perf, BENCHMARKS.md).
 *   A copy taken while a walker holds the thread suspended (the walker's own
 *   submission is dropped: the token is held) is skipped by takeCopy, which
 *   releases the token as above: the walker, restoring, then queues a copy,
 *   or the carrier sees the restored state and runs the thread. A copy whose
 *   thread already ended is skipped (takeCopy finds ENDED_CONTINUATION or a
 *   terminated state). A copy is skipped whole (Task.takeCopy, before the
 *   carrier counts, traces or records anything); the thread's own code never
 *   takes its carrier from Task.worker: it asks the JDK which carrier it is
 *   mounted on (Worker.ofCaller, Carriers.current), and uses that carrier's
 *   owner-only state only if that carrier runs it (ResubmittedCopyTest).
 *   Stale copies (a second copy run beside the running thread: StaleCopyTest)
 *   could exist under the previous protocol, where the token was released
 *   at the start of a dispatch; they cannot now. What is left is what happens
 *   without any walk: a thread that re-submitted itself (the token passed on)
 *   may be taken and run by another carrier while this one still does its
 *   post-run bookkeeping (the lastRanAt stamp, a withdrawal of a request made
 *   for the new slice, a dispatcher's unmounted() beside its new turn:
 *   Dispatcher, "Threads and memory ordering": harmless).
 *
 * Completion state
 *   status: ALIVE -> SUCCEEDED | FAILED | ABANDONED, once, by a release store.
 *     ALIVE -> SUCCEEDED   body returned (outcome = its result)
 *     ALIVE -> FAILED      body threw (outcome = the Throwable)
 *     ALIVE -> ABANDONED   the runtime closed before the body ended
 *   Who: the one that empties the thread's pid slot (PidTable, "The slot's
 *   emptier completes the thread": the thread in finish, close in abandon, the
 *   spawner undoing a failed spawn), or for a thread never published its
 *   spawner (discardUnstarted). The slot's CAS picks the single completer, so
 *   the status needs no CAS of its own (issue 11: it was a second locked
 *   instruction per exit, after the slot's). The store sits between the slot's
 *   CAS and the getAndSet of waiters, both full fences.
 *   The completer is also the one that takes the thread out of the
 *   cancellation tree (CancelNode.threadEnded: its children handed up, its
 *   link or own slot on its parent's token cleared), before the status store:
 *   exactly once, which the clearing of an own slot needs (a second clear
 *   could erase a later child the parent stored in the reused slot). So finish
 *   calls it only once its slot's CAS won, and abandon calls it too: an
 *   abandoned thread no longer stays on the token it was registered under (a
 *   standalone token, or a spawner's in another runtime, kept the closed
 *   runtime reachable through it: AbandonedThreadUnregistersTest).
 *   outcome is written by the completer before the releasing store and read
 *   after an acquiring read of status.
 *   waiters: a Treiber stack of parked joiners and onComplete callbacks; completion swaps in DONE and
 *   unparks each, queued behind the work already queued on this carrier rather
 *   than in its LIFO slot (Worker.queueWakeups). join() returns once waiters is
 *   DONE (not merely once status is final), and completion swaps DONE in only
 *   after the exit signals are delivered and the live count is decremented, so
 *   a returning join() sees both. A joiner pushes, re-checks waiters, then
 *   parks (timed joins arm a timer on the runtime's wheel, see Waits).
 *   A join that times out or is cancelled unlinks its node (removeWaiter, the
 *   algorithm of FutureTask.removeWaiter): it clears node.thread (volatile),
 *   then walks the stack unlinking every node whose thread is null: a node
 *   below the head by a plain-volatile write to its predecessor's next,
 *   re-walking from the head if that predecessor was itself cleared meanwhile;
 *   the head by CAS, re-walking if the CAS fails. So the stack holds only
 *   joiners still waiting (memory stays bounded however many joins time out),
 *   and completion never unparks a stale joiner. Completion skips a node whose
 *   thread is already null; a walk that meets DONE stops (nothing to unlink).
 *   onComplete pushes a callback node (thread null, action set; never
 *   unlinked by removeWaiter) the same way, or, if waiters is already DONE,
 *   runs the callback on the caller. Completion runs the callback nodes, in
 *   registration order, on the ended green thread itself after its joiners
 *   are woken (an event actor: on whoever ends it; ABANDONED: on the thread
 *   closing the runtime). Callbacks may park (docs/ecosystem.md), after the
 *   live count's -1: so finish, having seen a callback node before its -1
 *   (or, for one registered after that look, at the swap to DONE), counts
 *   them with the runtime (RuntimeCore.callbacksStarting) until they have
 *   run, and close waits for them as for live threads; else a close stopped
 *   the carriers under a parked callback, which never finished.
 *
 * A finished thread's virtual thread (issue 11)
 *   A handle outlives its thread: the spawn benchmark keeps 1,000,000 of them,
 *   and a finished VirtualThread with its continuation is ~280 bytes that the
 *   garbage collector would copy for each (the handle itself is ~104). So once
 *   the carrier sees, after a dispatch, that the thread's status is final and
 *   its virtual thread has terminated, it replaces vthread with a shared,
 *   terminated, unnamed platform thread (endedThread) and runContinuation with
 *   a runnable that is never run (ENDED_CONTINUATION). Everything that reads
 *   vthread afterwards sees what it saw before: a terminated thread named ""
 *   (only unnamed threads are dropped; a named one keeps its thread), and
 *   vthread is still non-null (null means an event actor). Readers on other
 *   threads (plain field) see either thread; both are terminated. Not in
 *   deterministic mode (its carrier does not dispatch through here).
 *   A thread may still be queued once more after it ended: Thread.getStackTrace()
 *   of a runnable virtual thread (Sysmon's stall report, dumps) makes the JDK
 *   submit it again, counting on its continuation to do nothing when run. Such a
 *   copy taken after the drop is skipped (takeCopy finds ENDED_CONTINUATION), and
 *   one taken just before the drop finds it in dispatch and returns (it ran
 *   the throwing stand-in, logged as an internal error, before: the stall
 *   reproducer of issue 11, about 11 in 300 rounds).
 *
 * Lazily used per-thread state (three fields, no object until used)
 *   kin   cancellation: the token this thread is registered under, or its own
 *         token once made (see CancelNode for the whole design).
 *   held  the mutexes it holds (owner only); on exit each is released and
 *         poisoned (see OwnedLock).
 *   cell  mailbox, links and monitors (see ActorCell), set once by CAS on the
 *         first send to the thread, receive, link, monitor or linked spawn.
 *         Completion calls cell.exited() after the status store and before
 *         joiners are woken: exit signals and Downs are in the peers'
 *         mailboxes by the time join() returns. A failure that reached the
 *         thread along a link (cell.killedBy) becomes its outcome.
 *
 * Event actors and dispatchers (see {@link EventActor}, {@link Dispatcher})
 *   An event actor is a record of this class with no virtual thread
 *   (vthread == null) whose body is its {@link EventActor}: it has a pid, a
 *   cell, a cancel token, links, monitors and a handle like any green thread,
 *   and ends through {@link #complete}. A dispatcher is a green thread whose
 *   body is its {@link Dispatcher} and which puts that body back once running:
 *   body != null on a running green thread means "dispatcher" (every other
 *   thread's run() clears body before anything else). {@link #current()} then
 *   answers the actor whose handler the dispatcher runs, {@link #mounted()}
 *   the dispatcher itself, and {@link #dispatch} tells the dispatcher when
 *   its continuation unmounted (a handler parked or yielded).
 * </pre>
 */
public final class GreenThread<T> extends GreenThreadHead<T>
        implements Executor, Runnable, Thread.UncaughtExceptionHandler, GreenHandle<T>, AbandonedWaits {

    static final int ALIVE = 0;
    static final int SUCCEEDED = 1;
    static final int FAILED = 2;
    static final int ABANDONED = 3;

    private static final Object DONE = new Object();
    /** Stamp lastRanAt and count dispatches after each slice (plain loads and stores) and count a return
     * from a park (waits, takeCopy); off only with the benchmarking switch
     * {@code -Dverdant.metrics=false} (see WorkerCounters.ON). */
    private static final boolean STAMP_SLICES = io.verdant.internal.sched.WorkerCounters.ON;
    /** lastRanAt's unit: 2^20 ns, about a millisecond, the coarse clock's own resolution (one tick). */
    static final int STAMP_SHIFT = 20;

    // runtime, runContinuation, body, kin, lastRanAt: declared in GreenThreadHead
    // (the per-hop fields, laid out next to the Task header; see there).
    /** Written by PidTable.allocate before the thread is started; immutable after. */
    int index;
    int generation;
    Thread vthread;
    @SuppressWarnings("unused") private volatile int status;
    private Object outcome;
    @SuppressWarnings("unused") private volatile Object waiters;
    /** The failure this thread ends with reaches someone: a joiner waiting at
     * the end, a link or monitor, or a Scope. Written and read by the thread itself. */
    private boolean failureObserved;
    /** What registers this thread with a CancelNode: a {@link CancelNode.Link} of a chain, or the
     * chunk (a GreenThread[]) holding its own slot in its spawner's node (position kinPos), or null (see CancelNode, "Own children" and "Links"): written by the
     * registering or adopting thread, cleared by this thread when it ends. */
    Object kinLink;
    /** With an own slot in kinLink: its position in that chunk (0..63; fits the object's padding). Same writers. */
    byte kinPos;
    /** Mutexes this thread holds: null, one {@link OwnedLock}, or an ArrayList of
     * them. Owner thread only (lock, unlock, and its own exit). */
    Object held;
    /** A preemption request is pending for this thread; see {@link Safepoints}. */
    @SuppressWarnings("unused") private volatile boolean preempt;
    /** Mailbox, links and monitors; null until first used (see {@link ActorCell}). Set once by CAS. */
    volatile ActorCell cell;
    /** Observability (24 bytes per thread, see design/observability.md):
     * run time in nanoseconds, sampled (ticker adds a tick per tick it saw this thread
     * running, the ticks it slept after a backed-off sleep; single writer) or, with Config.cpuTiming, measured per slice by the
     * carrier (single writer at a time: slices of one thread never overlap). An event actor's: its dispatchers'
     * samples in its turns (the ticker), or, with Config.cpuTiming, its turns measured by their dispatcher (one
     * dispatcher owns a scheduled actor at a time). */
    long runNanos;
    /** The spawning green thread of the same runtime: its pid index + 1 (0: none) and generation. Immutable. */
    int parentIndex;
    int parentGeneration;

    GreenThread(RuntimeCore runtime, Callable<? extends T> body, Priority priority) {
        super(priority.level(), runtime, body);
    }

    /** @param body a {@code Callable<? extends T>}, or a {@code Runnable} that is not a Callable (then T is Void) */
    GreenThread(RuntimeCore runtime, Object body, Priority priority) {
        super(priority.level(), runtime, body);
    }

    /** Any thread: the cell if one was ever created, else null (snapshots must not create one). */
    public ActorCell cellOrNull() {
        return cell;
    }

    /**
     * The green thread running on the calling thread, or null if it is not a
     * green thread. On a dispatcher running an event actor's handler: that
     * event actor (so Green.self, link, monitor, cancellation checks and
     * spawning act for the actor).
     */
    public static GreenThread<?> current() {
        GreenThread<?> g = mounted();
        return g == null || g.body == null ? g : ((Dispatcher) g.body).acting();
    }

    /**
     * The green thread whose continuation is mounted on the calling thread (a
     * dispatcher, not the actor it runs), or null; for preemption requests.
     */
    static GreenThread<?> mounted() {
        Thread t = Thread.currentThread();
        if (t.isVirtual()) {
            return io.verdant.internal.vthread.VirtualThreads.currentHandler(t) instanceof GreenThread<?> g
                    && g.vthread == t ? g : carriedBy(t);
        }
        return null;
    }

    /**
     * The green thread whose virtual thread is {@code t}, or null; any thread (for
     * observers: a mutex's holder, a dispatcher running a turn). Its handler, else
     * (user code replaced it) the executor t was built with, each checked to be t's
     * own green thread (a virtual thread started inside a green thread inherits that
     * executor).
     *
     * @param t any thread, or null
     * @return its green thread (a dispatcher's own, not the actor it runs), or null
     */
    public static GreenThread<?> of(Thread t) {
        if (t == null || !t.isVirtual()) {
            return null;
        }
        if (t.getUncaughtExceptionHandler() instanceof GreenThread<?> g && g.vthread == t) {
            return g;
        }
        java.util.concurrent.Executor s = io.verdant.internal.vthread.VirtualThreads.schedulerOf(t);
        GreenThread<?> g = s instanceof GreenThread<?> own ? own
                : io.verdant.internal.det.DetScheduler.greenOfScheduler(s);
        return g != null && g.vthread == t ? g : null;
    }

    /**
     * The green thread whose virtual thread is {@code t}, the calling thread, found
     * through the carrier running it: the task of one of our Workers, or the task of a
     * deterministic carrier; null if {@code t} is no green thread. Only for a thread
     * whose uncaught-exception handler is not its own GreenThread: user code replaced it
     * (see "Finding the current green thread").
     */
    private static GreenThread<?> carriedBy(Thread t) {
        Thread carrier = io.verdant.internal.vthread.VirtualThreads.currentCarrier();
        if (carrier instanceof io.verdant.internal.sched.Worker w) {
            return w.currentTask() instanceof GreenThread<?> g && g.vthread == t ? g : null;
        }
        return io.verdant.internal.det.DetScheduler.greenMountedOn(carrier, t);
    }

    /**
     * The current green thread.
     *
     * @throws IllegalStateException naming {@code operation} if the caller is not a green thread
     */
    public static GreenThread<?> require(String operation) {
        GreenThread<?> g = current();
        if (g == null) {
            throw new IllegalStateException(operation + " must be called from a green thread (a thread spawned by a "
                    + "Verdant runtime), but was called from " + Thread.currentThread());
        }
        return g;
    }

    /** The runtime this thread belongs to. */
    public RuntimeCore runtime() {
        return runtime;
    }

    // ------------------------------------------------------------------ scheduling

    @Override
    public void execute(Runnable r) {
        Runnable own = runContinuation;
        if (r == own) {
            if (Thread.currentThread() instanceof Worker w && w.tokenRun == traceId()
                    && w.scheduler() == runtime.scheduler) {
                // The thread re-submits itself from the carrier running its continuation
                // (Thread.yield, a park that found its permit, a monitor unblocked while it
                // blocked: the JDK's afterYield, after the unmount). (The carrier's runtime is
                // compared too: ids repeat across runtimes, and a carrier wakes threads of
                // other runtimes in the JDK's afterDone, their joiners.) That dispatch holds the
                // copy's token (see "One queued copy"): it passes to this copy, with no CAS;
                // the dispatch learns it from the carrier's field, cleared once the copy is
                // queued (an OutOfMemoryError before that, which the JDK retries, finds it
                // still set).
                runtime.scheduler.submit(this, false);
                w.tokenRun = 0;
            } else if (casQueued(false, true)) {
                // This caller holds the token now. A submission that throws OutOfMemoryError
                // queued nothing (its one allocation, an overflowing ring's batch, comes
                // before the ring changes: LocalQueue, "Overflow"): the token is given back
                // before the error propagates, because the JDK retries the submission after
                // an OutOfMemoryError (VirtualThread.submitRunContinuation, for an unpark)
                // and a retry that found the token taken would be dropped, losing the
                // wake-up for good. (A start that throws is not retried: the JDK ends the
                // thread.) Inline, not a method: one call level less on the wake path.
                try {
                    runtime.scheduler.submit(this, false);
                } catch (OutOfMemoryError e) {
                    setQueuedVolatile(false);
                    throw e;
                }
            } else if (runtime.scheduler.isTerminating()) {
                // No holder runs it any more: the token stays with the copy the scheduler dropped.
                submittedAfterTermination();
            } else {
                // At most one copy (see "One queued copy"): a submission that finds the token
                // taken is dropped, and the holder (a queued copy, or the running dispatch,
                // which looks again at its end) runs the thread. A trace still shows the wake-up.
                runtime.scheduler.traceDroppedSubmission(this);
            }
        } else if (own == null) {
            if (statusAcquire() != ALIVE) {
                // A thread factory's thread started after close abandoned it (see "Starting an
                // abandoned thread"): refused, so the JDK ends its virtual thread and start()
                // throws, instead of a start that queues nothing and a thread RUNNABLE for ever.
                throw new java.util.concurrent.RejectedExecutionException("runtime '" + runtime.name
                        + "' is closed: green thread " + pid() + " was abandoned before it was started");
            }
            // Our start (see the class comment): nobody else can call this before the thread
            // runs, so no CAS is needed (one locked instruction less per spawn, issue 11);
            // a plain store, published to the carrier by the queue with the task.
            setQueuedPlain(true);
            setRunContinuationRelease(r);
            runtime.scheduler.submit(this, true);
        } else {
            runtime.scheduler.submitForeign(r, priority);
        }
    }

    /**
     * A run of this thread after its runtime closed during the JVM's shutdown goes to
     * the JDK's default scheduler (Scheduler.resumeOnDefault): a thread in System.exit
     * must run again to halt the JVM. Every later run goes there too (the token stays
     * taken, see execute), and the JDK's continuation ignores a copy with nothing to run.
     * So does a run after a close that began before the JVM's shutdown: System.exit was
     * called while that close waited (from a thread it had cancelled or abandoned), and
     * its thread would otherwise never halt the JVM (ExitDuringCloseTest).
     */
    @Override
    protected void submittedAfterTermination() {
        Runnable rc = runContinuation;
        if (rc != null && rc != ENDED_CONTINUATION && resumeOnDefault()) {
            java.util.concurrent.Executor fallback = io.verdant.internal.vthread.VirtualThreads.defaultScheduler();
            if (fallback != null) {
                fallback.execute(rc);
            }
        }
    }

    /**
     * Close during the JVM's shutdown, once the carriers stopped: a copy of this thread
     * that was queued then was dropped with the queues, and it keeps the token, so no
     * later wake-up submits the thread again (execute takes the holder to run it). A
     * thread in System.exit woken just before the carriers stopped stayed runnable for
     * ever and the JVM never exited (ExitDuringCloseTest). Its run goes to the JDK's
     * default scheduler, as a submission after termination does; a thread that is not
     * runnable ignores it (the JDK's continuation returns at once), and so does one
     * that another copy runs.
     */
    public void resumeDroppedCopy() {
        if (queued) {
            submittedAfterTermination();
        }
    }

    /** After termination: whether runs go to the JDK's default scheduler (the JVM shuts down). */
    private boolean resumeOnDefault() {
        if (runtime.scheduler.resumesOnDefaultAfterTermination()) {
            return true;
        }
        if (runtime.det == null && RuntimeCore.jvmShuttingDown()) {
            runtime.scheduler.resumeOnDefaultAfterTermination(); // later runs skip the probe
            return true;
        }
        return false;
    }

    @Override
    protected boolean takeCopy(Worker worker) {
        if (runContinuation == ENDED_CONTINUATION) {
            // A queued copy of a thread that has since ended (see "A finished thread's
            // virtual thread"): the JDK submits a runnable thread once more after
            // Thread.getStackTrace() suspended it (VirtualThread.tryGetStackTrace:
            // "resubmit as task may have run while suspended"; Sysmon's stall report
            // and dumps take stacks), relying on its continuation to do nothing when
            // run again. Nothing to run, as the JDK's own continuation would have done.
            return false;
        }
        // The token stays with this copy through its dispatch (see "One queued copy"):
        // nothing of the thread's is written here.
        // Statistics (WorkerCounters.waits), after the state read that says whether the
        // thread may mount: it comes back from a park that took it off its carrier (the
        // JDK's UNPARKED). Counted here, by the carrier about to run it (the single writer
        // of its counters), and not on the park path, which so carries no metric code at
        // all (issue 12: that code made the park path's compiled methods larger, enough in
        // some JVMs to change what C2 inlined around them). Once per park: this copy holds
        // the token, so the thread is not running and nothing but its mount (the JDK's
        // runContinuation, next) leaves UNPARKED. The one exception: a stack walker that
        // suspends it between this read and that mount makes the run do nothing, and the
        // copy the walker queues then counts again.
        Thread vt = vthread;
        int s = io.verdant.internal.vthread.VirtualThreads.mountState(vt);
        if (io.verdant.internal.vthread.VirtualThreads.mayMount(s)) {
            if (STAMP_SLICES) {
                // 1 or 0, added without a branch (see VirtualThreads.unparked).
                worker.counters.waits += io.verdant.internal.vthread.VirtualThreads.unparked(s);
            }
            return true;
        }
        // Not runnable now: held by a stack walker (or ended). Skipped whole: the token is
        // given back first, then the state read again (volatile store, then volatile
        // read; the walker restores the state, then CASes the token), so either this
        // carrier sees the restored state and takes the token again, or the walker's
        // CAS sees it free and queues a copy of its own.
        if (!releaseToken()) {
            return false;
        }
        if (STAMP_SLICES && io.verdant.internal.vthread.VirtualThreads.resumesFromPark(vt)) {
            worker.counters.waits++;
        }
        return true;
    }

    /**
     * The carrier holding this thread's token (a copy it took, or the dispatch it
     * ran), giving it back (see "One queued copy"): clears queued (volatile), then
     * reads the JDK's state; if the thread is runnable and the token still free,
     * takes it again.
     *
     * @return true if this carrier holds the token again (the thread is runnable)
     */
    private boolean releaseToken() {
        setQueuedVolatile(false);
        return io.verdant.internal.vthread.VirtualThreads.mayMount(vthread) && casQueued(false, true);
    }

    /**
     * The carrier, as soon as the continuation of this thread returned (the JDK's
     * runContinuation, its afterYield included), before anything else it does for
     * the thread: if the thread re-submitted itself from this carrier meanwhile,
     * the token went with that copy; otherwise it is given back, and a thread made
     * runnable by another thread meanwhile (whose submission found the token taken
     * and was dropped) is queued here. Waits for no other thread (see "One queued
     * copy", why a holder never blocks).
     */
    private void endRun(Worker worker) {
        if (worker.tokenRun != traceId()) {
            return; // passed on by the thread's own execute()
        }
        worker.tokenRun = 0;
        if (!io.verdant.internal.vthread.VirtualThreads.terminated(vthread) && releaseToken()) {
            runtime.scheduler.requeueAfterDispatch(this);
        }
    }

    @Override
    protected void dispatch(Worker worker) {
        Runnable rc = runContinuation;
        if (rc == ENDED_CONTINUATION) {
            // Taken as runnable, then the thread ran to its end elsewhere and was dropped (a
            // walker's copy run meanwhile: the window takeCopy leaves). Nothing to run.
            return;
        }
        // This dispatch holds the token (see "One queued copy"): the thread's own execute()
        // from this carrier while its continuation runs takes it on; endRun gives it back
        // otherwise, first thing once the continuation returned.
        worker.tokenRun = traceId();
        try {
            if (runtime.cpuTiming) {
                // Real run time (Clock.SYSTEM), the same in deterministic mode, whose
                // clock does not move while a thread runs.
                long t0 = Clock.SYSTEM.nanoTime();
                Dispatcher d = body instanceof Dispatcher x ? x : null; // before its first slice, a thread's body is its Callable
                if (d != null) {
                    d.mounting(t0); // a turn's clock
                }
                rc.run();
                long t1 = Clock.SYSTEM.nanoTime();
                runNanos += t1 - t0;
                if (d != null) {
                    // Before endRun gives the token back: no other carrier mounts the dispatcher before this.
                    d.unmounting(t1);
                }
            } else {
                rc.run();
            }
        } finally {
            endRun(worker);
        }
        // From here on this carrier holds no token of the thread: what follows may block
        // (Dispatcher.unmounted takes a monitor) without losing a submission of it.
        io.verdant.internal.sched.Faults.unmounted(worker);
        if (STAMP_SLICES) {
            lastRanAt = stamp(io.verdant.internal.sched.Ticker.coarseNanos);
            dispatches++;
        }
        // The continuation unmounted: it yielded, parked or ended. Each is a
        // safepoint, so a request it did not reach a checkpoint for is withdrawn
        // (otherwise Safepoints.pending would stay non-zero and every checkpoint
        // in the JVM would take the slow path). Only looked at while some request
        // is pending anywhere (the static the safepoint poll reads anyway), so
        // the flag, outside the per-hop fields of GreenThreadHead, stays cold:
        // request() sets the flag before it counts it, so in the short window
        // between the two this skips a request just made, which then behaves as
        // one made right after this unmount (acknowledged at the next safepoint,
        // or withdrawn at the next unmount), as it could before.
        if (Safepoints.pendingRequests() != 0) {
            withdrawPreemption();
        }
        if (body != null) {
            // Only a running dispatcher keeps a body (see the class comment).
            ((Dispatcher) body).unmounted();
        } else if (statusAcquire() != ALIVE) {
            // No later unmount will look again: a request counted just after the check
            // above (a requester between its flag CAS and its count) is withdrawn here,
            // once per thread (Sysmon's own requests are withdrawn by Sysmon as well).
            // After the token's release: dropEndedThread replaces vthread, whose JDK state
            // the release reads.
            withdrawPreemption();
            dropEndedThread();
        }
    }

    /**
     * The carrier, after a dispatch of this (ended) thread: once its virtual
     * thread has terminated, lets go of it (see "A finished thread's virtual
     * thread" in the class comment). Unnamed threads only: a named one keeps it
     * for its name.
     */
    private void dropEndedThread() {
        Thread vt = vthread;
        Thread ended = endedThread;
        if (ended == null) {
            ended = endedThread(); // once per JVM, or again after a failed start
            if (ended == null) {
                return; // it could not be started: this thread keeps its virtual thread
            }
        }
        if (vt != null && vt != ended && vt.getState() == Thread.State.TERMINATED && vt.getName().isEmpty()) {
            // Foreign work from virtual threads that inherited this executor may still
            // come (execute): with a runnable of our own in place it stays foreign.
            setRunContinuationRelease(ENDED_CONTINUATION);
            vthread = ended;
        }
    }

    /**
     * A deterministic runtime's carrier, after each slice of this thread (it runs
     * the continuation itself, not {@link #dispatch}): a dispatcher's unmount, as
     * dispatch's last step does it. Without it a handler that parked kept the actor
     * in its dispatcher's next slot and started no other dispatcher, so an actor it
     * waited for never ran (DetEventActorBlockingHandlerTest).
     */
    public void unmountedOnDetCarrier() {
        if (body instanceof Dispatcher d) {
            d.unmounted();
        }
    }

    /**
     * What a finished thread holds instead of its continuation: never run, only
     * compared (by execute() with what it is given, by dispatch() to skip a late
     * copy).
     */
    private static final Runnable ENDED_CONTINUATION = () -> {
        throw new IllegalStateException("the continuation of an ended green thread");
    };

    /**
     * What a finished thread holds instead of its virtual thread: a terminated,
     * unnamed platform thread (its state and name are what the dropped thread's
     * were); null until the first carrier that needs it has made it. Made on
     * demand, not in a class initialiser: a failed start (out of native threads)
     * is retried by a later finished thread, instead of leaving the class
     * unusable for the JVM and every later finished thread's carrier failing.
     */
    private static volatile Thread endedThread;
    private static final Object ENDED_THREAD_LOCK = new Object();

    /** A carrier: the shared ended thread, made now if need be; null if it could not be started. */
    private static Thread endedThread() {
        synchronized (ENDED_THREAD_LOCK) {
            Thread t = endedThread;
            if (t != null) {
                return t;
            }
            try {
                t = new Thread(null, null, "", 0, false); // no task: run() does nothing
                t.setDaemon(true);
                io.verdant.internal.sched.Faults.endedThreadStarting();
                t.start();
            } catch (OutOfMemoryError | RuntimeException notStarted) {
                return null;
            }
            boolean interrupted = false;
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            endedThread = t;
            return t;
        }
    }

    @Override
    protected boolean requestPreemption() {
        return Safepoints.request(this);
    }

    @Override
    protected void withdrawPreemption() {
        if (preempt) {
            Safepoints.cancel(this);
        }
    }

    @Override
    protected Thread thread() {
        return vthread;
    }

    @Override
    public String traceName() {
        Thread t = vthread;
        return t != null ? t.getName() : null;
    }

    @Override
    public long traceId() {
        return (long) generation << 32 | (index + 1L);
    }

    @Override
    protected Object reportedAs() {
        return actingAs();
    }

    @Override
    protected void chargeTicks(long ticks) {
        if (!runtime.cpuTiming) {
            long nanos = ticks * io.verdant.internal.sched.Ticker.TICK_NANOS;
            runNanos += nanos;
            // A dispatcher in an event actor's turn runs the actor's handler: the actor, which has
            // no slices of its own, is charged too (read racily: a sample may go to the turn
            // before or after). The ticker is the only writer of both.
            GreenThread<?> a = actingAs();
            if (a != this) {
                a.runNanos += nanos;
            }
        }
    }

    /** Any thread, a snapshot: run time so far in nanoseconds (sampled, or exact with Config.cpuTiming). */
    public long runNanos() {
        return runNanos;
    }

    /**
     * Any thread, a snapshot: the stamp of when this thread last left a carrier (Ticker.coarseNanos
     * in units of 2^{@value #STAMP_SHIFT} ns, low 32 bits, lowest bit set), 0 if it never ran.
     */
    public int lastRanAt() {
        return lastRanAt;
    }

    /** The stamp lastRanAt holds for the coarse clock reading {@code nanos} (never 0). */
    static int stamp(long nanos) {
        return (int) (nanos >>> STAMP_SHIFT) | 1;
    }

    /**
     * Any thread, a snapshot: how long ago, as of {@code nowNanos} (Clock.SYSTEM), this thread
     * last left a carrier, to within two units of 2^{@value #STAMP_SHIFT} ns (the stamp's
     * lowest bit marks "ran"), or -1 if
     * it never ran. The stamp keeps 32 bits, so a wait longer than 2^31 units (about 26 days)
     * is shown modulo that; a stamp a little ahead of {@code nowNanos} (the ticker published a
     * newer clock after the caller read its own) gives 0.
     */
    public long waitedNanos(long nowNanos) {
        int s = lastRanAt;
        if (s == 0) {
            return -1;
        }
        int units = stamp(nowNanos) - s;
        return units <= 0 ? 0 : (long) units << STAMP_SHIFT;
    }

    /** Any thread, a snapshot: slices run (an event actor: turns), modulo 2^32, as an unsigned value. */
    public long dispatches() {
        return Integer.toUnsignedLong(dispatches);
    }

    /**
     * Any thread, a snapshot: the green thread that code running on this one runs as:
     * for a dispatcher in an event actor's turn, that actor (what {@link #current()}
     * answers on the dispatcher's thread: the handler's locks and waits are the
     * actor's); otherwise this thread.
     *
     * @return the actor in a turn, or this
     */
    public GreenThread<?> actingAs() {
        // The actor in a turn, not Dispatcher.acting(): between turns that answers the
        // dispatcher's own record, which its body notes only once it runs (and which another
        // thread may not see yet): a ticker's sample of a dispatcher just started found null
        // there (UnstartedDispatcherSampleTest). That record is this one.
        GreenThread<?> a = body instanceof Dispatcher d ? d.actor() : null;
        return a != null ? a : this;
    }

    /**
     * Any thread, a snapshot: for an event actor, the dispatcher thread that runs one
     * of its handlers now (null between turns); null for a thread-backed green thread.
     *
     * @return the handler's thread, or null
     */
    public Thread handlerThread() {
        return vthread == null && body instanceof EventActor a ? a.runner : null;
    }

    /** The virtual thread of this green thread. */
    public Thread vthread() {
        return vthread;
    }

    /** The pid of the green thread that spawned this one in the same runtime, or null. */
    public Pid parentPid() {
        return parentIndex == 0 ? null : Pids.of(runtime.id, parentIndex - 1, parentGeneration);
    }

    // ------------------------------------------------------------------ body

    /**
     * The virtual thread's task. Runs once, on the virtual thread. A body given
     * as a Runnable ({@code spawn(Runnable)} of Green, Spawner or Verdant) is run as it is, not through
     * an adapter Callable: the adapter was one more object per spawn and, where
     * the JIT cannot inline it (a call site that has seen many body types), one
     * more compiled frame on every parked stack, frozen and thawed at each park
     * and wake-up (issue 11, the wake benchmark). A Runnable that is also a
     * Callable is wrapped by its spawner (RuntimeCore.spawnRunnable), so the
     * instanceof test below cannot pick the wrong method.
     */
    @Override
    @SuppressWarnings("unchecked")
    public void run() {
        Object b = body;
        body = null;
        T value = null;
        Throwable failure = null;
        try {
            if (b instanceof Callable<?> c) {
                value = (T) c.call();
            } else {
                ((Runnable) b).run();
            }
        } catch (Throwable t) {
            failure = t;
        }
        body = null;
        if (failure != null && toReplacedHandler(Thread.currentThread(), this, failure)) {
            failureObserved = true;
        }
        try {
            complete(value, failure);
        } catch (Throwable t) {
            runtime.reportInternalError(t); // a runtime bug, not the body's failure
        }
    }

    /**
     * The calling thread {@code t}, running this green thread's body (or, on a
     * dispatcher, this event actor's handler), which threw {@code failure}: if user
     * code replaced t's uncaught-exception handler ({@code own}, Verdant's) with one of
     * its own, that handler is given the failure, as the JDK gives it a thread's
     * uncaught exception; not a cancellation (a cancelled thread's normal end, which is
     * never logged either). What that handler throws is logged (the JDK ignores it).
     *
     * @return true if a handler of the user's was given the failure (it is observed)
     */
    boolean toReplacedHandler(Thread t, GreenThread<?> own, Throwable failure) {
        Thread.UncaughtExceptionHandler h = io.verdant.internal.vthread.VirtualThreads.currentHandler(t);
        if (h == own || h == null || failure instanceof io.verdant.CancelledException) {
            return false;
        }
        try {
            h.uncaughtException(t, failure);
        } catch (Throwable thrown) {
            runtime.reportUncaughtHandlerFailure(this, failure, thrown);
        }
        return true;
    }

    /**
     * Ends this thread with {@code value} (if {@code failure} is null) or
     * {@code failure}: exit signals, Downs, joiners. Called once: by run() on
     * the thread itself, or for an event actor by whoever owns its turn.
     */
    void complete(T value, Throwable failure) {
        ActorCell c = cell;
        Throwable killed = c == null ? null : c.endKills();
        if (killed != null) {
            // A failure arrived along a link: that is how this thread ends, whatever its body did.
            if (failure != null && failure != killed) {
                killed.addSuppressed(failure);
            }
            failure = killed;
        }
        if (failure == null) {
            finish(SUCCEEDED, value);
        } else if (finish(FAILED, failure)) {
            try {
                runtime.reportFailure(this, failure, failureObserved);
            } finally {
                if (runtime.hasFailureHandler()) {
                    runtime.callbacksDone(this); // counted by finish
                }
            }
        }
    }

    private boolean finish(int terminal, Object result) {
        if (held != null) {
            OwnedLock.ownerEnded(this);
        }
        // The carrier is asked once for the pid table's cache, the live count and the
        // exit counter (issue 11: it was asked three times per exit): nothing from here
        // to the counting parks, yields or blocks on a monitor unless the thread cancels
        // children it handed up to a cancelled token (monitors and callbacks) or has a
        // cell (exit signals), after each of which it is asked again.
        int on = runtime.carrierOfCaller();
        if (!runtime.pids.free(this, on)) {
            // Close emptied the slot first (abandon), or the spawner did (a spawn that
            // failed after the start): that one completes this thread (PidTable, "The
            // slot's emptier completes the thread"), and takes it out of the
            // cancellation tree (see "Completion state"). Its end event too: close
            // committed it (ABANDONED) if close won, and this thread ends only once.
            return false;
        }
        io.verdant.internal.obs.Jfr.threadEnd(this, terminal == FAILED ? (Throwable) result : null);
        java.util.ArrayList<GreenThread<?>> late = CancelNode.threadEndedLate(this);
        io.verdant.internal.sched.Faults.slotEmptied();
        outcome = result;
        setStatusRelease(terminal);
        // The status store before the read of cell, against a watcher that makes the cell
        // (ActorCell.of: a CAS) and then reads the status: either this exit sees the cell
        // or the watcher sees the end. Without the fence the two could miss each other (a
        // store-load reordering) and the watcher's Down, exit signal or call was lost
        // (ExitWatchRaceTest). One fence per exit, after the pid slot's CAS has drained
        // the stores before it.
        VarHandle.fullFence();
        ActorCell c = cell;
        boolean stranding = false;
        if (late != null) {
            // Children handed up to a cancelled token are cancelled by this thread: their
            // onCancel actions may park it, so it is listed as for the exit signals below
            // (StrandedHandUpCloseTest).
            stranding = runtime.strandable(this);
            try {
                CancelNode.cancelAdopted(late);
            } catch (Throwable t) {
                runtime.reportInternalError(t);
            }
            on = runtime.carrierOfCaller();
        }
        if (c != null) {
            // The exit signals take cell monitors: a contended one unmounts this thread, and
            // one still off its carrier when close stops the carriers is never resumed. It
            // is in no pid slot any more (close cannot abandon it), so it is listed for close
            // to complete (RuntimeCore.completeStranded; StrandedEndCloseTest).
            if (late == null) {
                stranding = runtime.strandable(this);
            }
            try {
                if (c.exited()) {
                    failureObserved = true;
                }
            } catch (Throwable t) {
                runtime.reportInternalError(t);
            }
            on = runtime.carrierOfCaller();
        }
        // Callbacks to run are counted before the -1, so a close that sees this end waits for them.
        boolean callbacks = countCallbacks();
        // The user's failureHandler runs after the -1 too (complete) and may park: counted as a callback.
        boolean handler = terminal == FAILED && runtime.hasFailureHandler();
        if (handler) {
            runtime.callbacksStarting(this);
        }
        io.verdant.internal.sched.Faults.callbacksCounted();
        if (stranding && !runtime.unstranded(this)) {
            // Close completed this thread while it was off its carrier (a carrier stuck in it resumed it).
            if (callbacks) {
                runtime.callbacksDone(this);
            }
            if (handler) {
                runtime.callbacksDone(this);
            }
            return false;
        }
        // Counted as ended before joiners can return: join() waits for DONE, not for status.
        runtime.threadEnded(on);
        // on >= 0: this green thread runs on that carrier of this runtime (an event
        // actor ends on its dispatcher's green thread, so it is -1 or the test below fails).
        Worker here = on >= 0 ? Worker.ofCaller() : null;
        if (here != null && here.currentTask() == this) {
            here.counters.exited++;
        } else {
            runtime.exitedElsewhere.incrementAndGet();
        }
        Object w = getAndSetWaiters(DONE);
        if (!callbacks && hasCallbacks(w)) {
            // Registered after countCallbacks looked: counted now, so that a close from
            // here on waits for them (LateCallbackCloseTest). A close already past its
            // wait raced this end, as a spawn racing close does.
            runtime.callbacksStarting(this);
            callbacks = true;
        }
        try {
            endWaiters(w);
        } finally {
            if (callbacks) {
                runtime.callbacksDone(this);
            }
        }
        return true;
    }

    /** Whether the waiter stack {@code w} holds a callback node. */
    private static boolean hasCallbacks(Object w) {
        for (; w instanceof Waiter node; w = node.next) {
            if (node.action != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * finish(), before the live count's -1: whether this thread has onComplete
     * callbacks to run (then counted with the runtime until they have run, see
     * RuntimeCore.callbacksStarting). A peek at waiters: a callback registered
     * between it and the swap to DONE is counted after the swap (finish).
     */
    private boolean countCallbacks() {
        if (hasCallbacks(waitersAcquire())) {
            runtime.callbacksStarting(this);
            return true;
        }
        return false;
    }

    /** finish(), once waiters is DONE: wakes the joiners of {@code w} and runs its callbacks. */
    private void endWaiters(Object w) {
        if (w instanceof Waiter && vthread == null) {
            eventActorEnded(w);
        } else if (w instanceof Waiter) {
            // Joiners queue behind the work already queued on this carrier (see
            // Worker.queueWakeups); this runs on the carrier that runs us.
            Worker carrier = Worker.ofCaller();
            if (carrier == null) {
                // A deterministic runtime: no Worker; its scheduler orders the wake-ups.
                if (unparkAll(w)) {
                    failureObserved = true;
                }
            } else {
                carrier.queueWakeups(true);
                try {
                    if (unparkAll(w)) {
                        failureObserved = true;
                    }
                } finally {
                    carrier.queueWakeups(false);
                }
            }
            // onComplete callbacks run here, on this (ended) green thread, after
            // its joiners were woken: a callback that blocks parks a green
            // thread, never a carrier. The interrupt of a cancellation is
            // cleared first so JDK calls in callbacks work.
            Thread.interrupted();
            if (runCallbacks(w)) {
                failureObserved = true; // a user callback was given the failure
            }
        }
    }

    /**
     * Runs the callback nodes of the stack {@code w}, in the order they were
     * registered; true if one of them observes the outcome (a user's, not the
     * runtime's own bookkeeping).
     */
    private boolean runCallbacks(Object w) {
        boolean observing = false;
        Waiter reversed = null;
        while (w instanceof Waiter node) {
            Object next = node.next;
            if (node.action != null) {
                node.next = reversed;
                reversed = node;
            }
            w = next;
        }
        for (Waiter n = reversed; n != null; n = (Waiter) n.next) {
            observing |= n.observes;
            runCallback(n.action);
        }
        return observing;
    }

    /** Where a throwing onComplete callback is logged (docs/errors-and-failures.md). */
    private static final System.Logger CALLBACK_LOG = System.getLogger("io.verdant");

    @SuppressWarnings("unchecked")
    private void runCallback(java.util.function.BiConsumer<Object, Throwable> action) {
        int st = statusAcquire();
        try {
            if (st == SUCCEEDED) {
                action.accept(outcome, null);
            } else {
                action.accept(null, failureOrNull());
            }
        } catch (Throwable t) {
            // Off the green thread (OffThreadLog, "Why"): a backend that blocks must not
            // hold a carrier, nor leave its locks held by a thread a closed runtime drops.
            OffThreadLog.log(CALLBACK_LOG, System.Logger.Level.WARNING,
                    "an onComplete callback of green thread " + pid() + " threw", t);
        }
    }

    @Override
    public void onComplete(java.util.function.BiConsumer<? super T, ? super Throwable> action) {
        onComplete(action, true);
    }

    /**
     * Like {@link #onComplete(java.util.function.BiConsumer)}; with {@code observes}
     * false the callback is the runtime's own bookkeeping (an executor counting its
     * tasks), so a failure it sees still counts as unobserved and is logged.
     *
     * @param action the callback
     * @param observes whether the callback counts as observing a failure
     */
    @SuppressWarnings("unchecked")
    public void onComplete(java.util.function.BiConsumer<? super T, ? super Throwable> action, boolean observes) {
        Objects.requireNonNull(action, "action");
        // T is erased: the stored action only ever receives this thread's own outcome.
        Waiter node = new Waiter(null, (java.util.function.BiConsumer<Object, Throwable>) action);
        node.observes = observes;
        Object head;
        do {
            head = waiters;
            if (head == DONE) {
                if (observes && runtime.det != null && statusAcquire() == FAILED) {
                    runtime.det.failureObserved(this); // given the failure after it ended (failOnUnjoinedFailure)
                }
                runCallback(node.action);
                return;
            }
            node.next = head;
        } while (!casWaiters(head, node));
    }

    @Override
    @SuppressWarnings("unchecked")
    public T resultNow() {
        if (statusAcquire() == SUCCEEDED) {
            return (T) outcome;
        }
        throw new IllegalStateException("green thread " + pid() + " has not succeeded (state " + state() + ")");
    }

    @Override
    public Throwable exceptionNow() {
        Throwable t = failureOrNull();
        if (t != null) {
            if (runtime.det != null) {
                runtime.det.failureObserved(this); // read after it ended (Determinism.failOnUnjoinedFailure)
            }
            return t;
        }
        throw new IllegalStateException("green thread " + pid() + " has not failed (state " + state() + ")");
    }

    /** Any thread: installs {@code fresh} if no cell is set; returns the existing one, or null if installed. */
    ActorCell casCell(ActorCell fresh) {
        return (ActorCell) CELL.compareAndExchange(this, (ActorCell) null, fresh);
    }

    /** After completion: the failure (FAILED), a CancelledException (ABANDONED), or null (SUCCEEDED or alive). */
    public Throwable failureOrNull() {
        return switch (statusAcquire()) {
            case FAILED -> (Throwable) outcome;
            case ABANDONED -> new CancelledException("runtime '" + runtime.name + "' closed before " + pid() + " ended");
            default -> null;
        };
    }

    /** Runtime shutdown: completes the handle of a thread that will never run again. */
    Object abandon() {
        if (preempt) {
            Safepoints.cancel(this);
        }
        // The slot's emptier completes the thread (PidTable): here close, if it wins.
        if (status == ALIVE && runtime.pids.free(this)) {
            // Out of the cancellation tree, as a thread that ends (see "Completion state").
            // Close cancelled this thread's token first (its step 2), so its children
            // were taken by that cancel: this only clears its link or slot on its parent.
            // (Unless close went on while an onCancel action blocked its cancels: then, as
            // after a cancel that failed, CancelNode.threadEnded hands the children up.)
            try {
                CancelNode.threadEnded(this);
            } catch (Throwable t) {
                runtime.reportInternalError(t); // the handle is completed all the same
            }
            setStatusRelease(ABANDONED);
            dropAbandonedWait();
            // Its internal watchers (a call from outside the runtime, a name, a blocked sender) are
            // told as an exit tells them, before joiners wake. The fence orders the status store
            // before the read of cell against a watcher making the cell (ActorCell.of, then the
            // status read under its lock).
            VarHandle.fullFence();
            ActorCell c = cell;
            if (c != null) {
                try {
                    c.abandoned();
                } catch (Throwable t) {
                    runtime.reportInternalError(t);
                }
            }
            runtime.threadEnded();
            runtime.exitedElsewhere.incrementAndGet();
            io.verdant.internal.obs.Jfr.threadAbandoned(this); // its end: it will not run complete()
            Object w = getAndSetWaiters(DONE);
            unparkAll(w);
            // Callbacks of an abandoned thread: close runs them once it has abandoned every thread.
            return hasCallbacks(w) ? w : null;
        }
        return null;
    }

    /**
     * Close, for a thread that emptied its pid slot and was off its carrier inside its
     * exit signals (or its cancel of handed-up children) when the carriers stopped (RuntimeCore.completeStranded, which took it
     * from the stranded list, so it never goes on): the rest of finish. Its status and
     * outcome are written; the exit signals not sent yet are lost. Returns the callbacks
     * to run (see {@link #runAbandonedCallbacks}), or null.
     */
    Object completeStranded() {
        runtime.threadEnded();
        runtime.exitedElsewhere.incrementAndGet();
        Object w = getAndSetWaiters(DONE);
        unparkAll(w);
        if (statusAcquire() == FAILED) {
            runtime.reportFailure(this, (Throwable) outcome, failureObserved);
        }
        return hasCallbacks(w) ? w : null;
    }

    /** Close, after abandon() returned {@code w}: runs the abandoned thread's callbacks. */
    void runAbandonedCallbacks(Object w) {
        runCallbacks(w);
    }

    /**
     * abandon(): a channel, mutex, mailbox, joined thread or call this thread was
     * parked on (possibly another runtime's) drops its wait, which no hand-off
     * must reach (AbandonedWaits).
     */
    private void dropAbandonedWait() {
        Thread vt = vthread;
        if (vt == null) {
            return; // an event actor: it never parks
        }
        try {
            if (io.verdant.internal.obs.WaitReasons.waitedOn(LockSupport.getBlocker(vt)) instanceof AbandonedWaits w) {
                w.dropAbandoned(vt);
            }
        } catch (Throwable t) {
            runtime.reportInternalError(t); // the handle is completed all the same
        }
    }

    /**
     * finish() of an event actor with joiners or callbacks {@code w}: it has no
     * carrier of its own. Its callbacks run on whoever ends it: its dispatcher (a
     * callback that blocks is like a handler that blocks), or the thread whose
     * cancel claimed it idle. Out of finish() so that finish stays small enough
     * for the JIT to inline into complete() (325 bytes of bytecode). A joiner it
     * wakes is given the outcome, so it observes a failure, as a thread's joiner
     * does (not logged as "nobody joined": FailureLoggingTest).
     */
    private void eventActorEnded(Object w) {
        if (unparkAll(w)) {
            failureObserved = true;
        }
        if (((EventActor) body).runner == Thread.currentThread()) {
            Thread.interrupted(); // the cancellation's interrupt, meant for the handler
        }
        if (runCallbacks(w)) {
            failureObserved = true;
        }
    }

    /** Unparks every joiner still waiting in the stack {@code w}; true if there was one. */
    private static boolean unparkAll(Object w) {
        boolean any = false;
        while (w instanceof Waiter node) {
            Thread t = node.thread;
            if (t != null) {
                LockSupport.unpark(t);
                any = true;
            }
            w = node.next;
        }
        return any;
    }

    /**
     * The thread itself, from its body: its failure, if it ends by throwing, is
     * being handled by whoever runs the body (a {@code Scope}), so it does not
     * count as unobserved (see {@code RuntimeCore.reportFailure}).
     */
    public void markFailureObserved() {
        failureObserved = true;
    }

    /**
     * The spawning thread, when a spawn fails before the thread was started (the
     * runtime closed first, or the JDK refused to start it) and the spawner is
     * this thread's completer: it was never published, or its publication was
     * withdrawn by the spawner, or the spawner emptied its slot (PidTable, "The
     * slot's emptier completes the thread"); never when close emptied it.
     * Completes the handle as ABANDONED so that the cancellation tree and any
     * joiner drop it; the caller undoes the live count.
     */
    void discardUnstarted() {
        setStatusRelease(ABANDONED);
        CancelNode.threadEnded(this);
        Object w = getAndSetWaiters(DONE);
        unparkAll(w);
        runCallbacks(w);
    }

    /** Any thread (execute): claims the one queued copy; false if a copy is already queued. */
    private boolean casQueued(boolean expected, boolean value) {
        return QUEUED.compareAndSet(this, expected, value);
    }

    /** The start, before the task is published (plain: the queue publishes it). */
    private void setQueuedPlain(boolean value) {
        QUEUED.set(this, value);
    }

    /** The carrier dispatching this thread: its queued copy is taken (volatile: see "One queued copy"). */
    private void setQueuedVolatile(boolean value) {
        QUEUED.setVolatile(this, value);
    }

    /** Any thread; a preemption request is pending for this thread. */
    boolean preemptRequested() {
        return preempt;
    }

    /** Any thread (Safepoints: the ticker requests, the thread or Sysmon withdraws): CAS of the preemption flag. */
    boolean casPreempt(boolean expected, boolean value) {
        return PREEMPT.compareAndSet(this, expected, value);
    }

    /**
     * What the JDK's handler of a thread with none of its own does (the thread's group:
     * the default handler, else a stack trace on System.err): the JDK never calls this
     * for a green thread (run() catches everything), but libraries hand it errors they
     * cannot throw to anyone, through Thread.currentThread().getUncaughtExceptionHandler().
     */
    @Override
    public void uncaughtException(Thread t, Throwable e) {
        ThreadGroup group = t.getThreadGroup(); // null once t has terminated
        if (group != null) {
            group.uncaughtException(t, e);
            return;
        }
        Thread.UncaughtExceptionHandler fallback = Thread.getDefaultUncaughtExceptionHandler();
        if (fallback != null) {
            fallback.uncaughtException(t, e);
        } else {
            System.err.print("Exception in thread \"" + t.getName() + "\" ");
            e.printStackTrace(System.err);
        }
    }

    // ------------------------------------------------------------------ handle

    @Override
    public Pid pid() {
        return Pids.of(runtime.id, index, generation);
    }

    @Override
    public String name() {
        Thread t = vthread;
        return t != null ? t.getName() : ((EventActor) body).name();
    }

    @Override
    public Priority priority() {
        return Priority.values()[priority];
    }

    @Override
    public boolean isDone() {
        return statusAcquire() != ALIVE;
    }

    /** Any thread: whether its runtime's close abandoned this thread (it may still be running). */
    public boolean abandonedByClose() {
        return statusAcquire() == ABANDONED;
    }

    @Override
    public GreenState state() {
        switch (statusAcquire()) {
            case SUCCEEDED:
                return GreenState.SUCCEEDED;
            case FAILED:
            case ABANDONED:
                return GreenState.FAILED;
            default:
                break;
        }
        if (vthread == null) {
            return ((EventActor) body).state();
        }
        Thread.State s = vthread.getState();
        if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.BLOCKED) {
            return GreenState.WAITING;
        }
        Worker w = lastWorker();
        return w != null && w.currentTask() == this ? GreenState.RUNNING : GreenState.RUNNABLE;
    }

    @Override
    public void cancel() {
        if (!isDone()) {
            CancelNode.of(this).cancel();
        }
    }

    /** This thread's cancel token, made on first use. Any thread. */
    public CancelNode cancelToken() {
        return CancelNode.of(this);
    }

    /** The current thread's own token is cancelled (the interrupt status is not consulted). */
    public boolean isCancelled() {
        return CancelNode.isCancelled(this);
    }

    @Override
    public T join() {
        return awaitOutcome(Deadline.FOREVER);
    }

    @Override
    public T join(Duration timeout) {
        return awaitOutcome(Deadline.after(timeout, "timeout"));
    }

    /** Waits for completion until {@code deadline}. */
    private T awaitOutcome(Deadline deadline) {
        Safepoints.poll();
        if (waitersAcquire() != DONE) {
            if (runtime.det != null && deadline == Deadline.FOREVER) {
                awaitDeterministic(runtime.det);
            }
            await(deadline);
        }
        return outcomeOrThrow();
    }

    /**
     * An untimed join of a deterministic runtime's thread by a thread outside
     * that runtime (not on its carrier): waits as rt.run's caller does, so a
     * deadlock, a refused input or a livelock of the run is thrown here
     * (ScheduleFailedException) instead of leaving the join waiting for ever
     * (see DetScheduler, "Joins from outside").
     */
    private void awaitDeterministic(io.verdant.internal.det.DetScheduler det) {
        awaitDeterministic(det, null, "GreenHandle.join");
    }

    /** {@link #awaitDeterministic(io.verdant.internal.det.DetScheduler)}, which also ends once {@code stop} (if not null) holds. */
    private void awaitDeterministic(io.verdant.internal.det.DetScheduler det, BooleanSupplier stop, String what) {
        try {
            awaitRunUnless(det, stop);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.verdant.CancelledException(what + ": interrupted while waiting for " + pid());
        }
    }

    /**
     * The untimed wait of a future of this thread's handle (asFuture's get,
     * toCompletableFuture's get and join) by a thread outside this thread's
     * deterministic runtime: waits as an untimed {@link #join()} from outside
     * does, until this thread ends, {@code stop} holds, or the run fails, which
     * it throws, so the caller reports the deadlock instead of waiting for ever
     * (DetOutsideFutureTest). Returns at once in a runtime that is not
     * deterministic, and for callers inside it (they wait as usual). Any thread.
     *
     * @param stop read at least every 100 ms while waiting, and after {@link #wakeJoiners}
     * @throws io.verdant.ScheduleFailedException if the run failed first (a deadlock, a
     *         refused input, too many steps)
     * @throws InterruptedException if the caller is interrupted before (it then does not wait) or while waiting
     */
    public void awaitRunUnless(BooleanSupplier stop) throws InterruptedException {
        io.verdant.internal.det.DetScheduler det = runtime.det;
        if (det != null) {
            awaitRunUnless(det, stop);
        }
    }

    /** The wait of {@link #awaitRunUnless(BooleanSupplier)}; none for a caller inside the runtime. */
    private void awaitRunUnless(io.verdant.internal.det.DetScheduler det, BooleanSupplier stop)
            throws InterruptedException {
        if (current() == this || det.callerOnCarrier() || det.callerIsCarrier()) {
            return; // this runtime's own threads wait as usual; a self-join is refused by await
        }
        if (stop == null) {
            det.awaitEnd(this);
        } else {
            // A future's get (or join, which waits on and restores the status): an interrupted
            // caller does not wait, as the JDK's get does not. Registered as waiting, it let the
            // carrier find every thread blocked and fail the run with a deadlock that its get
            // then reported (DetOutsideFutureInterruptTest).
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted before waiting for " + pid());
            }
            det.awaitEndUnless(this, stop);
        }
    }

    /**
     * The wait of the {@code Future} view ({@code io.verdant.HandleFuture}): like
     * {@link #join(Duration)} without the outcome, but it also returns once
     * {@code stop} holds (whoever makes it hold unparks the caller). Any thread.
     *
     * @param deadline how long to wait; not {@link Deadline#NOW}
     * @param stop read after every wake-up (cheap, never blocks)
     * @throws CancelledException if the caller is cancelled or interrupted first
     * @throws TimedOutException if the deadline passes first
     * @throws IllegalStateException if the thread waits for itself
     */
    public void awaitEndUnless(Deadline deadline, BooleanSupplier stop) {
        Safepoints.poll();
        if (waitersAcquire() != DONE && !stop.getAsBoolean()) {
            if (runtime.det != null && deadline == Deadline.FOREVER) {
                // From outside a deterministic runtime: a failure of the run (a deadlock) is
                // thrown here, as join's (DetOutsideFutureTest)
                awaitDeterministic(runtime.det, stop, "Future.get");
            }
            await(deadline, stop);
        }
    }

    /**
     * The {@code Future} view, once it made the {@code stop} of its waiting
     * callers hold ({@link #awaitEndUnless}): unparks every thread now joining
     * this one; the view's callers return, other joiners re-check and park
     * again. A joiner pushes its node (CAS) and then reads {@code stop}; the
     * view writes stop (CAS) and then reads the waiters (volatile): either the
     * joiner sees stop or this sees its node. The view keeps no list of its own,
     * so a caller its runtime's close abandoned is dropped with its join node
     * (dropAbandoned), not kept by the view (AbandonedFutureGetterTest). Any
     * thread; never parks.
     */
    public void wakeJoiners() {
        unparkAll(waiters);
        wakeOutsideWaiters();
    }

    /**
     * A future of this thread's handle made the {@code stop} of its waiting
     * callers hold: in a deterministic runtime, the callers from outside in
     * {@link #awaitRunUnless} re-read it now rather than at their next poll.
     * Not from this runtime's own threads or carrier, which must not contend
     * for the scheduler's lock (their waiters re-read stop within 100 ms).
     * Any thread; never parks.
     */
    public void wakeOutsideWaiters() {
        io.verdant.internal.det.DetScheduler det = runtime.det;
        if (det != null && !det.callerOnCarrier() && !det.callerIsCarrier()) {
            det.wakeOutsideWaiters();
        }
    }

    private void await(Deadline deadline) {
        await(deadline, null);
    }

    /** Waits for DONE until {@code deadline}, or until {@code stop} (if not null) holds. */
    private void await(Deadline deadline, BooleanSupplier stop) {
        if (current() == this) {
            throw new IllegalStateException("a green thread cannot join itself: " + pid());
        }
        Waits.enter("join");
        Waiter node = new Waiter(Thread.currentThread(), null);
        Object head;
        do {
            head = waiters;
            if (head == DONE) {
                return;
            }
            node.next = head;
        } while (!casWaiters(head, node));
        // A join that times out or is cancelled unlinks its node (and any other
        // abandoned one), so memory stays bounded however many joins give up.
        Waits.Outcome outcome = Waits.Outcome.CANCELLED;
        try {
            outcome = Waits.await(this, deadline, stop == null ? () -> waitersAcquire() == DONE
                    : () -> waitersAcquire() == DONE || stop.getAsBoolean());
            if (outcome == Waits.Outcome.TIMED_OUT) {
                io.verdant.internal.sched.Faults.joinTimedOut();
            } else if (outcome == Waits.Outcome.CANCELLED) {
                io.verdant.internal.sched.Faults.joinCancelled();
            }
        } finally {
            if (outcome != Waits.Outcome.READY || (stop != null && waitersAcquire() != DONE)) {
                removeWaiter(node);
            }
        }
        // Ended as the wait timed out or was cancelled: its completion may have taken this
        // node as an observer of its outcome, which this join then reports instead (a failure
        // counted as observed and thrown to nobody was lost: JoinTimeoutRaceTest,
        // JoinCancelRaceTest). The caller's cancellation stays set for its next wait.
        if (outcome != Waits.Outcome.READY && waitersAcquire() != DONE) {
            if (outcome == Waits.Outcome.CANCELLED) {
                throw new CancelledException("cancelled or interrupted while joining " + pid());
            }
            throw new TimedOutException("green thread " + pid() + " still running after " + deadline.timeout());
        }
    }

    /**
     * Close of the runtime of {@code t}, a joiner of this thread that it
     * abandoned (this thread may be another runtime's): its node leaves the
     * waiters as a join that gave up does, so this thread's end neither wakes it
     * nor counts it as observing a failure it never sees. Any thread.
     */
    @Override
    public void dropAbandoned(Thread t) {
        for (Object h = waitersAcquire(); h instanceof Waiter q; h = q.next) {
            if (q.thread == t) {
                removeWaiter(q);
                return;
            }
        }
    }

    /**
     * The joiner that pushed {@code node}, after its join timed out or was
     * cancelled (or close, for a joiner it abandoned): unlinks it and any other
     * abandoned node (see "Completion state").
     */
    private void removeWaiter(Waiter node) {
        node.thread = null;
        retry:
        for (;;) {
            Object h = waiters;
            if (!(h instanceof Waiter)) {
                return; // DONE: completion took the stack; or empty
            }
            Waiter pred = null;
            for (Waiter q = (Waiter) h, s; q != null; q = s) {
                Object n = q.next;
                s = n instanceof Waiter w ? w : null;
                if (q.thread != null || q.action != null) {
                    pred = q;
                } else if (pred != null) {
                    pred.next = s;
                    if (pred.thread == null && pred.action == null) {
                        continue retry; // pred was abandoned meanwhile: its unlink may undo ours
                    }
                } else if (!casWaiters(q, s)) {
                    continue retry;
                }
            }
            return;
        }
    }

    /** Tests only: the number of nodes in the joiners' stack now (0 once DONE); a snapshot. */
    int waiterCount() {
        int n = 0;
        for (Object w = waiters; w instanceof Waiter node; w = node.next) {
            n++;
        }
        return n;
    }

    @SuppressWarnings("unchecked")
    private T outcomeOrThrow() {
        int s = statusAcquire();
        return switch (s) {
            case SUCCEEDED -> (T) outcome;
            case FAILED -> {
                if (runtime.det != null) {
                    runtime.det.failureObserved(this); // joined after it ended (Determinism.failOnUnjoinedFailure)
                }
                throw new GreenFailedException(pid(), name(), (Throwable) outcome);
            }
            case ABANDONED -> throw new CancelledException(
                    "runtime '" + runtime.name + "' closed before " + pid() + " ended");
            default -> throw new IllegalStateException("not finished: " + pid());
        };
    }

    /** The result if the thread succeeded; internal callers check {@link #isDone()} first. */
    Object rawOutcome() {
        return outcome;
    }

    /** The virtual thread that runs this green thread. */
    public Thread virtualThread() {
        return vthread;
    }

    /** Interrupts the virtual thread (cancellation; close cancels). */
    void interrupt() {
        Thread t = vthread;
        if (t != null) {
            t.interrupt();
        } else {
            ((EventActor) body).cancelled();
        }
    }

    /**
     * A dispatcher, on itself (it is in no queue while it runs), or the signaller waking
     * it from idle while it is parked (Dispatcher.wakeAt): runs, or is made runnable, at
     * {@code level} until changed.
     */
    void runAt(int level) {
        priority = level;
    }


    @Override
    public String toString() {
        String n = name(); // an event actor's own name: it has no thread
        return "GreenThread" + pid() + (n.isEmpty() ? "" : "[" + n + "]") + "[" + priority() + "]";
    }

    /**
     * A node of the waiters stack: a joiner, or (thread null, action set) an
     * onComplete callback; see "Completion state" for who writes what.
     */
    private static final class Waiter {
        /** The parked joiner; null once it gave up (timed out or cancelled), and for a callback node. */
        volatile Thread thread;
        /** The onComplete callback, or null for a joiner. */
        final java.util.function.BiConsumer<Object, Throwable> action;
        /** A callback node: it counts as observing a failure (set before the push CAS). */
        boolean observes;
        /** The node below, or null; written before the push CAS, then by removeWaiter. */
        volatile Object next;

        Waiter(Thread thread, java.util.function.BiConsumer<Object, Throwable> action) {
            this.thread = thread;
            this.action = action;
        }
    }

    // ------------------------------------------------------------------ accessors, named by access mode
    // (see the io.verdant.internal package comment; the field table there says
    // which class writes each field from which thread).

    /**
     * The starting thread (execute, the first submission): installs the JDK's
     * continuation runnable, once. A release store suffices: no other execute can
     * run before the thread has started (see "execute(Runnable) and foreign tasks"),
     * and every later one runs after the task was published through a run queue.
     */
    private void setRunContinuationRelease(Runnable r) {
        RUN_CONTINUATION.setRelease(this, r);
    }

    /**
     * Any thread: the status with acquire, pairing with the volatile CAS that set
     * it, so {@code outcome} (written plain before that CAS) reads as published.
     */
    private int statusAcquire() {
        return (int) STATUS.getAcquire(this);
    }

    /**
     * The completer only (finish, abandon, discardUnstarted: whoever emptied the pid
     * slot, see "Completion state"): the one transition out of ALIVE; release, so
     * {@code outcome}, written before, is seen by an acquiring read of status.
     */
    private void setStatusRelease(int terminal) {
        STATUS.setRelease(this, terminal);
    }

    /** Any thread: the joiners' stack (or DONE) with acquire; DONE is seen only after the outcome it publishes. */
    private Object waitersAcquire() {
        return WAITERS.getAcquire(this);
    }

    /** Joiners and onComplete (push), a joiner giving up (unlink): CAS of the stack's head. */
    private boolean casWaiters(Object expect, Object update) {
        return WAITERS.compareAndSet(this, expect, update);
    }

    /** Completion only (finish, abandon, discardUnstarted): takes the stack and leaves DONE, atomically. */
    private Object getAndSetWaiters(Object update) {
        return WAITERS.getAndSet(this, update);
    }

    /**
     * The registering thread (CancelNode.register), before its pushing CAS and
     * before the thread is published or started: sets {@code kin}; release
     * suffices, the CAS that publishes the registration orders it for anyone
     * who finds the thread through the chain, and the pid table's publication
     * for everyone else.
     */
    void setKinRelease(Object k) {
        KIN.setRelease(this, k);
    }

    /** CancelNode only, after start: CAS of {@code kin} (see the field table in package-info). */
    boolean casKin(Object expect, Object update) {
        return KIN.compareAndSet(this, expect, update);
    }

    private static final VarHandle RUN_CONTINUATION;
    private static final VarHandle STATUS;
    private static final VarHandle WAITERS;
    private static final VarHandle PREEMPT;
    private static final VarHandle KIN;
    private static final VarHandle CELL;
    private static final VarHandle QUEUED;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            RUN_CONTINUATION = l.findVarHandle(GreenThreadHead.class, "runContinuation", Runnable.class);
            STATUS = l.findVarHandle(GreenThread.class, "status", int.class);
            WAITERS = l.findVarHandle(GreenThread.class, "waiters", Object.class);
            PREEMPT = l.findVarHandle(GreenThread.class, "preempt", boolean.class);
            KIN = l.findVarHandle(GreenThreadHead.class, "kin", Object.class);
            CELL = l.findVarHandle(GreenThread.class, "cell", ActorCell.class);
            QUEUED = l.findVarHandle(GreenThreadHead.class, "queued", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
