package io.verdant.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Preemption requests and the safepoint poll. Requests come from the ticker's
 * {@link io.verdant.internal.sched.Sysmon} (time slices, priority preemption).
 *
 * <pre>
 * Fast path
 *   {@link #poll()} reads one static volatile int, {@code pending}: the number of
 *   preemption requests not yet acknowledged, over all runtimes in the JVM. On
 *   x86 and AArch64 a volatile read is a plain load; unlike a plain field it
 *   cannot be hoisted out of a loop by the JIT. With no request pending, that
 *   load and a not-taken branch are the whole cost.
 *
 * Slow path (some request is pending somewhere)
 *   find the current green thread; if its own request flag is set, clear it
 *   (CAS, so the request is acknowledged exactly once), decrement pending and
 *   yield. Everyone else returns at once.
 *
 * Who sets requests
 *   {@link #request(GreenThread)}: any thread (the ticker, a spawner of higher
 *   priority work). {@link #cancel(GreenThread)}: whoever learns the target no
 *   longer needs it (it parked or yielded on its own), so pending never counts
 *   a request nobody will acknowledge.
 * </pre>
 */
public final class Safepoints {
    @SuppressWarnings("unused")
    private static volatile int pending;

    private Safepoints() {
    }

    /** Any thread; a cheap no-op outside green threads and with nothing pending. */
    public static void poll() {
        if (pending != 0) {
            slowPath();
        }
    }

    /**
     * Any thread. A named scheduling point: in a normal runtime exactly
     * {@link #poll()}; a green thread of a deterministic runtime records
     * {@code kind} (for its step log) and the strategy may switch threads here.
     *
     * @param kind the operation, for example {@code "Channel.trySend"}
     */
    public static void point(String kind) {
        if (pending != 0) {
            slowPath(kind);
        }
    }

    private static void slowPath() {
        slowPath("Green.checkpoint");
    }

    private static void slowPath(String kind) {
        // The mounted thread: inside an event actor's handler, the dispatcher running it.
        GreenThread<?> g = GreenThread.mounted();
        if (g != null) {
            // A deterministic runtime holds a unit of pending while open (see hold()),
            // so its green threads come here at every poll: a scheduling point.
            io.verdant.internal.det.DetScheduler det = g.runtime.det;
            if (det != null) {
                det.point(kind);
                return;
            }
        }
        // Read before CAS: while a request for some other thread is pending, every
        // checkpoint in the JVM comes here, and a CAS each time would be costly.
        if (g != null && g.preemptRequested() && acknowledge(g)) {
            io.verdant.internal.sched.Worker w = io.verdant.internal.sched.Worker.ofCaller();
            if (w != null && w.currentTask() == g) {
                w.counters.preemptionsHonored++;
            }
            // Committed here, by the preempted thread, so the event's stack shows where it yielded.
            io.verdant.internal.obs.Jfr.preemption(g, w);
            Thread.yield();
        }
    }

    /** Any thread. Asks {@code g} to yield at its next safepoint; false if already asked. */
    public static boolean request(GreenThread<?> g) {
        if (g.casPreempt(false, true)) {
            getAndAddPending(1);
            return true;
        }
        return false;
    }

    /** Any thread. Withdraws a request to {@code g}; true if one was pending. */
    public static boolean cancel(GreenThread<?> g) {
        return acknowledge(g);
    }

    private static boolean acknowledge(GreenThread<?> g) {
        if (g.casPreempt(true, false)) {
            getAndAddPending(-1);
            return true;
        }
        return false;
    }

    /**
     * Any thread. Called when a deterministic runtime opens: counts as a request
     * nobody acknowledges, so every poll in the JVM takes the slow path, where
     * that runtime's green threads reach their scheduling points. Balanced by
     * {@link #release()} when it closes.
     */
    public static void hold() {
        getAndAddPending(1);
    }

    /** Any thread. Undoes one {@link #hold()}. */
    public static void release() {
        getAndAddPending(-1);
    }

    /** Requests not yet acknowledged, JVM-wide; a snapshot. */
    public static int pendingRequests() {
        return pending;
    }

    /** Any thread: counts a request (or a hold) in or out; atomic, so no count is lost between threads. */
    private static void getAndAddPending(int d) {
        PENDING.getAndAdd(d);
    }

    private static final VarHandle PENDING;
    static {
        try {
            PENDING = MethodHandles.lookup().findStaticVarHandle(Safepoints.class, "pending", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
