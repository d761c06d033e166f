package io.verdant.internal;

import io.verdant.CancelledException;
import io.verdant.Config;
import io.verdant.GreenHandle;
import io.verdant.Pid;
import io.verdant.Priority;
import io.verdant.CancelToken;
import io.verdant.internal.det.DetScheduler;
import io.verdant.internal.sched.Scheduler;
import io.verdant.internal.timer.Clock;
import io.verdant.internal.timer.TimerWheel;
import io.verdant.internal.vthread.VirtualThreads;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;

/**
 * The state of one runtime behind the public {@code Verdant} facade: its
 * scheduler, pid table, lifecycle and failure reporting.
 *
 * <pre>
 * Lifecycle (state, one-way)
 *   RUNNING -> CLOSING    close(): no new spawns
 *   CLOSING -> CLOSED     close() finished: workers and ticker stopped
 *
 * Counting live threads (spawn versus close)
 *   live is a {@link LiveCount}, striped by carrier, whose carrier cells are
 *   single-writer release stores (issue 11: no atomic per spawn or exit).
 *   spawn reads {@code state} (an early refusal), then the pid table's
 *   allocation increments live and publishes the thread (a volatile store
 *   followed by a read of the table's closed flag: the table's Dekker pair
 *   with close, see PidTable), with nothing between that may unmount the
 *   spawner. So a spawn either fails (state CLOSING, or the table closed: a
 *   withdrawn publication decrements) or its thread is in close's snapshot,
 *   and then its +1 happened before close's reads of live (it precedes the
 *   publication that the snapshot read). The +1 used to come first: a
 *   spawner that unmounted before its publication (childValue parked, the
 *   table's lock yielded) while close stopped the carriers was abandoned and
 *   never resumed, and its child stayed counted after close
 *   (SpawnerUnmountedAtCloseTest). close waits for live to reach 0 by polling (step 3):
 *   an ending thread that sees the runtime closing unparks the closer, and
 *   the poll covers one that read the state just before close wrote it.
 *
 * Spawn versus close (why no spawned thread escapes close's cancellation)
 *   A spawn sets the thread up completely (virtual thread, registration in the
 *   cancellation tree, the bound of a bounded mailbox) and only then publishes
 *   it in the pid table, which
 *   fails once close has taken its snapshot (PidTable, "Closing"). So a thread
 *   close sees is one it can cancel (never a half-built one: no null virtual
 *   thread, no registration that would overwrite the cancelled token), and a
 *   thread close does not see is never started: its spawn throws
 *   IllegalStateException ("runtime closed"), as a spawn after close does.
 *   Close may cancel a published thread before its spawner starts it; the
 *   interrupt then waits on the unstarted virtual thread and the token stays
 *   cancelled, so its first blocking operation throws CancelledException.
 *   If close has also abandoned it (its shutdown timeout passed) before the
 *   start, the start is refused (GreenThread, "Starting an abandoned thread")
 *   and the spawn throws IllegalStateException, as a spawn after close does.
 *   The bound goes in before the publication for another reason: a published
 *   thread can be looked up and sent to, and a send made before its bound
 *   was in place would not be counted against the capacity.
 *
 * Shutdown (close)
 *   1. state = CLOSING; spawns now fail with IllegalStateException. Then the
 *      closing listeners run (waiters outside the runtime that wait for it to
 *      close, such as an executor's awaitTermination; each adds itself, then
 *      re-reads the state, so one added after this step sees CLOSING).
 *   2. close the pid table and cancel every green thread in it (which also
 *      interrupts it); Verdant's blocking operations throw CancelledException
 *      and JDK blocking calls return. Then end the event actors still queued
 *      for a dispatcher, all cancelled now (Dispatchers, "Shutdown").
 *   3. wait up to Config.shutdownTimeout for live to reach 0 and for the
 *      onComplete callbacks (and failureHandler calls) of ended threads to have run (inCallbacks: they run
 *      after their thread's -1 and may park; a close called from one, on the thread that
 *      ended an idle event actor, gives back its own: callbacksHere); ending threads unpark the closer;
 *      it also looks every CLOSE_POLL_NANOS. One that began before the JVM's
 *      shutdown looks for it every EXIT_LOOK_NANOS and, once begun, goes on as a
 *      close in a shutdown hook does (a hook's close waits for this monitor).
 *   4. abandon what is left: its handle completes with CancelledException (its
 *      links and monitors in other runtimes are told: ActorCell.abandoned), its
 *      pid dies, it leaves the cancellation tree as an ended thread does (so a
 *      token of another runtime, or a standalone one, no longer holds it and
 *      this runtime through it: CancelNode, "Ending"); a channel or mutex it
 *      was parked on drops its wait (AbandonedWaits); its continuation is
 *      never resumed. Close completes a thread
 *      only if it empties the thread's pid slot: one ending meanwhile that
 *      emptied it first completes itself (PidTable, "The slot's emptier
 *      completes the thread").
 *   5. stop the Green.blocking pool: running work is interrupted, queued work
 *      dropped (its callers were interrupted in step 2 or abandoned in step 4);
 *      waits up to min(shutdownTimeout, 1 s) for the running work to end, and
 *      reports (WARNING) how many works ignored the interrupt: they run on.
 *   6. terminate the scheduler: workers, ticker and spare carriers exit
 *      (submissions after this are dropped, never rejected), and report
 *      carriers stuck in a task. Then complete the threads that had emptied
 *      their pid slot and were off their carriers inside their exit signals (a
 *      contended cell monitor) or inside the cancel of children they handed up
 *      to a cancelled token (an onCancel action): never resumed, and not in step 4's snapshot,
 *      they were never done, their joiners waited forever and the live count
 *      kept them (StrandedEndCloseTest); their callbacks run off the closer. Once submissions are dropped, each thread
 *      abandoned in step 4 is asked to yield at its next safepoint, so one
 *      still running leaves its carrier there (askToYield). An interrupt of
 *      the closer while it waits for a deterministic carrier's loop ends the
 *      wait, not close: the interrupt status stays set.
 *      Then stop the traces still recording and wait for their collector
 *      threads (TraceSession.stopAll). Then wait, up to the shutdown timeout
 *      (at least 1 s), for the log writer to write the records green threads
 *      queued so far (OffThreadLog, "Flush").
 *   7. unregister the MXBean (if this runtime registered it), then state = CLOSED,
 *      the runtime leaves the table of open runtimes. The bean goes first: a
 *      thread that sees CLOSED (close's waiters, isClosed) and starts a runtime of
 *      this name must find the name free, or that runtime has no bean.
 *   Every step runs even if an earlier one threw (a defect, never expected): a
 *   close that fails part-way still ends CLOSED with its threads stopped, and
 *   throws the first failure once; a later close() returns at once.
 * </pre>
 */
public final class RuntimeCore {
    private static final System.Logger LOG = System.getLogger("io.verdant");
    /** Logger of green-thread failures nobody observed (see reportFailure). */
    public static final String FAILURES_LOGGER = "io.verdant.failures";
    private static final System.Logger FAILURES = System.getLogger(FAILURES_LOGGER);
    /** Where a throwing dead-letter handler is reported (DeadLetters' logger). */
    private static final System.Logger DEAD_LETTERS = System.getLogger(DeadLetters.LOGGER);
    private static final AtomicLong IDS = new AtomicLong();
    /** Open runtimes by id, so a message can be sent to a pid from any thread. */
    private static final ConcurrentHashMap<Long, RuntimeCore> OPEN = new ConcurrentHashMap<>();
    /**
     * A direct-mapped cache in front of {@link #OPEN} for the send path (issue 11:
     * OPEN's boxing and hashing were 7% of a one-message hand-off's samples).
     * Slot {@code id % RECENT_SLOTS} holds an open runtime with that id residue, or
     * null. A runtime enters its slot (release) after it entered OPEN, and leaves
     * it (CAS to null, only if still there) before it leaves OPEN; a later runtime
     * may take the slot over. So a hit whose id matches is in OPEN at the moment
     * of the read, exactly what {@link #of} returns; a miss falls back to OPEN.
     * 64 slots: more runtimes open at once than any use seen (tests open one or two
     * at a time); not measured beyond that.
     */
    private static final int RECENT_SLOTS = 64;
    private static final AtomicReferenceArray<RuntimeCore> RECENT = new AtomicReferenceArray<>(RECENT_SLOTS);

    static final int RUNNING = 0;
    static final int CLOSING = 1;
    static final int CLOSED = 2;

