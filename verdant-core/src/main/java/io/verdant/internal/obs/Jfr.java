package io.verdant.internal.obs;

import io.verdant.Pid;
import io.verdant.internal.GreenThread;
import io.verdant.internal.RuntimeCore;
import io.verdant.internal.sched.Worker;

/**
 * Entry points of Verdant's JFR events (see {@code internal.obs.jfr.VerdantEvents}),
 * safe to call when the module {@code jdk.jfr} is absent (a jlinked image):
 * the event classes are reached only through {@link JfrEvents}, which is loaded
 * on the first call made while {@link #AVAILABLE}.
 *
 * <pre>
 * Cost
 *   Not recording: AVAILABLE is a static final (folded by the JIT); each site
 *   then allocates an event (removed by escape analysis) and calls
 *   shouldCommit(), which JFR compiles to a flag check. No site is on the
 *   dispatch path: preemptions (at most one per slice), stalls, spares,
 *   restarts, dead letters, the slow path of Mutex.lock, spawn and exit.
 *   Recording: the cost of one JFR event commit per site.
 * </pre>
 */
public final class Jfr {
    /** The module jdk.jfr is in the boot layer (always, except in a jlinked image without it). */
    public static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.jfr").isPresent();

    private Jfr() {
    }

    /** A runtime's start, once it is open: registers the periodic statistics events unless they are. */
    public static void registerPeriodic() {
        if (AVAILABLE) {
            JfrEvents.registerPeriodic();
        }
    }

    /** A runtime's close, once it is no longer open: unregisters them if no runtime is open. */
    public static void unregisterPeriodicIfNoneOpen() {
        if (AVAILABLE) {
            JfrEvents.unregisterPeriodicIfNoneOpen();
        }
    }

    /** The preempted green thread, at its safepoint, on carrier {@code w}. */
    public static void preemption(GreenThread<?> g, Worker w) {
        if (AVAILABLE) {
            JfrEvents.preemption(g, w);
        }
    }

    /** The stall reporter thread. */
    public static void stall(String runtime, String carrier, io.verdant.internal.sched.Task running, long heldNanos,
                             String spare, StackTraceElement[] stack) {
        if (AVAILABLE) {
            JfrEvents.stall(runtime, carrier, running instanceof GreenThread<?> g ? g : null, heldNanos, spare, stack);
        }
    }

    /** The ticker: a spare carrier started ({@code started}) or was asked to retire. */
    public static void spare(String runtime, String spare, boolean started, String stalledCarrier) {
        if (AVAILABLE) {
            JfrEvents.spare(runtime, spare, started, stalledCarrier);
        }
    }

    /** The sender's thread: a message to {@code pid} became a dead letter. */
    public static void deadLetter(RuntimeCore rt, Pid pid, Object msg) {
        if (AVAILABLE) {
            JfrEvents.deadLetter(rt, pid, msg);
        }
    }

    /** The supervisor thread: it restarted a child. */
    public static void supervisorRestart(String supervisor, Pid pid, String child, String strategy, String restart,
                                         Throwable cause, int inWindow) {
        if (AVAILABLE) {
            JfrEvents.supervisorRestart(supervisor, pid, child, strategy, restart, cause, inWindow);
        }
    }

    /** The supervisor thread: it gave up (restart intensity exceeded). */
    public static void supervisorGaveUp(String supervisor, Pid pid, int maxRestarts, long periodNanos, String child,
                                        Throwable cause) {
        if (AVAILABLE) {
            JfrEvents.supervisorGaveUp(supervisor, pid, maxRestarts, periodNanos, child, cause);
        }
    }

    /**
     * The spawner, once the thread is published and before it starts (an event actor: before
     * it can run); or a spawn that close abandoned the thread inside, after close committed its end.
     */
    public static void threadStart(GreenThread<?> g) {
        if (AVAILABLE) {
            JfrEvents.threadStart(g);
        }
    }

    /** The ending thread. */
    public static void threadEnd(GreenThread<?> g, Throwable failure) {
        if (AVAILABLE) {
            JfrEvents.threadEnd(g, failure);
        }
    }

    /** The thread closing the runtime: it abandoned {@code g} (its end, outcome ABANDONED). */
    public static void threadAbandoned(GreenThread<?> g) {
        if (AVAILABLE) {
            JfrEvents.threadAbandoned(g);
        }
    }

    /**
     * The waiter, entering the slow path of Mutex.lock: a started MutexWait event
     * (an Object, so callers need not see jdk.jfr), or null when not recording.
     */
    public static Object mutexWaitBegin(Object lock) {
        return AVAILABLE ? JfrEvents.mutexWaitBegin(lock) : null;
    }

    /** The waiter, leaving the slow path: commits {@code event} if the wait passed the threshold. */
    public static void mutexWaitEnd(Object event, boolean timedOut) {
        if (event != null) {
            JfrEvents.mutexWaitEnd(event, timedOut);
        }
    }
}
