package io.verdant.internal.vthread;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;

/**
 * The one place Verdant touches JDK internals: the package-private constructor
 * {@code java.lang.ThreadBuilders$VirtualThreadBuilder(Executor)}, which builds
 * virtual threads whose scheduler is an {@link Executor} of ours, and one read of
 * {@code java.lang.VirtualThread.timeoutTask} for the deterministic mode (see
 * {@link #jdkTimeoutPending}). Two more reads serve the JDK's socket pollers
 * (internal PollerHost, issue 11): {@code Thread.currentCarrierThread()}
 * ({@link #currentCarrier()}) and {@code VirtualThread.defaultScheduler()}
 * ({@link #defaultScheduler()}); where either is missing the pollers stay on the
 * JDK's default scheduler, as before. {@code VirtualThread.scheduler} is read by
 * {@link #schedulerOf} to find the green thread of a thread whose uncaught-exception
 * handler user code replaced (snapshots name it; missing, they name the thread only).
 * Everything else (park, unpark, mount, stack
 * switching, growable stacks) is the JDK's.
 *
 * <p>On the spawn path ({@link #newThread(Executor, String, Runnable,
 * Thread.UncaughtExceptionHandler)}) two more package-private members of
 * {@code java.lang} are used when present, both to do exactly what the builder
 * does without its per-thread cost (issue 11): the static factory
 * {@code ThreadBuilders.newVirtualThread(Executor, String, int, Runnable)} that
 * the builder's {@code unstarted} calls (no builder object per spawn), and a
 * plain store of {@code Thread.uncaughtExceptionHandler} before the thread is
 * started ({@code setUncaughtExceptionHandler} writes that volatile field, a
 * full fence per spawn; a store before {@code Thread.start} is published to
 * the thread by the start itself, and no other thread reads it before then).
 * Where either is missing (a JDK that renamed it) the builder and the public
 * setter are used instead.
 *
 * <p>The constructor is resolved once, on first use, into a {@link MethodHandle}.
 * Without {@code --add-opens java.base/java.lang=ALL-UNNAMED} (or
 * {@code =io.verdant} on the module path) resolution fails and {@link #check()}
 * throws an {@link IllegalStateException} that names the flag.
 *
 * <p>That constructor is not a JDK API: its shape may change in any feature
 * release. So {@link #check()} first checks the JDK's feature version against
 * the one this Verdant release is built and tested for ({@value #SUPPORTED_JDK})
 * and fails with a message naming the supported version rather than with a
 * reflection error on a JDK it has never run on. The system property
 * {@value #ALLOW_UNSUPPORTED_JDK}{@code =true} skips that check (to try a newer
 * JDK; then a changed constructor shows as a start-up failure that says so).
 *
 * <p><b>One test for "may mount" (issue 11).</b> {@link #mayMount} runs on every
 * dispatch (GreenThread.takeCopy) and at the end of every run (releaseToken). It
 * tests the state against a bit mask of the runnable states: one test, whose
 * outcome is the answer and whose profile both callers mix (mostly true at a
 * dispatch, mostly false at a run's end). It was four compares, each of which C2
 * compiled as an uncommon trap while its state had not been seen there, so the
 * first YIELDED or STARTED thread met after warm-up trapped and recompiled every
 * method it was inlined into ({@code unstable_if} at mayMount, counted under
 * {@code wrk -c1000}).
 */
public final class VirtualThreads {
    /** The JDK feature release this version of Verdant is built for and tested on. */
    public static final int SUPPORTED_JDK = 25;
    /** System property that, set to {@code true}, lets Verdant start on a JDK it does not support. */
    public static final String ALLOW_UNSUPPORTED_JDK = "io.verdant.allowUnsupportedJdk";
    /** The JVM option Verdant needs on the class path. */
    public static final String OPENS_FLAG = "--add-opens java.base/java.lang=ALL-UNNAMED";
    /** The JVM option Verdant needs on the module path. */
    public static final String OPENS_FLAG_MODULE = "--add-opens java.base/java.lang=io.verdant";