    public final long id;
    public final String name;
    final Config config;
    /** The scheduler of a normal runtime; null in a deterministic one. */
    public final Scheduler scheduler;
    /** The scheduler of a deterministic runtime; null in a normal one (see DetScheduler). */
    public final DetScheduler det;
    /** The runtime's one timer structure: sleep and every timeout. Driven by the ticker. */
    public final TimerWheel timers;
    final BlockingPool blockingPool;
    final PidTable pids;
    /**
     * The JDK thread container its green threads start in (RuntimeContainer): no
     * per-thread tracking beyond the pid table; thread dumps list them under it.
     */
    private final io.verdant.internal.vthread.RuntimeContainer container;
    private final BiConsumer<GreenHandle<?>, Throwable> failureHandler;
    /** The context class loader of the thread that started the runtime: its dispatchers'. */
    private final ClassLoader startLoader = Thread.currentThread().getContextClassLoader();
    private final BiConsumer<Pid, Object> deadLetterHandler;
    /** Where dead letters go when no handler is configured. */
    private final DeadLetters deadLetters;
    /** Dead letters so far: any thread adds (a LongAdder: senders to dead pids may be many and concurrent). */
    private final LongAdder deadLetterCount = new LongAdder();
    @SuppressWarnings("unused") private volatile int state;
    /** Green threads spawned and not yet ended, striped by carrier (see "Counting live threads"). */
    private final LiveCount live;
    private volatile Thread closer;
    /** The thread running a step of close off the closer (runOffTheCloser: the cancels, then the
     * abandoned threads' callbacks); null before close. */
    private volatile Thread closeCanceller;
    /**
     * Set once by the first close from a virtual thread, which starts the platform
     * thread that runs close's steps (closeOnPlatformThread); later virtual callers
     * wait for {@link #closed} instead of starting one each (ConcurrentVirtualClosersTest).
     */
    private final java.util.concurrent.atomic.AtomicBoolean platformCloserStarted =
            new java.util.concurrent.atomic.AtomicBoolean();
    /** Counted down once close has ended (state CLOSED), whoever ran it. */
    private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
    /**
     * Ended green threads still running their onComplete callbacks (GreenThread.finish
     * counts one before its live -1 and uncounts it after the callbacks): close's step 3
     * waits for these too, or a callback that parked (a sleep, a channel, a call: all
     * allowed in callbacks) after its thread's end was dropped by the carriers' stop and
     * never finished (CallbackFinishesBeforeCloseTest).
     */
    private final java.util.concurrent.atomic.AtomicInteger inCallbacks = new java.util.concurrent.atomic.AtomicInteger();
    /**
     * Ending threads inside their exit signals or the cancel of children they handed up
     * (GreenThread.finish: past their status write, before their -1), which may unmount there: whoever removes one completes it, the thread itself
     * or close once the carriers have stopped (completeStranded).
     */
    private final java.util.Set<GreenThread<?>> stranded = ConcurrentHashMap.newKeySet();
    /** Run once by close at step 1, on the closer; added and removed by their waiters (any thread). */
    private final ConcurrentLinkedQueue<Runnable> closingListeners = new ConcurrentLinkedQueue<>();
    /** Traces recording now: a TraceSession adds itself as it starts and removes itself as it
     * stops; close stops those left (step 6) so that no collector thread outlives it. */
    public final java.util.Set<io.verdant.internal.obs.TraceSession> traces = ConcurrentHashMap.newKeySet();
    /** Event-actor dispatch; null until the first event actor (see {@link #dispatchers()}). */
    private volatile Dispatchers dispatchers;
    /** Guards the creation of dispatchers (not this: close() holds this while it waits). */
    private final Object dispatchersLock = new Object();
    /** The public facade (an {@code io.verdant.Verdant}); set once right after construction. */
    public volatile Object facade;
    /** Config.cpuTiming: carriers time each slice of a green thread (two clock reads per dispatch). */
    final boolean cpuTiming;
    /** Whether this runtime registered its MXBean (Config.jmx, and no other runtime of this name held it):
     * only then does close() unregister the bean of its name, which is otherwise another runtime's. */
    private final boolean jmxRegistered;
    /** Statistics not kept per carrier (rare, or from threads that are not carriers); see internal.obs.Metrics. */
    public final AtomicLong spawnedElsewhere = new AtomicLong();
    public final AtomicLong exitedElsewhere = new AtomicLong();
    public final AtomicLong supervisorRestarts = new AtomicLong();
    /** Supervisors running now, by their own green thread (see internal.obs.SupervisorView). */
    public final ConcurrentHashMap<GreenThread<?>, io.verdant.internal.obs.SupervisorView> supervisors =
            new ConcurrentHashMap<>();

    public RuntimeCore(Config config) {
        this(config, Clock.SYSTEM);
    }

    /**
     * A runtime whose timers (sleep and every timeout) read {@code clock}: the
     * hook for a deterministic, virtual-time mode.
     */
    public RuntimeCore(Config config, Clock clock) {
        this(config, clock, null);
    }

    /**
     * A deterministic runtime: one carrier, run by {@code det}, which chooses
     * every next green thread from its seed; timers on its virtual clock; no
     * ticker, no Sysmon.
     */
    public RuntimeCore(Config config, DetScheduler det) {
        this(config, det.clock(), Objects.requireNonNull(det, "det"));
    }

    private RuntimeCore(Config config, Clock clock, DetScheduler det) {
        VirtualThreads.check();
        requireJmxModule(config);
        JdkPollers.ensureInitialised();
        this.id = IDS.incrementAndGet();
        this.config = config;
        this.name = config.name() != null ? config.name() : "verdant-" + id;
        this.failureHandler = config.failureHandler();
        this.deadLetterHandler = config.deadLetterHandler();
        this.cpuTiming = config.cpuTiming();
        // Rate limiting of dead-letter records is about log volume in real time, also
        // in deterministic mode (whose clock stands still while nothing is scheduled).
        this.deadLetters = new DeadLetters(name, Clock.SYSTEM::nanoTime);
        this.det = det;
        int carrierSlots = det == null ? config.workers() + config.maxSpareCarriers() : 0;
        this.live = new LiveCount(carrierSlots);
        this.pids = new PidTable(carrierSlots, this::carrierOfCaller,
                det == null ? PidTable.PAGE_SHIFT : PidTable.SMALL_PAGE_SHIFT);
        this.container = io.verdant.internal.vthread.RuntimeContainer.open("Verdant@" + name,
                () -> pids.snapshot().stream().map(g -> g.vthread).filter(Objects::nonNull));
        if (det == null) {
            this.scheduler = new Scheduler(name, config.workers(), config.stackSize(), config.timeslice().toNanos(),
                    config.stallThreshold().toNanos(), config.maxSpareCarriers(), this::reportInternalError, clock);
            this.blockingPool = new BlockingPool(name, config.blockingThreads());
            this.timers = new TimerWheel(clock, scheduler.ticker()::wakeForTimer, this::reportInternalError);
            scheduler.ticker().drive(timers);
            if (config.flightRecorder() > 0) {
                scheduler.traceControl().keepFlightRecorder(io.verdant.internal.obs.TraceSession.eventsFor(config.flightRecorder()));
            }
            scheduler.start();
        } else {
            this.scheduler = null;
            this.blockingPool = new BlockingPool(name, config.blockingThreads());
            // The carrier reads the wheel whenever it is idle; an action's throwable is logged, as with a ticker.
            this.timers = new TimerWheel(clock, deadline -> { }, this::reportInternalError);
            det.start(this, config.stackSize());
        }
        OPEN.put(id, this);
        RECENT.setRelease((int) (id % RECENT_SLOTS), this);
        boolean registered;
        try {
            io.verdant.internal.obs.Jfr.registerPeriodic();
            EagerClasses.initialize();
            registered = config.jmx() && io.verdant.internal.obs.Jmx.register(this);
        } catch (Throwable t) {
            // The carriers run, and the caller gets no runtime to close: close it here
            // (no green thread yet; no bean registered), then fail the start.
            try {
                close();
            } catch (Throwable c) {
                t.addSuppressed(c);
            }
            throw t;
        }
        this.jmxRegistered = registered;
    }

    /**
     * Fails, before anything starts, if {@code config} asks for the MXBean and the JVM
     * has no java.management (Verdant on the class path of an image or a
     * {@code --limit-modules} JVM without it): registering would throw
     * NoClassDefFoundError with the carriers already running.
     */
    private static void requireJmxModule(Config config) {
        if (config.jmx() && ModuleLayer.boot().findModule("java.management").isEmpty()) {
            throw new IllegalStateException("Config.jmx(true) (or -Dverdant.jmx=true) registers an MXBean, which needs"
                    + " the module java.management, and this JVM does not have it: add java.management to the"
                    + " runtime image (jlink --add-modules java.management), or turn jmx off");
        }
    }

    public Config config() {
        return config;
    }

    // ------------------------------------------------------------------ spawning

    /**
     * Spawns a green thread. Any thread.
     *
     * @throws IllegalStateException if the runtime is closing or closed
     */
    public <T> GreenThread<T> spawn(Callable<? extends T> body, String name, Priority priority) {
        return spawn(body, name, priority, null);
    }

    /**
     * Spawns a green thread registered for cancellation under {@code under}, or
     * (if null) under the calling green thread's token (a root thread when the
     * caller is not a green thread). Any thread.
     *
     * @throws IllegalStateException if the runtime is closing or closed
     */
    public <T> GreenThread<T> spawn(Callable<? extends T> body, String name, Priority priority, CancelToken under) {
        return spawn(body, name, priority, under, null);
    }