    private static final MethodHandle BUILDER;
    private static final Throwable FAILURE;
    /** {@code ThreadBuilders.newVirtualThread(Executor, String, int, Runnable)}, or null (use the builder). */
    private static final MethodHandle FACTORY;
    /** {@code Thread.uncaughtExceptionHandler}, or null (use the public setter). */
    private static final VarHandle UNCAUGHT_HANDLER;
    /** {@code VirtualThread.timeoutTask}, or null where this JDK has no such field. */
    private static final VarHandle TIMEOUT_TASK;
    /** {@code VirtualThread.scheduler}, or null where this JDK has no such field (then {@link #schedulerOf} answers null). */
    private static final VarHandle SCHEDULER;
    /** {@code VirtualThread.state}, or null where this JDK has no such field (then {@link #mayMount} answers true). */
    private static final VarHandle STATE;
    /** The JDK's states of a virtual thread that is unmounted and runnable: the only
     * ones from which its runContinuation mounts it (STARTED, UNPARKED, YIELDED, UNBLOCKED). */
    private static final int STARTED;
    private static final int UNPARKED;
    private static final int YIELDED;
    private static final int UNBLOCKED;
    /** The JDK's states of a virtual thread parked while pinned to its carrier (PINNED, TIMED_PINNED). */
    private static final int PINNED;
    private static final int TIMED_PINNED;
    /** The JDK's final state of a virtual thread (TERMINATED). */
    private static final int TERMINATED;
    /**
     * Bit {@code s} set for each runnable state {@code s} (STARTED, UNPARKED, YIELDED,
     * UNBLOCKED) when all four are in [0, 64); else 0, and {@link #mayMount} compares
     * them one by one.
     */
    private static final long MAY_MOUNT_MASK;
    /** {@code Thread.currentCarrierThread()}, or null (then {@link #currentCarrier()} answers null). */
    private static final MethodHandle CURRENT_CARRIER;
    /** {@code VirtualThread.defaultScheduler()}'s result, or null where it cannot be reached. */
    private static final Executor DEFAULT_SCHEDULER;