    /**
     * Like {@link #spawn(Callable, String, Priority, CancelToken)}, and linked to
     * {@code linkParent} (if not null) before it starts: {@code linkParent}
     * receives its exit as a {@code Signal} (see {@link ActorCell}). Any thread.
     *
     * @throws IllegalStateException if the runtime is closing or closed
     */
    public <T> GreenThread<T> spawn(Callable<? extends T> body, String name, Priority priority, CancelToken under,
                                    GreenThread<?> linkParent) {
        return create(body, name, priority, under, linkParent, null, true, null);
    }

    /**
     * Like {@link #spawn(Callable, String, Priority, CancelToken, GreenThread)},
     * with a bounded mailbox ({@code bound}; null: unbounded) in place before it
     * is published (before any send can reach it).
     *
     * @throws IllegalStateException if the runtime is closing or closed
     */
    public <T> GreenThread<T> spawn(Callable<? extends T> body, String name, Priority priority, CancelToken under,
                                    GreenThread<?> linkParent, MailboxBound bound) {
        return create(body, name, priority, under, linkParent, bound, true, null);
    }

    /**
     * Like {@link #spawn(Callable, String, Priority, CancelToken, GreenThread)}
     * but does not start the virtual thread: the caller starts
     * {@code virtualThread()} (a ThreadFactory's thread). The thread has its
     * pid, counts as live and is registered for cancellation from now on; a
     * thread never started is abandoned when the runtime closes. Any thread.
     *
     * @throws IllegalStateException if the runtime is closing or closed
     */
    public <T> GreenThread<T> createUnstarted(Callable<? extends T> body, String name, Priority priority,
                                              CancelToken under) {
        return create(body, name, priority, under, null, null, false, null);
    }

    /**
     * As {@link #createUnstarted(Callable, String, Priority, CancelToken)}, with a
     * bounded mailbox ({@code bound} null for the unbounded one).
     *
     * @param <T> the result type
     * @param body the body
     * @param name the thread's name
     * @param priority its priority
     * @param under its cancellation token, or null
     * @param bound its own mailbox bound, or null
     * @return the thread, not started
     */
    public <T> GreenThread<T> createUnstarted(Callable<? extends T> body, String name, Priority priority,
                                              CancelToken under, MailboxBound bound) {
        return create(body, name, priority, under, null, bound, false, null);
    }

    /**
     * Spawns a green thread that runs {@code body} and ends with a null result,
     * storing {@code body} itself as the thread's body (no adapter Callable: see
     * {@link GreenThread#run}); a body that is also a Callable is wrapped, so its
     * run() is what runs. Otherwise as {@link #spawn(Callable, String, Priority)}. Any thread.
     *
     * @throws IllegalStateException if the runtime is closing or closed
     */
    public GreenThread<Void> spawnRunnable(Runnable body, String name, Priority priority) {
        return spawnRunnable(body, name, priority, null, null, null);
    }

    /**
     * Like {@link #spawnRunnable(Runnable, String, Priority)}, with the options of
     * {@link #spawn(Callable, String, Priority, CancelToken, GreenThread, MailboxBound)}
     * (a Spawner's). Any thread.
     *
     * @throws IllegalStateException if the runtime is closing or closed
     */
    public GreenThread<Void> spawnRunnable(Runnable body, String name, Priority priority, CancelToken under,
                                           GreenThread<?> linkParent, MailboxBound bound) {
        Object b = body;
        if (body instanceof Callable<?>) {
            b = (Callable<Void>) () -> {
                body.run();
                return null;
            };
        }
        return create(b, name, priority, under, linkParent, bound, true, null);
    }

    /**
     * Like {@link #spawn(Callable, String, Priority, CancelToken, GreenThread)}, calling
     * {@code beforeStart} with the thread once it is published (its pid valid, linked to
     * {@code linkParent}) and before it starts, on the spawner: the thread sees whatever
     * {@code beforeStart} did (a supervisor lists a restarted child's new pid before the
     * child can run: SupervisorRestartSnapshotTest). If it throws, the spawn fails with it,
     * as one refused by close does. The spawner.
     *
     * @throws IllegalStateException if the runtime is closing or closed
     */
    public <T> GreenThread<T> spawn(Callable<? extends T> body, String name, Priority priority, CancelToken under,
                                    GreenThread<?> linkParent,
                                    java.util.function.Consumer<? super GreenThread<T>> beforeStart) {
        return create(body, name, priority, under, linkParent, null, true, Objects.requireNonNull(beforeStart));
    }

    private <T> GreenThread<T> create(Object body, String name, Priority priority, CancelToken under,
                                      GreenThread<?> linkParent, MailboxBound bound, boolean start,
                                      java.util.function.Consumer<? super GreenThread<T>> beforeStart) {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(priority, "priority");
        // Spawning is a safepoint: a green thread spawning in a long loop yields
        // here when its slice is over and other work waits (one read otherwise).
        Safepoints.point("Green.spawn");
        // Allocated before the live count: an allocation that fails (OutOfMemoryError)
        // must leave nothing counted (SpawnOutOfMemoryTest).
        io.verdant.internal.sched.Faults.spawnAllocating();
        GreenThread<T> g = new GreenThread<>(this, body, priority);
        // An early refusal; the pid table's Dekker pair with close decides (see "Spawn versus close").
        if (state != RUNNING) {
            throw new IllegalStateException("runtime '" + this.name + "' is closed: cannot spawn");
        }
        // The carrier is asked for the pid table's cache (and the live count) once the
        // virtual thread is built: the answer is valid until the caller next unmounts,
        // and that construction runs user code that may park or block on a monitor (the
        // JDK copies the spawner's inheritable thread locals: childValue). A spawner
        // that came back on the other carrier used the first carrier's cache while that
        // carrier's own threads did, and could hand one index to two threads
        // (SpawnCarrierMoveTest). Nothing between that question and the allocation
        // unmounts (the lock-free cancellation registration); the start may (the JDK's
        // thread container), so countSpawn asks again after it. The +1 is the pid
        // table's, right before the publication (see "Counting live threads").
        // Order (see "Spawn versus close" in the class comment): the thread is fully
        // set up (virtual thread, cancellation registration, mailbox bound) before it is published
        // in the pid table, because close() cancels whatever the table holds.
        boolean published = false;
        boolean closeTookIt = false;
        boolean bornCancelled = false;
        boolean counted = false;
        boolean recorded = false;
        Thread vt;
        GreenThread<?> spawner = GreenThread.current();
        if (spawner != null && spawner.runtime == this && !(body instanceof Dispatcher)) {
            // A dispatcher is the runtime's, whichever thread's send started it: no parent.
            g.parentIndex = spawner.index + 1;
            g.parentGeneration = spawner.generation;
        }
        try {
            java.util.concurrent.Executor scheduledBy = det == null ? g : det.executorFor(g);
            // A dispatcher starts on whichever thread's send first needs it and then runs every
            // event actor's handlers: it inherits nothing from that thread (its inheritable
            // thread locals reached every handler: EventActorThreadContextTest).
            vt = body instanceof Dispatcher
                    ? VirtualThreads.newThreadInheritingNothing(scheduledBy, name, g, g, startLoader)
                    : VirtualThreads.newThread(scheduledBy, name, g, g);
            g.vthread = vt;
            CancelNode own = null;
            if (under != null) {
                bornCancelled = CancelNode.registerUnder(under, g);
            } else if (spawner != null) {
                // The spawner registers in its own token's slots (it is the owner); the
                // read of its cancelled flag waits for the pid table's fence (CancelNode,
                // "One fence per spawn").
                own = CancelNode.of(spawner);
                int r = CancelNode.registerOwnDeferred(own, g);
                if (r != CancelNode.OWN_CHECK_PENDING) {
                    bornCancelled = r == 1;
                    own = null;
                }
            }
            if (bound != null) {
                // Before the publication: from then on anyone may look the thread up and
                // send, and a send the bound did not see would bypass its capacity.
                ActorCell.of(g).bound(bound);
            }
            int allocated = pids.allocate(g, carrierOfCaller(), live);
            if (allocated != PidTable.PUBLISHED) {
                // close() took its snapshot first: this thread would escape it.
                closeTookIt = allocated == PidTable.TAKEN;
                throw new IllegalStateException("runtime '" + this.name + "' is closed: cannot spawn");
            }
            published = true;
            if (own != null) {
                bornCancelled = CancelNode.bornCancelledAfterFence(own, g);
            }
            if (linkParent != null) {
                ActorCell.linkChild(linkParent, g);
            }
            io.verdant.internal.sched.Faults.spawnPublished();
            // Recorded before the start: once started, the thread may run and end (its
            // GreenThreadEnd) on another carrier before this spawner goes on (GreenThreadStartOrderTest).
            io.verdant.internal.obs.Jfr.threadStart(g);
            recorded = true;
            if (beforeStart != null) {
                beforeStart.accept(g);
            }
            if (start) {
                try {
                    container.start(vt);
                } catch (java.util.concurrent.RejectedExecutionException abandoned) {
                    // close() abandoned the thread between its publication and this start: its
                    // start is refused (GreenThread, "Starting an abandoned thread") and the JDK
                    // ended its virtual thread; the spawn fails as one after close does.
                    throw new IllegalStateException("runtime '" + this.name + "' is closed: cannot spawn", abandoned);
                }
                io.verdant.internal.sched.Faults.spawnStarted();
            }
            countSpawn(spawner);
            counted = true;
        } catch (Throwable t) {
            // Once published, close() may have abandoned the thread (and undone its
            // live count) first: whoever empties the slot completes the handle and
            // undoes the count (PidTable, "The slot's emptier completes the thread").
            // Not published: never counted live (PidTable, "Counting a spawn").
            if (published ? pids.free(g) : !closeTookIt) {
                g.discardUnstarted();
                if (published) {
                    threadEnded();
                }
                if (recorded) {
                    io.verdant.internal.obs.Jfr.threadAbandoned(g); // the end its start event needs
                }
            } else if (!counted) {
                // Close abandoned it, counted its exit and committed its end event: it counts
                // as spawned too, and its start event pairs that end (SpawnCloseRaceTest).
                countSpawn(spawner);
                if (!recorded) {
                    io.verdant.internal.obs.Jfr.threadStart(g);
                }
            }
            throw t;
        }
        // close() may have cancelled it between publication and start: the interrupt
        // it made then is kept by the JDK (an unstarted thread keeps its interrupt
        // status); this one makes it certain. (Not started here, createUnstarted: the
        // thread keeps the flag and starts interrupted.)
        if (bornCancelled || g.isCancelled()) {
            vt.interrupt();
        }
        if (det != null && start) {
            // Deterministic mode: a point after the spawn, so the child may run before its parent goes on.
            Safepoints.point("Green.spawn");
        } else if (spawner != null && start) {
            // Back-pressure: a spawn that overflowed the carrier's ring yields here
            // (Scheduler, "Back-pressure on a spawner").
            Scheduler.yieldIfSpawnOverflowed();
        }
        return g;
    }

    /**
     * Spawns an event actor (see {@link EventActor}): a pid, a mailbox, links and
     * a cancel token like a green thread, no thread of its own. Registered for
     * cancellation under {@code under}, or else under the calling green thread
     * (or event actor); linked to {@code linkParent} if not null. Any thread.
     *
     * @throws IllegalStateException if the runtime is closing or closed
     */
    public <S> GreenThread<S> spawnEvent(S initial, io.verdant.Behavior<S> behavior, String name, Priority priority,
                                         int throughput, boolean trapExits, CancelToken under,
                                         GreenThread<?> linkParent) {
        Objects.requireNonNull(behavior, "behavior");
        Objects.requireNonNull(priority, "priority");
        Safepoints.poll();
        // Allocated before the live count, as in create (SpawnOutOfMemoryTest).
        io.verdant.internal.sched.Faults.spawnAllocating();
        GreenThread<S> g = new GreenThread<>(this, null, priority);
        // An early refusal; counted live by the pid table's allocation, as in create.
        if (state != RUNNING) {
            throw new IllegalStateException("runtime '" + this.name + "' is closed: cannot spawn");
        }
        GreenThread<?> spawner = GreenThread.current(); // an actor, in a handler
        if (spawner != null && spawner.runtime == this) {
            g.parentIndex = spawner.index + 1; // its parent, as a thread's (snapshots, dumps, JFR)
            g.parentGeneration = spawner.generation;
        }
        EventActor a = new EventActor(this, g, name == null ? "" : name, initial, behavior, throughput);
        @SuppressWarnings("unchecked")
        java.util.concurrent.Callable<S> body = (java.util.concurrent.Callable<S>) (java.util.concurrent.Callable<?>) a;
        g.body = body;
        g.cell = a.cell;
        a.cell.trapExits(trapExits);
        // The same order as spawn: set up and registered for cancellation before
        // it is published in the pid table (close() cancels what the table holds).
        boolean bornCancelled = false;
        boolean closeTookIt = false;
        try {
            if (under != null) {
                bornCancelled = CancelNode.registerUnder(under, g);
            } else {
                GreenThread<?> parent = GreenThread.current();
                if (parent != null) {
                    bornCancelled = CancelNode.registerOwn(CancelNode.of(parent), g);
                }
            }
            int allocated = pids.allocate(g, carrierOfCaller(), live);
            if (allocated != PidTable.PUBLISHED) {
                closeTookIt = allocated == PidTable.TAKEN;
                throw new IllegalStateException("runtime '" + this.name + "' is closed: cannot spawn");
            }
        } catch (Throwable t) {
            // Not published (the allocation is the last step), so not counted live: the spawner
            // completes it, unless close emptied the slot first (PidTable, "The slot's emptier
            // completes the thread").
            if (!closeTookIt) {
                g.discardUnstarted();
            } else {
                // Close abandoned it, counted its exit and committed its end event (as in create).
                countSpawn(GreenThread.current());
                io.verdant.internal.obs.Jfr.threadStart(g);
            }
            throw t;
        }
        if (linkParent != null) {
            try {
                ActorCell.linkChild(linkParent, g);
            } catch (Throwable t) {
                // Published, never released to run: undone as create undoes a failed spawn
                // after publication (neither counted nor recorded as started), unless close
                // emptied the slot first: close counted its exit, so it counts as spawned too.
                if (pids.free(g)) {
                    g.discardUnstarted();
                    threadEnded();
                } else {
                    countSpawn(GreenThread.current());
                    io.verdant.internal.obs.Jfr.threadStart(g);
                }
                throw t;
            }
        }
        countSpawn(GreenThread.current());
        // Before released(): the actor cannot end (and commit its GreenThreadEnd) before this.
        io.verdant.internal.obs.Jfr.threadStart(g);
        if (bornCancelled || g.isCancelled()) {
            a.cancelled(); // sets its cancel flag only: the actor is still this spawner's
        }
        a.released(); // the actor was this spawner's since construction (EventActor: ended here if cancelled)
        return g;
    }

    /** This runtime's event-actor dispatch, created on first use. Any thread. */
    Dispatchers dispatchers() {
        Dispatchers d = dispatchers;
        if (d == null) {
            synchronized (dispatchersLock) {
                d = dispatchers;
                if (d == null) {
                    // Deterministic: one carrier, whatever Config.workers() (by default the
                    // machine's core count) says, so a seed starts the same dispatchers everywhere.
                    d = dispatchers = new Dispatchers(this, det == null ? config.workers() : 1);
                }
            }
        }
        return d;
    }

    /** Dispatcher green threads alive now (0 before the first event actor); a snapshot. */
    public int eventDispatchers() {
        Dispatchers d = dispatchers;
        return d == null ? 0 : d.dispatchers();
    }

    /** Counts a spawn on the spawner's carrier (single writer) or, from elsewhere, in an atomic. */
    private void countSpawn(GreenThread<?> spawner) {
        io.verdant.internal.sched.Worker w = spawner == null || spawner.runtime != this ? null : io.verdant.internal.sched.Worker.ofCaller();
        if (w != null && w.currentTask() == spawner) {
            w.counters.spawned++;
        } else {
            spawnedElsewhere.incrementAndGet();
        }
    }

    /**
     * Any thread: the index of this runtime's carrier the caller runs on, or -1
     * (not a green thread of this runtime's carriers: a platform thread, another
     * runtime's carrier, foreign work, a deterministic runtime). Valid until the
     * caller next unmounts (parks, yields, blocks on a monitor); the per-carrier
     * structures (PidTable's caches, the live count) use it only within such a
     * stretch.
     */
    int carrierOfCaller() {
        if (scheduler == null) {
            return -1;
        }
        // The carrier first, then whether the task it runs is the caller's green thread:
        // the same answer as asking GreenThread.mounted() first (a green thread's
        // vthread is set before its start and is the current thread only while it is
        // mounted), without Thread.getUncaughtExceptionHandler, whose isTerminated check
        // reads and switches on the virtual thread's state (issue 11: asked on every
        // spawn and exit; 13 % of spawn's samples at 2 workers were in mounted()).
        // currentTask is written by this same carrier, so the read is current.
        io.verdant.internal.sched.Worker w = io.verdant.internal.sched.Worker.ofCaller();
        return w != null && w.scheduler() == scheduler && w.currentTask() instanceof GreenThread<?> m
                && m.vthread == Thread.currentThread() ? w.index() : -1;
    }

    /** A snapshot of the live green threads (any thread; see PidTable.snapshot). */
    public List<GreenThread<?>> threads() {
        return pids.snapshot();
    }

    /** The open runtimes (any thread; a snapshot), for JVM-wide observers such as JFR periodic events. */
    public static java.util.Collection<RuntimeCore> open() {
        return List.copyOf(OPEN.values());
    }