    static {
        MethodHandle h = null;
        Throwable failure = null;
        try {
            Class<?> builderClass = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder");
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(builderClass, MethodHandles.lookup());
            h = lookup.findConstructor(builderClass, MethodType.methodType(void.class, Executor.class))
                    .asType(MethodType.methodType(Thread.Builder.OfVirtual.class, Executor.class));
        } catch (Throwable t) {
            failure = t;
        }
        BUILDER = h;
        FAILURE = failure;
        MethodHandle factory = null;
        try {
            Class<?> builders = Class.forName("java.lang.ThreadBuilders");
            factory = MethodHandles.privateLookupIn(builders, MethodHandles.lookup())
                    .findStatic(builders, "newVirtualThread", MethodType.methodType(Thread.class, Executor.class,
                            String.class, int.class, Runnable.class));
        } catch (Throwable t) {
            // Not opened, or a JDK without it: newThread uses the builder.
        }
        FACTORY = factory;
        VarHandle uhe = null;
        try {
            uhe = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup())
                    .findVarHandle(Thread.class, "uncaughtExceptionHandler", Thread.UncaughtExceptionHandler.class);
        } catch (Throwable t) {
            // Not opened, or a JDK without the field: newThread uses the public setter.
        }
        UNCAUGHT_HANDLER = uhe;
        TIMEOUT_TASK = virtualThreadField("timeoutTask", Future.class); // null: jdkTimeoutPending answers false
        SCHEDULER = virtualThreadField("scheduler", Executor.class); // null: schedulerOf answers null
        VarHandle state = null;
        int[] runnable = {-1, -1, -1, -1, -1, -1, -1};
        try {
            Class<?> vt = Class.forName("java.lang.VirtualThread");
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(vt, MethodHandles.lookup());
            String[] names = {"STARTED", "UNPARKED", "YIELDED", "UNBLOCKED", "PINNED", "TIMED_PINNED", "TERMINATED"};
            for (int i = 0; i < names.length; i++) {
                runnable[i] = (int) l.findStaticVarHandle(vt, names[i], int.class).get();
            }
            state = l.findVarHandle(vt, "state", int.class);
        } catch (Throwable t) {
            // Not opened, or a JDK whose VirtualThread differs: mayMount answers true.
        }
        STATE = state;
        STARTED = runnable[0];
        UNPARKED = runnable[1];
        YIELDED = runnable[2];
        UNBLOCKED = runnable[3];
        PINNED = runnable[4];
        TIMED_PINNED = runnable[5];
        TERMINATED = runnable[6];
        long mask = 0;
        for (int i = 0; i < 4; i++) {
            if (runnable[i] < 0 || runnable[i] >= 64) {
                mask = 0;
                break;
            }
            mask |= 1L << runnable[i];
        }
        MAY_MOUNT_MASK = mask;
        MethodHandle carrier = null;
        try {
            carrier = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup())
                    .findStatic(Thread.class, "currentCarrierThread", MethodType.methodType(Thread.class));
        } catch (Throwable t) {
            // Not opened, or a JDK without it: no carrier-local submissions from foreign virtual threads.
        }
        CURRENT_CARRIER = carrier;
        Executor defaultScheduler = null;
        try {
            Class<?> vt = Class.forName("java.lang.VirtualThread");
            defaultScheduler = (Executor) MethodHandles.privateLookupIn(vt, MethodHandles.lookup())
                    .findStatic(vt, "defaultScheduler", MethodType.methodType(Executor.class)).invoke();
        } catch (Throwable t) {
            // Not opened, or a JDK without it: the JDK's pollers stay on the default scheduler.
        }
        DEFAULT_SCHEDULER = defaultScheduler;
    }

    /** {@code java.lang.VirtualThread}'s field {@code name}, or null where it is not opened or this JDK has no such field. */
    private static VarHandle virtualThreadField(String name, Class<?> type) {
        try {
            Class<?> vt = Class.forName("java.lang.VirtualThread");
            return MethodHandles.privateLookupIn(vt, MethodHandles.lookup()).findVarHandle(vt, name, type);
        } catch (Throwable t) {
            return null;
        }
    }

    /**
     * The executor virtual thread {@code t} was built with (its scheduler: for a
     * green thread, the GreenThread or a deterministic runtime's task; a virtual
     * thread started inside one inherits it), or null for a platform thread or
     * where this JDK's field cannot be reached. Any thread (a final field).
     *
     * @param t any thread
     * @return its scheduler, or null
     */
    public static Executor schedulerOf(Thread t) {
        if (SCHEDULER == null || !t.isVirtual()) {
            return null;
        }
        try {
            return (Executor) SCHEDULER.get(t);
        } catch (ClassCastException e) {
            return null; // a virtual thread of another class (not java.lang.VirtualThread)
        }
    }

    /**
     * The platform thread the calling virtual thread is mounted on, or the calling
     * thread itself if it is a platform thread; null where this JDK's
     * {@code Thread.currentCarrierThread()} cannot be reached. The answer is stable
     * only while the caller cannot unmount: a caller that may park must be pinned
     * (the JDK pins a virtual thread while it submits a continuation to a scheduler,
     * {@code VirtualThread.submitRunContinuation}).
     *
     * @return the current carrier, or null
     */
    public static Thread currentCarrier() {
        if (CURRENT_CARRIER == null) {
            return null;
        }
        try {
            return (Thread) CURRENT_CARRIER.invokeExact();
        } catch (Throwable t) {
            return null;
        }
    }

    /**
     * The JDK's default virtual-thread scheduler (its {@code ForkJoinPool}), or null
     * where it cannot be reached (java.lang not open, or a JDK without
     * {@code VirtualThread.defaultScheduler()}).
     *
     * @return the default scheduler, or null
     */
    public static Executor defaultScheduler() {
        return DEFAULT_SCHEDULER;
    }

    /**
     * Whether {@code vt}'s last park or {@code Object.wait} was a JDK timed wait
     * whose JDK timer task is still registered. The JDK sets the field when the
     * virtual thread unmounts in a timed park or wait ({@code afterYield}) and
     * clears it only when the thread next starts to run, so a caller that owns
     * the thread's scheduling (the deterministic carrier, between two slices)
     * sees it even when the JDK timer already fired and the thread is runnable
     * again. False where the field cannot be read (a JDK without it).
     *
     * @param vt a virtual thread not running now
     * @return true if its last unmount was a JDK timed wait
     */
    public static boolean jdkTimeoutPending(Thread vt) {
        return TIMEOUT_TASK != null && vt.isVirtual() && TIMEOUT_TASK.getOpaque(vt) != null;
    }

    /**
     * Whether the JDK's {@code runContinuation} of {@code vt}, run now, could mount
     * it: its state is one of the unmounted, runnable ones (STARTED, UNPARKED,
     * YIELDED, UNBLOCKED; not held by a stack walker, whose SUSPENDED bit is
     * then set). False for a thread mounted on a carrier (running, or on its way
     * to park or yield), parked, suspended by a stack walker, or terminated:
     * its continuation would return at once. True where the state cannot be
     * read, or {@code vt} is null or not a virtual thread. Cost: one volatile
     * read of the JDK's state field, which runContinuation reads next anyway.
     *
     * @param vt a virtual thread
     * @return false only if running its continuation now would do nothing
     */
    public static boolean mayMount(Thread vt) {
        return mayMount(mountState(vt));
    }

    /**
     * The JDK's state of {@code vt}, for {@link #mayMount(int)} and
     * {@link #unparked(int)}: one volatile read (a plain load on x86). Where the
     * state cannot be read, or {@code vt} is null or not a virtual thread, a state
     * that may mount and is not UNPARKED (STARTED).
     *
     * @param vt a virtual thread, or null
     * @return its state
     */
    public static int mountState(Thread vt) {
        if (STATE == null || vt == null || !vt.isVirtual()) {
            return STARTED;
        }
        return (int) STATE.getVolatile(vt);
    }

    /**
     * {@link #mayMount(Thread)} for a state {@link #mountState} read.
     *
     * @param s the state
     * @return false only if running the thread's continuation now would do nothing
     */
    public static boolean mayMount(int s) {
        if (MAY_MOUNT_MASK == 0) {
            return s == UNPARKED || s == YIELDED || s == UNBLOCKED || s == STARTED;
        }
        // Bit s of the mask, for s in [0, 64) only: (s & ~63) - 1 is negative (top bit
        // set) exactly when s & ~63 is 0 (a state is never negative), so a state with
        // a stack walker's SUSPENDED bit (256), or TERMINATED (99), reads 0 whatever
        // its low six bits. No branch but the answer's (see the class comment).
        int inRange = ((s & ~63) - 1) >>> 31;
        return ((int) (MAY_MOUNT_MASK >>> s) & inRange & 1) != 0;
    }

    /**
     * Whether a thread whose state {@link #mountState} read, and that may mount,
     * comes back from a park that took it off its carrier: 1 if the state is
     * UNPARKED, else 0, computed without a branch (a count adds it: no branch whose
     * profile a workload that never parks, such as yield, would leave unseen, so no
     * uncommon trap that recompiles the carrier loop at the first park after
     * warm-up; see the class comment on mayMount). Only a park that unmounted leads
     * to UNPARKED (PARKED or TIMED_PARKED, then an unpark, a timeout, or the permit
     * found as it unmounted); a park that returned at once or parked pinned never
     * does, and the first mount (STARTED), a yield's return (YIELDED) or a
     * monitor's (UNBLOCKED) are other states. 0 where the state cannot be read.
     *
     * @param s the state
     * @return 1 if it is UNPARKED, else 0
     */
    public static int unparked(int s) {
        if (STATE == null) {
            return 0;
        }
        // s ^ UNPARKED is 0 exactly when s is UNPARKED, else positive (states are not
        // negative): minus 1, its sign bit is set exactly in the first case.
        return ((s ^ UNPARKED) - 1) >>> 31;
    }

    /**
     * {@link #unparked(int)} of a fresh read of {@code vt}'s state, as a boolean.
     *
     * @param vt a virtual thread, or null
     * @return true if its state is UNPARKED
     */
    public static boolean resumesFromPark(Thread vt) {
        return unparked(mountState(vt)) != 0;
    }

    /** Tests only: true if {@link #mayMount} tests the mask (this JDK's runnable states are all below 64). */
    static boolean mayMountMaskInUse() {
        return MAY_MOUNT_MASK != 0;
    }

    /**
     * Whether {@code vt} is a virtual thread whose JDK state is TERMINATED: final;
     * nothing submits it again (an unpark finds it not parked, a stack walker
     * answers an empty stack). False where the state cannot be read. Cost: one
     * volatile read of the state (a plain load on x86).
     *
     * @param vt a virtual thread, or null
     * @return true if {@code vt} has terminated
     */
    public static boolean terminated(Thread vt) {
        return STATE != null && vt != null && vt.isVirtual() && (int) STATE.getVolatile(vt) == TERMINATED;
    }

    /**
     * Whether {@code vt} has been started and has never run: the JDK's state is
     * STARTED. Nothing but its first mount moves a thread out of that state: an
     * unpark or interrupt only sets its permit, and a stack walker answers an
     * empty stack without suspending or resubmitting it. False where the state
     * cannot be read. Cost: one volatile read of the state (a plain load on x86).
     *
     * @param vt a virtual thread, or null
     * @return true if {@code vt} is a started virtual thread that has not yet run
     */
    public static boolean startedNeverRan(Thread vt) {
        return STATE != null && vt != null && vt.isVirtual() && (int) STATE.getVolatile(vt) == STARTED;
    }

    /**
     * Whether {@code vt} is parked on its carrier (LockSupport.park while pinned:
     * the carrier is held without using the CPU). False where the state cannot be read.
     *
     * @param vt a virtual thread
     * @return true if it is parked while pinned
     */
    public static boolean parkedPinned(Thread vt) {
        if (STATE == null) {
            return false;
        }
        int s = (int) STATE.getVolatile(vt);
        return s == PINNED || s == TIMED_PINNED;
    }

    private VirtualThreads() {
    }

    /**
     * Fails with a message naming the supported JDK if this JVM is not one, and
     * with a message naming the missing JVM flag if virtual threads with a
     * custom scheduler cannot be created in this JVM.
     *
     * @throws UnsupportedOperationException if the JDK version is not supported
     * @throws IllegalStateException if the reflective factory is unavailable
     */
    public static void check() {
        checkJdk(Runtime.version(), Boolean.getBoolean(ALLOW_UNSUPPORTED_JDK));
        requireBuilder();
    }

    /** The factory check alone: {@link #newThread} makes it on every spawn, so no version or property read. */
    private static void requireBuilder() {
        if (BUILDER == null && (FAILURE instanceof ClassNotFoundException || FAILURE instanceof NoSuchMethodException)) {
            throw new IllegalStateException("Verdant cannot create virtual threads on its own scheduler: this JDK ("
                    + Runtime.version() + ") has no constructor java.lang.ThreadBuilders$VirtualThreadBuilder(Executor). "
                    + "Verdant supports JDK " + SUPPORTED_JDK + ". Cause: " + FAILURE, FAILURE);
        }
        if (BUILDER == null) {
            throw new IllegalStateException(
                    "Verdant cannot create virtual threads on its own scheduler: java.lang is not open to it. "
                            + "Start the JVM with " + OPENS_FLAG + " (class path) or "
                            + OPENS_FLAG_MODULE + " (module path). Cause: " + FAILURE, FAILURE);
        }
    }

    /**
     * Fails unless {@code version} is a JDK this Verdant supports, or {@code allowUnsupported}.
     *
     * @param version the JDK version to check (the running one, or a test's)
     * @param allowUnsupported true to accept any version
     * @throws UnsupportedOperationException naming the supported version, the given one,
     *         and the property that overrides the check
     */
    public static void checkJdk(Runtime.Version version, boolean allowUnsupported) {
        if (version.feature() == SUPPORTED_JDK || allowUnsupported) {
            return;
        }
        throw new UnsupportedOperationException("Verdant supports JDK " + SUPPORTED_JDK + " (built and tested on it); "
                + "this JVM is JDK " + version + ". Verdant uses one JDK-internal constructor whose shape may change "
                + "in any feature release. Run on JDK " + SUPPORTED_JDK + ", or start the JVM with -D"
                + ALLOW_UNSUPPORTED_JDK + "=true to try this JDK at your own risk.");
    }

    /**
     * The uncaught-exception handler field of {@code current}, which must be the
     * calling thread: a volatile read of {@code Thread.uncaughtExceptionHandler}
     * where that field can be reached, else {@link Thread#getUncaughtExceptionHandler}.
     * The public getter first asks whether the thread has terminated, which for a
     * virtual thread reads and switches on its state (VirtualThread.threadState);
     * the calling thread has not terminated, so the answer is the field (or, when
     * the field is null, the thread group, which no caller here tests for). Used
     * by GreenThread.current() and the scheduler's submission, several times per
     * spawn (issue 11).
     *
     * @param current the calling thread ({@code Thread.currentThread()})
     * @return its handler field, or the getter's answer where the field is unreachable
     */
    public static Thread.UncaughtExceptionHandler currentHandler(Thread current) {
        if (UNCAUGHT_HANDLER != null) {
            return (Thread.UncaughtExceptionHandler) UNCAUGHT_HANDLER.getVolatile(current);
        }
        return current.getUncaughtExceptionHandler();
    }

    /**
     * Creates an unstarted virtual thread that submits its continuation to
     * {@code scheduler}, with {@code handler} as its uncaught-exception handler,
     * exactly as the builder would, without a builder object and without a
     * volatile store per thread (see the class comment). Any thread may call
     * this; the caller starts the thread (or hands it to the code that will).
     *
     * @param scheduler the executor the virtual thread submits its continuation to
     * @param name the thread name, or null for an unnamed thread
     * @param task the thread's task
     * @param handler the thread's uncaught-exception handler
     * @return the new, unstarted virtual thread
     * @throws IllegalStateException if virtual threads with a custom scheduler cannot be created here
     * @throws RuntimeException what the caller's {@code InheritableThreadLocal.childValue}
     *         threw (user code, run as the thread copies them), as itself, as the builder does
     * @throws VirtualMachineError such as StackOverflowError or OutOfMemoryError, as itself
     */
    public static Thread newThread(Executor scheduler, String name, Runnable task,
                                   Thread.UncaughtExceptionHandler handler) {
        if (FACTORY == null) {
            Thread t = newThread(scheduler, name, task);
            t.setUncaughtExceptionHandler(handler);
            return t;
        }
        requireBuilder();
        Thread t;
        try {
            // characteristics 0: what a builder that was given no other setting passes.
            t = (Thread) FACTORY.invokeExact(scheduler, name, 0, task);
        } catch (RuntimeException | Error e) {
            // Out of stack or memory, or an InheritableThreadLocal.childValue that threw (the
            // caller's code): as itself, not as a factory failure (InheritedLocalFailureTest).
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("virtual thread factory failed", e);
        }
        if (UNCAUGHT_HANDLER != null) {
            UNCAUGHT_HANDLER.set(t, handler); // plain: Thread.start publishes it (see the class comment)
        } else {
            t.setUncaughtExceptionHandler(handler);
        }
        return t;
    }

    /**
     * Like {@link #newThread(Executor, String, Runnable, Thread.UncaughtExceptionHandler)},
     * but the thread inherits nothing from the calling thread: no inheritable thread
     * locals, and {@code loader} as its context class loader. For threads that start on
     * whichever thread first needs them and then serve everyone (event-actor dispatchers).
     * Any thread; through the builder (rare: no fast path).
     *
     * @param handler the thread's uncaught-exception handler, or null for none of its own
     * @param loader the thread's context class loader (may be null)
     */
    public static Thread newThreadInheritingNothing(Executor scheduler, String name, Runnable task,
                                                    Thread.UncaughtExceptionHandler handler, ClassLoader loader) {
        Thread.Builder.OfVirtual builder = builderFor(scheduler).name(name).inheritInheritableThreadLocals(false);
        if (handler != null) {
            builder.uncaughtExceptionHandler(handler);
        }
        Thread t = builder.unstarted(task);
        t.setContextClassLoader(loader);
        return t;
    }

    /** A virtual-thread builder whose threads submit to {@code scheduler} (the builder path: no fast path). */
    private static Thread.Builder.OfVirtual builderFor(Executor scheduler) {
        requireBuilder();
        try {
            return (Thread.Builder.OfVirtual) BUILDER.invokeExact(scheduler);
        } catch (VirtualMachineError e) {
            throw e; // as in newThread above
        } catch (Throwable t) {
            throw new IllegalStateException("virtual thread builder failed", t);
        }
    }

    /**
     * Creates an unstarted virtual thread that submits its continuation to
     * {@code scheduler}. Any thread may call this.
     *
     * @param name the thread name, or null for an unnamed thread
     */
    public static Thread newThread(Executor scheduler, String name, Runnable task) {
        Thread.Builder.OfVirtual builder = builderFor(scheduler);
        if (name != null) {
            builder.name(name);
        }
        return builder.unstarted(task);
    }
}