    /** The live green thread named by {@code pid}, or null if it is stale, dead or foreign. */
    public GreenThread<?> lookup(Pid pid) {
        Objects.requireNonNull(pid, "pid");
        if (!owns(pid)) {
            return null;
        }
        GreenThread<?> g = pids.lookup(Pids.index(pid), Pids.generation(pid));
        return g != null && !g.isDone() ? g : null;
    }

    /**
     * The open runtime {@code pid} belongs to, or null. Any thread.
     *
     * @param pid a pid of any runtime
     * @return its runtime if open
     */
    public static RuntimeCore of(Pid pid) {
        long id = Pids.runtimeId(pid);
        RuntimeCore r = RECENT.getAcquire((int) (id % RECENT_SLOTS));
        return r != null && r.id == id ? r : OPEN.get(id);
    }

    /**
     * True if {@code pid} was made by this runtime (alive or not). Any thread.
     *
     * @param pid a pid
     * @return whether it is one of this runtime's
     */
    public boolean owns(Pid pid) {
        return Pids.runtimeId(pid) == id;
    }

    /**
     * Any thread. Enqueues {@code msg} in the mailbox of {@code pid}; false (and
     * a dead letter) if {@code pid} named no live green thread when looked up.
     */
    public static boolean send(Pid pid, Object msg) {
        return send(pid, msg, Deadline.FOREVER);
    }

    /**
     * Any thread. Like {@link #send(Pid, Object)}, for a sender with a deadline
     * of its own (a call's request): waiting for room in a BLOCK mailbox ends
     * at {@code limit} if that comes before the mailbox's block timeout.
     *
     * @throws io.verdant.TimedOutException if {@code limit} passed while waiting for room (nothing was sent)
     */
    public static boolean send(Pid pid, Object msg, Deadline limit) {
        // A scheduling point of the user's send (not of the runtime's own deliveries: timers, signals).
        Safepoints.point("Green.send");
        return offer(pid, msg, true, limit);
    }

    /**
     * Any thread. Like {@link #send}; a bounded mailbox applies its overflow
     * policy (see {@link MailboxBound}); {@code mayBlock} false makes a BLOCK
     * mailbox drop instead of waiting (timers).
     *
     * @return true if enqueued; false if the pid was dead or the message was dropped (a dead letter)
     */
    public static boolean offer(Pid pid, Object msg, boolean mayBlock) {
        return offer(pid, msg, mayBlock, Deadline.FOREVER);
    }

    private static boolean offer(Pid pid, Object msg, boolean mayBlock, Deadline limit) {
        Objects.requireNonNull(pid, "pid");
        Objects.requireNonNull(msg, "msg");
        RuntimeCore rt = of(pid);
        GreenThread<?> g = rt == null ? null : rt.lookup(pid);
        if (rt != null && rt.det != null) {
            rt.det.delivery("Green.send to " + pid);
        }
        if (g == null) {
            if (rt != null) {
                rt.deadLetter(pid, msg);
            }
            return false;
        }
        io.verdant.internal.sched.Faults.sendLookedUp();
        int outcome = ActorCell.of(g).offer(pid, msg, mayBlock, limit);
        if (outcome != MailboxBound.DELIVERED) {
            rt.deadLetter(pid, msg, outcome == MailboxBound.DROPPED ? DeadLetters.MAILBOX_FULL : DeadLetters.NO_SUCH_THREAD);
            return false;
        }
        return true;
    }

    /**
     * Any thread. A message to {@code pid} that could not be delivered (dead,
     * stale, or dropped by its bounded mailbox): counted, then given to the
     * configured handler, else (while the runtime runs; dead letters during
     * close are expected) a rate-limited INFO record (see {@link DeadLetters}).
     *
     * @param pid the addressee
     * @param msg the message that was not delivered
     */
    public void deadLetter(Pid pid, Object msg) {
        deadLetter(pid, msg, DeadLetters.NO_SUCH_THREAD);
    }

    /**
     * Like {@link #deadLetter(Pid, Object)}, with why it was not delivered (a
     * {@link DeadLetters} reason: the INFO record says it).
     *
     * @param pid the addressee
     * @param msg the message that was not delivered
     * @param reason one of DeadLetters' reasons
     */
    public void deadLetter(Pid pid, Object msg, String reason) {
        deadLetterCount.increment();
        io.verdant.internal.obs.Jfr.deadLetter(this, pid, msg);
        if (deadLetterHandler != null) {
            Thread self = Thread.currentThread();
            if (self instanceof io.verdant.internal.sched.Ticker || self instanceof io.verdant.internal.sched.Worker
                    || det != null && det.callerIsCarrier()) {
                // Raised on one of the runtime's own platform threads (a timer's send fires on the
                // ticker, or on a deterministic runtime's only carrier): a handler that blocks there
                // (a logging backend, a full queue) would stop every timer, time slice and stall
                // check of the runtime (DeadLetterHandlerOnTickerTest), or every green thread of a
                // deterministic one, unseen by its slice watchdog (DetDeadLetterHandlerBlocksTest).
                // It runs on a green thread of its own instead (in deterministic mode an internal
                // spawn: a step of the schedule like any other).
                try {
                    spawn(() -> {
                        callDeadLetterHandler(pid, msg);
                        return null;
                    }, "deadLetterHandler", Priority.NORMAL, CancelToken.create());
                    return;
                } catch (RuntimeException closing) {
                    // The runtime is closing (no green thread can start): its ticker is stopping, so here.
                }
            }
            callDeadLetterHandler(pid, msg);
        } else if (state == RUNNING) {
            deadLetters.record(pid, msg, reason);
        }
    }

    private void callDeadLetterHandler(Pid pid, Object msg) {
        try {
            deadLetterHandler.accept(pid, msg);
        } catch (Throwable t) {
            // The user's handler failed, not Verdant: said so, on the dead letters' logger.
            OffThreadLog.log(DEAD_LETTERS, System.Logger.Level.ERROR, "runtime '" + name
                    + "': the deadLetterHandler threw for a message to " + pid, t);
        }
    }

    /** Dead letters counted since start (see {@link #deadLetter}); a snapshot. Any thread. */
    public long deadLetterCount() {
        return deadLetterCount.sum();
    }

    /** Number of green threads spawned and not yet ended; a snapshot (see {@link LiveCount#sum}). */
    public long liveThreads() {
        return live.sum();
    }

    public boolean isClosed() {
        return state != RUNNING;
    }

    /**
     * Any thread: {@code listener} runs on the closer when close begins (step 1),
     * unless removed first. The caller re-checks {@link #isClosed()} after
     * adding: a close that began before may have run the listeners already.
     *
     * @param listener what to run; short, and never blocking
     */
    public void addClosingListener(Runnable listener) {
        closingListeners.add(listener);
    }

    /**
     * Any thread: removes a listener added by {@link #addClosingListener}.
     *
     * @param listener the same object that was added
     */
    public void removeClosingListener(Runnable listener) {
        closingListeners.remove(listener);
    }

    /**
     * Per thread, how many of {@link #inCallbacks} it holds itself: those of event actors
     * it ended ({@code g.vthread == null}: an idle actor's canceller runs its callbacks and
     * its failureHandler call). A close called from one of them gives them back while it
     * runs ({@link #close()}), so that it neither waits for itself nor keeps a close under
     * way waiting for it (EventActorCallbackClosesTest). A green thread's callbacks run on
     * itself, where close throws: not tracked.
     */
    private final ThreadLocal<int[]> callbacksHere = new ThreadLocal<>();

    /** An ended green thread {@code g} is about to run its onComplete callbacks: close waits for them (before its live -1). */
    void callbacksStarting(GreenThread<?> g) {
        inCallbacks.incrementAndGet();
        if (g.vthread == null) {
            heldHere(1);
        }
    }

    /** The caller's count in {@link #callbacksHere}, changed by {@code delta}. */
    private void heldHere(int delta) {
        int[] held = callbacksHere.get();
        if (held == null) {
            callbacksHere.set(held = new int[1]);
        }
        if ((held[0] += delta) == 0) {
            callbacksHere.remove();
        }
    }

    /**
     * Whether Config.failureHandler is set: a failed thread calls it after its -1, and
     * counts it with {@link #callbacksStarting} first (FailureHandlerFinishesBeforeCloseTest).
     */
    boolean hasFailureHandler() {
        return failureHandler != null;
    }

    /** The callbacks counted by {@link #callbacksStarting} for {@code g} have run. On the thread that counted them. */
    void callbacksDone(GreenThread<?> g) {
        if (g.vthread == null) {
            heldHere(-1);
        }
        callbacksGivenBack(1);
    }

    /** {@code n} of {@link #inCallbacks} are given back: the closer is told once none is left. */
    private void callbacksGivenBack(int n) {
        if (inCallbacks.addAndGet(-n) == 0 && state != RUNNING) {
            Thread c = closer;
            if (c != null) {
                LockSupport.unpark(c);
            }
        }
    }

    /**
     * An ending thread, before its exit signals or its cancel of handed-up children: lists it
     * for close (see {@link #stranded}).
     * False if it could not be listed (out of memory): it then completes itself only.
     */
    boolean strandable(GreenThread<?> g) {
        try {
            return stranded.add(g);
        } catch (Throwable t) {
            return false;
        }
    }

    /** The ending thread listed by {@link #strandable}: true if it still completes itself, false if close did. */
    boolean unstranded(GreenThread<?> g) {
        return stranded.remove(g);
    }

    /**
     * Close, once the carriers have stopped (step 6): completes the ending threads still
     * listed, which were off their carriers inside their exit signals (or their cancel of
     * handed-up children) and are never resumed.
     * Their onComplete callbacks run off the closer, as the abandoned threads' do.
     */
    private void completeStranded() {
        List<Runnable> callbacks = new ArrayList<>();
        for (GreenThread<?> g : stranded) {
            if (stranded.remove(g)) {
                Object w = g.completeStranded();
                if (w != null) {
                    callbacks.add(() -> g.runAbandonedCallbacks(w));
                }
            }
        }
        if (!callbacks.isEmpty()) {
            Runnable all = () -> callbacks.forEach(Runnable::run);
            if (det != null) {
                all.run();
            } else {
                runOffTheCloser(all, 0, "stranded-callbacks", "an onComplete callback of a stranded green thread");
            }
        }
    }

    /** A green thread of this runtime ended (or never started): one fewer live. Any thread. */
    void threadEnded() {
        threadEnded(carrierOfCaller());
    }

    /**
     * As {@link #threadEnded()}, with the caller's carrier already known ({@code
     * carrier}: what {@link #carrierOfCaller} answered since the caller last unmounted).
     */
    void threadEnded(int carrier) {
        live.add(carrier, -1L);
        if (state != RUNNING && live.sum() <= 0) {
            // The sum may read another carrier's -1 late: the closer's poll covers that (see LiveCount).
            Thread c = closer;
            if (c != null) {
                LockSupport.unpark(c);
            }
        }
    }

    // ------------------------------------------------------------------ failures

    /**
     * The failing thread {@code g}, once, after its completion: where a failure
     * goes when it is not only delivered to joiners, links and monitors.
     * <ol>
     * <li>A configured failure handler gets every failure, and nothing is logged.
     * <li>Otherwise a failure nobody observed is logged at WARNING with its stack
     *     trace on the {@value #FAILURES_LOGGER} logger, as the JDK prints an
     *     uncaught exception. Unobserved means: when the thread ended, no thread
     *     was waiting in {@code join} on it, its exit reached no live linked
     *     thread (or linked parent; a kill that found the peer already killed or
     *     ending reached nothing) and no monitor, and it did not run in a
     *     {@code Scope}; and the failure is not a {@link CancelledException}
     *     (the normal end of a cancelled thread, close included).
     * <li>Any other failure is logged at DEBUG.
     * </ol>
     *
     * @param observed whether the failure reached a joiner, link, monitor or scope
     */
    void reportFailure(GreenThread<?> g, Throwable failure, boolean observed) {
        try {
            if (failureHandler != null) {
                failureHandler.accept(g, failure);
            } else if (!observed && !(failure instanceof CancelledException)) {
                if (det != null) {
                    det.unobservedFailure(g, failure); // Determinism.failOnUnjoinedFailure
                }
                OffThreadLog.log(FAILURES, System.Logger.Level.WARNING, "runtime '" + name + "': green thread " + g
                        + " failed and nobody joined, linked or monitored it (set Config.failureHandler to route"
                        + " such failures)", failure);
            } else if (FAILURES.isLoggable(System.Logger.Level.DEBUG)) {
                OffThreadLog.log(FAILURES, System.Logger.Level.DEBUG,
                        "runtime '" + name + "': green thread " + g + " failed", failure);
            }
        } catch (Throwable handlerFailure) {
            if (failureHandler != null) {
                // The user's handler failed, not Verdant: said so, with what it was handling.
                OffThreadLog.log(FAILURES, System.Logger.Level.ERROR, "runtime '" + name + "': the failureHandler threw"
                        + " while handling the failure of green thread " + g + " (" + failure.getClass().getName()
                        + ")", handlerFailure);
            } else {
                reportInternalError(handlerFailure);
            }
        }
    }

    /**
     * The uncaught-exception handler user code installed on green thread {@code g}'s
     * thread threw {@code thrown} while handling g's {@code failure}: logged at ERROR
     * (the JDK ignores what such a handler throws). On g's thread.
     */
    void reportUncaughtHandlerFailure(GreenThread<?> g, Throwable failure, Throwable thrown) {
        try {
            OffThreadLog.log(FAILURES, System.Logger.Level.ERROR, "runtime '" + name + "': the uncaught-exception"
                    + " handler of green thread " + g + " threw while handling its failure ("
                    + failure.getClass().getName() + ")", thrown);
        } catch (Throwable t) {
            reportInternalError(t);
        }
    }

    /**
     * A snapshot of the live green threads in pid-index order (for the
     * deterministic scheduler's deadlock report and diagnostics). Any thread.
     */
    public List<GreenThread<?>> liveGreenThreads() {
        return pids.snapshot();
    }

    /** Reports a defect of Verdant itself (logged off-thread; never thrown into user code). Any thread. */
    public void reportInternalError(Throwable t) {
        OffThreadLog.log(LOG, System.Logger.Level.ERROR, "runtime '" + name + "': unexpected error", t);
    }

    // ------------------------------------------------------------------ shutdown

    /**
     * Closes the runtime (steps in the class comment). Idempotent; returns once
     * the carriers have stopped (on the ticker while another thread closes: at once). Must not be called from one of this runtime's
     * green threads. Every step runs even if an earlier one fails; the runtime
     * then ends closed and the first failure is thrown, once (a later call
     * returns at once).
     *
     * @throws IllegalStateException if called from one of this runtime's green threads, or from
     *         another thread that runs on its carriers (a virtual thread started inside one of them)
     */
    public void close() {
        GreenThread<?> self = GreenThread.current();
        if (self != null && self.runtime == this) {
            throw new IllegalStateException("runtime '" + name + "' cannot be closed from its own green thread " + self.pid());
        }
        if (det != null ? det.callerOnCarrier()
                : io.verdant.internal.sched.Worker.ofCaller() instanceof io.verdant.internal.sched.Worker w
                        && w.scheduler() == scheduler) {
            // A virtual thread a green thread started (Thread.ofVirtual(), an executor, a
            // structured fork) inherits this runtime as its scheduler: its close would park
            // in step 6 on a carrier that stops, never resume, and keep this monitor.
            // A deterministic runtime's carrier itself runs a deadLetterHandler called for a
            // timer's send while the runtime closes: that caller is no virtual thread, and is told so.
            throw new IllegalStateException("runtime '" + name + "' cannot be closed from " + Thread.currentThread()
                    + (Thread.currentThread().isVirtual()
                            ? ", which runs on its carriers (a virtual thread started inside one of its green threads)"
                            : det != null ? ", its deterministic carrier (a deadLetterHandler called for a timer's"
                                    + " send while the runtime closes runs there)" : ", one of its carrier threads"));
        }
        if (state == CLOSED || Thread.currentThread() == closeCanceller) {
            return; // the second: an onCancel action that close's cancel runs (see closeHere)
        }
        if (scheduler != null && Thread.currentThread() == scheduler.ticker() && state != RUNNING) {
            // A deadLetterHandler on the ticker while another thread closes (no green thread
            // can start for it then): that close waits for the ticker to stop, and this one
            // waited for its monitor, each until the first one's wait for the ticker timed
            // out (CloseOnTickerWhileClosingTest). The close in progress finishes closing.
            return;
        }
        // Called from a callback (or failureHandler call) of an event actor this thread ended:
        // the close gives back what it holds of inCallbacks while it runs, as it would wait for
        // itself (and a close under way, whose monitor it waits for, for it) the whole timeout.
        int[] heldHere = callbacksHere.get();
        int held = heldHere == null ? 0 : heldHere[0];
        if (held > 0) {
            callbacksGivenBack(held);
        }
        try {
            closeFromCaller(self);
        } finally {
            if (held > 0) {
                inCallbacks.addAndGet(held); // its callbacksDone takes them back again
            }
        }
    }

    /** close(), past its refusals and returns at once: runs the steps here or on a platform thread. */
    private void closeFromCaller(GreenThread<?> self) {
        if (Thread.currentThread().isVirtual() && !(self != null && self.runtime.det != null)) {
            // A green thread of another runtime (or a virtual thread on its carriers) that
            // closes this one may be abandoned by its own runtime's close while it waits
            // here: it never runs again, and it held this monitor for good, so this runtime
            // stayed CLOSING, its carriers ran on and every later close() hung
            // (CloseFromAbandonedGreenThreadTest). The steps run on a platform thread of
            // their own, which finishes them whatever becomes of the caller. Not for a
            // deterministic runtime's green thread: that one must not wait on outside threads.
            if (platformCloserStarted.compareAndSet(false, true)) {
                closeOnPlatformThread();
            } else {
                awaitClosed(); // one platform thread per runtime, however many virtual callers
            }
            return;
        }
        closeHere();
    }

    /**
     * A virtual caller of close while another close runs on its platform thread:
     * waits for it to end, uninterruptibly (an interrupt is set again on return, as
     * close does). Holds nothing while it waits, so its own abandonment keeps no close.
     */
    private void awaitClosed() {
        Waits.uninterruptibly(closed::await);
    }

    /**
     * {@link #close()} from a virtual thread: runs the steps on a new platform
     * thread and waits for it, uninterruptibly (an interrupt of the caller is set
     * again on return, as close does); its failure is thrown here.
     */
    private void closeOnPlatformThread() {
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(null, () -> {
            try {
                closeHere();
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, name + "-closer", 0, false);
        t.setDaemon(true);
        try {
            t.start();
        } catch (Throwable e) {
            platformCloserStarted.set(false); // nothing started: the next close tries again
            throw e;
        }
        Waits.uninterruptibly(t::join);
        if (failure[0] instanceof RuntimeException e) {
            throw e;
        }
        if (failure[0] instanceof Error e) {
            throw e;
        }
    }

    /**
     * closeHere's cancel of every live thread, on a daemon platform thread of its
     * own: the cancels run the threads' onCancel actions, user code that may
     * block. Run on the closer, one blocking action held close past its shutdown
     * timeout for as long as it blocked, and the threads after it uncancelled
     * (CloseBlockingOnCancelTest). The closer waits for it at most
     * {@code timeout}, at least 1 s (uninterruptibly; true if interrupted), then goes on: the
     * threads still live are abandoned as at any timeout. An action that calls
     * close on that thread returns at once, as on the closer (close). If the
     * thread cannot start, the closer cancels them itself. The same for the
     * onComplete callbacks of the threads close abandons (abandonTheRest; at
     * most 1 s: the shutdown timeout has passed).
     */
    private boolean runOffTheCloser(Runnable work, long timeout, String step, String what) {
        Thread t = new Thread(null, work, name + "-close-" + step, 0, false);
        t.setDaemon(true);
        closeCanceller = t;
        try {
            t.start();
        } catch (Throwable notStarted) {
            closeCanceller = Thread.currentThread();
            work.run();
            return false;
        }
        boolean interrupted = false;
        // At least 1 s, as for the carriers: with a zero timeout the cancels, quick as a rule,
        // still run (and their actions end) before close abandons the threads.
        long deadline = System.nanoTime() + Math.max(timeout, 1_000_000_000L);
        for (long left; t.isAlive() && (left = deadline - System.nanoTime()) > 0; ) {
            try {
                t.join(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(left) + 1);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (t.isAlive()) {
            LOG.log(System.Logger.Level.WARNING, "runtime '" + name + "': " + what
                    + " still blocks after the shutdown timeout; close goes on without it");
        }
        return interrupted;
    }

    /** The steps of {@link #close()}, on the closing thread: a platform thread, or a deterministic runtime's green thread. */
    private synchronized void closeHere() {
        if (state == CLOSED || closer == Thread.currentThread()) {
            // The second test: a close made by close's own steps on its thread (an onCancel
            // action its cancel runs, an abandoned thread's onComplete callback) re-entered
            // this monitor and ran every step again inside the first (CloseWithinCloseTest).
            return;
        }
        Throwable failure = null;
        // Close waits as ExecutorService.close does: an interrupt of the closer (before or
        // during close) does not cut a wait short; it is kept and set again on return.
        // Left set, every timed park of close would return at once: step 3 would spin for
        // the whole shutdown timeout and step 6 stop waiting for the carriers.
        boolean interrupted = Thread.interrupted();
        closer = Thread.currentThread();
        boolean jvmExiting = det == null && jvmShuttingDown();
        if (det != null) {
            det.closing();
        } else if (jvmExiting) {
            scheduler.resumeOnDefaultAfterTermination();
        }
        setStateVolatile(CLOSING);
        try {
            for (Runnable listener : closingListeners) {
                try {
                    listener.run();
                } catch (Throwable t) {
                    failure = firstFailure(failure, t);
                }
            }
            long timeout = 0;
            try {
                timeout = toNanos(config.shutdownTimeout(), "shutdownTimeout");
            } catch (Throwable t) {
                failure = firstFailure(failure, t);
            }
            if (det != null && det.stuck()) {
                timeout = 0; // the slice watchdog gave the only carrier up: nothing else can run, so don't wait
            }
            try {
                List<GreenThread<?>> all = pids.closeAndSnapshot();
                Throwable[] cancelFailure = new Throwable[1];
                Runnable cancelAll = () -> {
                    for (GreenThread<?> g : all) {
                        try {
                            g.cancel();
                        } catch (Throwable t) {
                            synchronized (cancelFailure) {
                                cancelFailure[0] = firstFailure(cancelFailure[0], t);
                            }
                        }
                    }
                    // Event actors a message made runnable after close began, with no dispatcher
                    // to run them (Dispatchers, "Shutdown"): ended here, all being cancelled.
                    Dispatchers d = dispatchers;
                    if (d != null) {
                        try {
                            d.endQueuedAtClose();
                        } catch (Throwable t) {
                            synchronized (cancelFailure) {
                                cancelFailure[0] = firstFailure(cancelFailure[0], t);
                            }
                        }
                    }
                };
                if (det != null) {
                    cancelAll.run(); // on its carrier's terms: no outside thread may wake its threads
                } else {
                    long began = System.nanoTime();
                    interrupted |= runOffTheCloser(cancelAll, timeout, "cancels", "an onCancel action run by close's cancel");
                    timeout = Math.max(0, timeout - (System.nanoTime() - began));
                }
                synchronized (cancelFailure) {
                    if (cancelFailure[0] != null) {
                        failure = firstFailure(failure, cancelFailure[0]);
                    }
                }
            } catch (Throwable t) {
                failure = firstFailure(failure, t);
            }
            int inExit = 0;
            try {
                if (jvmExiting) {
                    // Threads that end on their cancel are not walked: they are gone after the first look.
                    long first = Math.min(timeout, EXIT_LOOK_NANOS);
                    interrupted |= awaitLiveZero(first, 0, false, false);
                    if (live.sum() > 0) {
                        inExit = inSystemExit(pids.snapshot());
                    }
                    interrupted |= awaitLiveZero(timeout - first, inExit, false, false);
                } else {
                    Clock clock = det == null ? timers.clock() : Clock.SYSTEM;
                    long begin = clock.nanoTime();
                    interrupted |= awaitLiveZero(timeout, 0, true, det == null);
                    if (det == null && (live.sum() > 0 || inCallbacks.get() > 0) && jvmShuttingDown()) {
                        // System.exit was called while this close waited (perhaps by a thread it
                        // cancelled), and a hook closing this runtime waits for this monitor: close
                        // on as one made in a hook does (ExitDuringCloseTest).
                        jvmExiting = true;
                        scheduler.resumeOnDefaultAfterTermination();
                        inExit = inSystemExit(pids.snapshot());
                        interrupted |= awaitLiveZero(timeout - (clock.nanoTime() - begin), inExit, false, false);
                    }
                }
            } catch (Throwable t) {
                failure = firstFailure(failure, t);
            }
            List<GreenThread<?>> abandoned = List.of();
            try {
                abandoned = pids.snapshot();
                failure = abandonTheRest(abandoned, inExit, failure);
            } catch (Throwable t) {
                failure = firstFailure(failure, t);
            }
            try {
                int running = blockingPool.shutdown(Math.min(timeout, 1_000_000_000L));
                if (running > 0) {
                    LOG.log(System.Logger.Level.WARNING, "runtime '" + name + "': " + running
                            + " Green.blocking work(s) ignored the interrupt and still run after close;"
                            + " their pool threads are daemon threads and end when the work returns");
                }
            } catch (Throwable t) {
                failure = firstFailure(failure, t);
            }
            try {
                long t = det != null && det.stuck() ? 0 : Math.max(timeout, 1_000_000_000L);
                List<GreenThread<?>> left = abandoned;
                int stuck;
                try {
                    stuck = det == null ? scheduler.terminate(t, () -> askToYield(left)) : det.terminate(t);
                } finally {
                    for (GreenThread<?> g : left) {
                        Safepoints.cancel(g); // a request never acknowledged (parked, or no safepoint)
                    }
                }
                if (jvmExiting && det == null) {
                    for (GreenThread<?> g : left) {
                        g.resumeDroppedCopy(); // a thread in System.exit queued when the carriers stopped
                    }
                }
                if (stuck > 0) {
                    LOG.log(System.Logger.Level.WARNING, "runtime '" + name + "': " + stuck
                            + " carrier thread(s) are stuck in a green thread that never reaches a safepoint;"
                            + " they are daemon threads and will end with the JVM");
                }
                completeStranded();
            } catch (InterruptedException e) {
                // The closer was interrupted waiting for the deterministic carrier's loop, which
                // ends on its own (stop is set): not a failure of close. The interrupt is the
                // caller's (JUnit's @Timeout, an exploration being cancelled): keep it set.
                Thread.currentThread().interrupt();
            } catch (Throwable t) {
                failure = firstFailure(failure, t);
            }
            if (det == null) {
                try {
                    io.verdant.internal.obs.TraceSession.stopAll(this);
                } catch (Throwable t) {
                    failure = firstFailure(failure, t);
                }
            }
            try {
                // The records its green threads logged (a failure nobody observed, its last
                // words) are written before close returns: the writer is a daemon, and a program
                // that exits right after close would lose them. Bounded: a backend may block.
                // Not when a logging backend called System.exit on the writer: it writes no more.
                Thread writer = OffThreadLog.writer();
                if (!(jvmExiting && writer != null && inSystemExit(writer))) {
                    OffThreadLog.flush(Math.max(timeout, 1_000_000_000L));
                }
            } catch (Throwable t) {
                failure = firstFailure(failure, t);
            }
        } finally {
            if (jmxRegistered) {
                // Before CLOSED: one who sees this runtime closed (its waiters, isClosed) and starts
                // a runtime of its name gets the bean; unregistered after, that start found this
                // bean still there and went without one (JmxCloseRaceTest).
                try {
                    io.verdant.internal.obs.Jmx.unregister(this);
                } catch (Throwable t) {
                    failure = firstFailure(failure, t);
                }
            }
            state = CLOSED;
            closed.countDown(); // as a later close, which sees CLOSED, its waiters return from here
            io.verdant.internal.sched.Faults.closedMarked();
            closer = null;
            RECENT.compareAndSet((int) (id % RECENT_SLOTS), this, null); // before OPEN: see RECENT
            OPEN.remove(id, this);
            io.verdant.internal.obs.Jfr.unregisterPeriodicIfNoneOpen(); // else JFR keeps this loader
            container.close();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalStateException("runtime '" + name + "': close failed", failure);
        }
    }

    /**
     * Close while the JVM shuts down: how many of {@code threads} wait in
     * System.exit (for the shutdown hooks, among them perhaps the one closing),
     * an event actor whose handler does counted with the dispatcher running it.
     * They end only with the JVM, so close does not wait the shutdown timeout for
     * them; they are abandoned and, woken, run on (Scheduler.resumeOnDefault).
     */
    private static int inSystemExit(List<GreenThread<?>> threads) {
        int n = 0;
        for (GreenThread<?> g : threads) {
            Thread vt = g.thread() != null ? g.thread() : g.handlerThread(); // an event actor: its handler's
            if (vt != null && inSystemExit(vt)) {
                n++;
            }
        }
        return n;
    }

    /** Whether {@code t} is inside System.exit (a stack walk: only while the JVM shuts down). */
    static boolean inSystemExit(Thread t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().equals("java.lang.Shutdown") && e.getMethodName().equals("exit")) {
                return true;
            }
        }
        return false;
    }

    /** Whether the JVM's shutdown has begun (its hooks run): a hook can no longer be added then. */
    static boolean jvmShuttingDown() {
        Thread probe = Thread.ofPlatform().unstarted(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    private static Throwable firstFailure(Throwable first, Throwable next) {
        if (first == null) {
            return next;
        }
        if (first != next) {
            first.addSuppressed(next);
        }
        return first;
    }

    /**
     * Close, step 3: waits up to {@code timeout} for the live count to reach 0
     * ({@code inExit} while the JVM shuts down: the threads in System.exit) and, with
     * {@code callbacksToo}, for ended threads' onComplete callbacks to have run (see
     * inCallbacks; the live count is read first: a thread counts its callbacks before
     * its -1, so a close that sees the -1 sees them); returns whether the closer was
     * interrupted meanwhile (the interrupt is cleared). With {@code watchExit} it also
     * ends once the JVM's shutdown has begun (looked at every EXIT_LOOK_NANOS).
     */
    private boolean awaitLiveZero(long timeout, int inExit, boolean callbacksToo, boolean watchExit) {
        // The runtime's clock; in deterministic mode real time (Clock.SYSTEM):
        // virtual time does not pass while close waits, so the wait would never end.
        Clock clock = det == null ? timers.clock() : Clock.SYSTEM;
        long start = clock.nanoTime();
        boolean interrupted = false;
        long looked = start;
        while (live.sum() > inExit || callbacksToo && inCallbacks.get() > 0) {
            long now = clock.nanoTime();
            long left = timeout - (now - start);
            if (left <= 0) {
                break;
            }
            if (watchExit && now - looked >= EXIT_LOOK_NANOS) {
                looked = now;
                if (jvmShuttingDown()) {
                    break;
                }
            }
            LockSupport.parkNanos(this, Math.min(left, CLOSE_POLL_NANOS));
            interrupted |= Thread.interrupted();
        }
        return interrupted;
    }

    /**
     * Close step 3 looks at the live count at least this often: a -1 written by a
     * carrier just before close wrote the state reaches close without a wake-up
     * (LiveCount, "Memory ordering"). 1 ms: close takes milliseconds anyway, and
     * a close with nothing left to wait for ends at the first look. Chosen, not measured.
     */
    private static final long CLOSE_POLL_NANOS = 1_000_000L;

    /**
     * A close while the JVM shuts down waits this long for its cancelled threads
     * before it looks for threads in System.exit (a stack walk per thread still
     * alive). Chosen, not measured.
     */
    private static final long EXIT_LOOK_NANOS = 20_000_000L;

    /**
     * Close, step 4: completes the handles of the threads still alive (they never
     * run again); returns {@code failure} with any failure of this step added.
     * The {@code inExit} threads waiting in System.exit are not reported as stuck.
     */
    private Throwable abandonTheRest(List<GreenThread<?>> left, int inExit, Throwable failure) {
        if (!left.isEmpty()) {
            List<Runnable> callbacks = new ArrayList<>();
            for (GreenThread<?> g : left) {
                try {
                    Object w = g.abandon();
                    if (w != null) {
                        callbacks.add(() -> g.runAbandonedCallbacks(w));
                    }
                } catch (Throwable t) {
                    failure = firstFailure(failure, t);
                }
            }
            try {
                if (left.size() > inExit) {
                    LOG.log(System.Logger.Level.WARNING, "runtime '" + name + "': " + (left.size() - inExit)
                            + " green thread(s) still running after " + config.shutdownTimeout() + "; abandoned them");
                }
            } catch (Throwable t) {
                failure = firstFailure(failure, t);
            }
            if (!callbacks.isEmpty()) {
                // Their onComplete callbacks: user code that may block. Run on the closer, one
                // that blocked held close for as long as it blocked (AbandonedCallbackCloseTest).
                Runnable all = () -> callbacks.forEach(Runnable::run);
                if (det != null) {
                    all.run();
                } else {
                    runOffTheCloser(all, 0, "abandoned-callbacks",
                            "an onComplete callback of an abandoned green thread");
                }
            }
        }
        return failure;
    }

    /**
     * Close, step 6, once the scheduler drops submissions: asks each abandoned
     * thread to yield at its next safepoint, where it leaves its carrier for good
     * (its resubmission is dropped). Without it, one still running that ignores
     * its cancellation kept its carrier after close when nothing else asked it
     * to yield (time slices off, or no other work waiting). close withdraws the
     * requests not acknowledged once the carriers have stopped.
     */
    private static void askToYield(List<GreenThread<?>> abandoned) {
        for (GreenThread<?> g : abandoned) {
            if (g.vthread != null) {
                Safepoints.request(g);
            }
        }
    }

    /**
     * Runs {@code work} on this runtime's blocking pool while the calling green
     * thread parks (see {@code Green.blocking}).
     */
    public <T> T blocking(Callable<? extends T> work) throws Exception {
        return blockingPool.call(work);
    }

    /** Threads of the blocking pool alive now; a snapshot. */
    public int blockingThreads() {
        return blockingPool.threads();
    }

    // ------------------------------------------------------------------ utilities

    /**
     * Converts a timeout to nanoseconds, saturating at Long.MAX_VALUE.
     *
     * @throws NullPointerException naming {@code what} if null
     * @throws IllegalArgumentException naming {@code what} if negative
     */
    public static long toNanos(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, was " + d);
        }
        try {
            return d.toNanos();
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }

    // ------------------------------------------------------------------ accessors, named by access mode
    // (see the io.verdant.internal package comment). state is written volatile by
    // the closer before it reads live (LiveCount's volatile sum). The spawner's side
    // does not rely on its +1 being ordered before its read of state (a carrier's
    // cell is a release store, not a getAndAdd): the pid table's Dekker pair with
    // close decides whether a spawn escapes ("Counting live threads").

    /** The closer (close, step 1): publishes CLOSING before it reads {@code live}. */
    private void setStateVolatile(int s) {
        STATE.setVolatile(this, s);
    }

    private static final VarHandle STATE;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(RuntimeCore.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
