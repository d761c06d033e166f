package io.verdant.internal.obs;

import io.verdant.Pid;
import io.verdant.RuntimeMetrics;
import io.verdant.WorkerMetrics;
import io.verdant.internal.GreenThread;
import io.verdant.internal.OwnedLock;
import io.verdant.internal.sync.MutexCore;
import io.verdant.internal.RuntimeCore;
import io.verdant.internal.obs.jfr.VerdantEvents;
import io.verdant.internal.sched.Worker;
import jdk.jfr.FlightRecorder;

/** The JFR event sites; loaded only when jdk.jfr is present (see {@link Jfr}). */
final class JfrEvents {
    /** Frames of a stalled thread's stack kept in a Stall event (its text field). */
    private static final int STALL_FRAMES = 12;
    /*
     * Periodic hooks: JFR holds them (and through them this class and its loader)
     * until removed. They are added at a runtime's start and removed when the last
     * open runtime closes, so that a class loader that loaded Verdant can be
     * collected once its runtimes are closed (ClassLoaderUnloadTest). Both run
     * under this class's lock, after the runtime entered or left RuntimeCore's
     * open set: whichever of a start and a last close comes second sees the
     * other's change to that set, so hooks are registered while a runtime is open.
     */
    private static final Runnable RUNTIME_STATISTICS = JfrEvents::runtimeStatistics;
    private static final Runnable WORKER_STATISTICS = JfrEvents::workerStatistics;
    private static boolean classesInitialized;
    private static boolean hooked;

    private JfrEvents() {
    }

    /** A runtime's start, after it is in RuntimeCore's open set. */
    static synchronized void registerPeriodic() {
        if (!hooked) {
            hooked = true;
            FlightRecorder.addPeriodicEvent(VerdantEvents.RuntimeStatistics.class, RUNTIME_STATISTICS);
            FlightRecorder.addPeriodicEvent(VerdantEvents.WorkerStatistics.class, WORKER_STATISTICS);
        }
        if (!classesInitialized) {
            classesInitialized = true;
            initializeEventClasses();
        }
    }

    /** A runtime's close, after it left RuntimeCore's open set: removes the hooks if no runtime is open. */
    static synchronized void unregisterPeriodicIfNoneOpen() {
        if (hooked && RuntimeCore.open().isEmpty()) {
            hooked = false;
            FlightRecorder.removePeriodicEvent(RUNTIME_STATISTICS);
            FlightRecorder.removePeriodicEvent(WORKER_STATISTICS);
        }
    }

    /**
     * Initialises every event class now, on the shallow stack of the first
     * runtime's start. Left to their first use, a class would be initialised
     * wherever that happens, perhaps near the end of a green thread's stack
     * (a contended Mutex.lock deep in a recursion): a StackOverflowError in its
     * static initialiser leaves the class erroneous for good, and every later
     * use in the JVM throws NoClassDefFoundError (every contended lock, every
     * dead letter, ...).
     */
    private static void initializeEventClasses() {
        for (Class<?> c : VerdantEvents.class.getDeclaredClasses()) {
            try {
                Class.forName(c.getName(), true, c.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new AssertionError("event class " + c.getName() + " not found", e); // never: it is a loaded class's member
            }
        }
    }

    private static void runtimeStatistics() {
        for (RuntimeCore rt : RuntimeCore.open()) {
            VerdantEvents.RuntimeStatistics e = new VerdantEvents.RuntimeStatistics();
            if (!e.shouldCommit()) {
                return;
            }
            RuntimeMetrics m = Metrics.of(rt);
            e.runtime = m.runtime();
            e.spawned = m.spawned();
            e.exited = m.exited();
            e.live = m.live();
            e.polls = m.polls();
            e.steals = m.steals();
            e.parks = m.parks();
            e.waits = m.waits();
            e.preemptionsRequested = m.preemptionsRequested();
            e.preemptionsHonored = m.preemptionsHonored();
            e.stalls = m.stalls();
            e.sparesAlive = m.sparesAlive();
            e.deadLetters = m.deadLetters();
            e.supervisorRestarts = m.supervisorRestarts();
            e.injectionQueueDepth = m.injectionQueueDepth();
            e.commit();
        }
    }

    private static void workerStatistics() {
        for (RuntimeCore rt : RuntimeCore.open()) {
            for (WorkerMetrics w : Metrics.of(rt).workers()) {
                VerdantEvents.WorkerStatistics e = new VerdantEvents.WorkerStatistics();
                if (!e.shouldCommit()) {
                    return;
                }
                e.runtime = rt.name;
                e.carrier = w.name();
                e.polls = w.polls();
                e.steals = w.steals();
                e.parks = w.parks();
                e.busyTicks = w.busyTicks();
                e.localQueueDepth = w.localQueueDepth();
                e.commit();
            }
        }
    }

    static void preemption(GreenThread<?> g, Worker w) {
        VerdantEvents.Preemption e = new VerdantEvents.Preemption();
        if (e.shouldCommit()) {
            // In an event actor's handler, the actor (the stack is its code), not the dispatcher.
            GreenThread<?> a = g.actingAs();
            e.runtime = g.runtime().name;
            e.pid = a.pid().toString();
            e.name = a.name();
            e.priority = a.priority().name();
            e.carrier = w == null ? "" : w.getName();
            e.commit();
        }
    }

    static void stall(String runtime, String carrier, GreenThread<?> g, long heldNanos, String spare,
                      StackTraceElement[] stack) {
        VerdantEvents.Stall e = new VerdantEvents.Stall();
        if (e.shouldCommit()) {
            e.runtime = runtime;
            e.carrier = carrier;
            GreenThread<?> a = g == null ? null : g.actingAs(); // an event actor's handler: the actor
            e.pid = a == null ? "" : a.pid().toString();
            e.name = a == null ? "" : a.name();
            e.held = heldNanos;
            e.spare = spare == null ? "" : spare;
            StringBuilder sb = new StringBuilder();
            for (int i = 0; stack != null && i < Math.min(stack.length, STALL_FRAMES); i++) {
                sb.append(stack[i]).append('\n');
            }
            e.stack = sb.toString();
            e.commit();
        }
    }

    static void spare(String runtime, String spare, boolean started, String stalledCarrier) {
        VerdantEvents.SpareCarrier e = new VerdantEvents.SpareCarrier();
        if (e.shouldCommit()) {
            e.runtime = runtime;
            e.spare = spare;
            e.started = started;
            e.stalledCarrier = stalledCarrier;
            e.commit();
        }
    }

    static void deadLetter(RuntimeCore rt, Pid pid, Object msg) {
        VerdantEvents.DeadLetter e = new VerdantEvents.DeadLetter();
        if (e.shouldCommit()) {
            e.runtime = rt.name;
            e.target = pid.toString();
            e.messageClass = msg.getClass().getName();
            e.commit();
        }
    }

    static void supervisorRestart(String supervisor, Pid pid, String child, String strategy, String restart,
                                  Throwable cause, int inWindow) {
        VerdantEvents.SupervisorRestart e = new VerdantEvents.SupervisorRestart();
        if (e.shouldCommit()) {
            e.supervisor = supervisor;
            e.supervisorPid = pid.toString();
            e.child = child;
            e.strategy = strategy;
            e.restartType = restart;
            e.cause = cause == null ? "" : cause.getClass().getName();
            String message = cause == null ? null : io.verdant.internal.Throwables.message(cause); // user code
            e.message = message == null ? "" : message;
            e.restartsInPeriod = inWindow;
            e.commit();
        }
    }

    static void supervisorGaveUp(String supervisor, Pid pid, int maxRestarts, long periodNanos, String child,
                                 Throwable cause) {
        VerdantEvents.SupervisorGaveUp e = new VerdantEvents.SupervisorGaveUp();
        if (e.shouldCommit()) {
            e.supervisor = supervisor;
            e.supervisorPid = pid.toString();
            e.maxRestarts = maxRestarts;
            e.period = periodNanos;
            e.lastChild = child;
            e.cause = cause == null ? "" : cause.getClass().getName();
            e.commit();
        }
    }

    static void threadStart(GreenThread<?> g) {
        VerdantEvents.GreenThreadStart e = new VerdantEvents.GreenThreadStart();
        if (e.shouldCommit()) {
            e.pid = g.pid().toString();
            e.name = g.name(); // an event actor has no thread: its own name
            e.priority = g.priority().name();
            Pid p = g.parentPid();
            e.parent = p == null ? "" : p.toString();
            e.commit();
        }
    }

    static void threadEnd(GreenThread<?> g, Throwable failure) {
        VerdantEvents.GreenThreadEnd e = new VerdantEvents.GreenThreadEnd();
        if (e.shouldCommit()) {
            e.pid = g.pid().toString();
            e.outcome = failure == null ? "SUCCEEDED" : "FAILED";
            e.failure = failure == null ? "" : failure.getClass().getName();
            e.runTime = g.runNanos();
            // A green thread ends inside its last slice, which its carrier counts only after
            // it; an event actor's turn was counted as it began.
            boolean inUncountedSlice = g.vthread() != null && io.verdant.internal.sched.WorkerCounters.ON;
            e.dispatches = g.dispatches() + (inUncountedSlice ? 1 : 0);
            e.commit();
        }
    }

    static void threadAbandoned(GreenThread<?> g) {
        VerdantEvents.GreenThreadEnd e = new VerdantEvents.GreenThreadEnd();
        if (e.shouldCommit()) {
            e.pid = g.pid().toString();
            e.outcome = "ABANDONED";
            e.failure = "";
            e.runTime = g.runNanos();
            e.dispatches = g.dispatches(); // not in a slice: abandoned by the closing thread
            e.commit();
        }
    }

    static Object mutexWaitBegin(Object lock) {
        VerdantEvents.MutexWait e = new VerdantEvents.MutexWait();
        if (!e.isEnabled()) {
            return null;
        }
        // Only references here: the text is built at the end, for a wait that passed the
        // threshold (most contended waits are far shorter than its 20 ms).
        e.lockRef = lock;
        e.holderRef = lock instanceof OwnedLock l ? l.holderThread() : null;
        // Now, not at the end: a dispatcher holding it in an actor's turn stands for that actor
        // only while the turn lasts (it named the dispatcher, or the next actor it ran).
        e.holderGreen = WaitReasons.greenOf(e.holderRef);
        e.begin();
        return e;
    }

    static void mutexWaitEnd(Object event, boolean timedOut) {
        VerdantEvents.MutexWait e = (VerdantEvents.MutexWait) event;
        e.end();
        if (e.shouldCommit()) {
            Object lock = e.lockRef;
            GreenThread<?> h = (GreenThread<?>) e.holderGreen;
            e.mutex = lock instanceof MutexCore m ? m.describe(e.holderRef, h) : String.valueOf(lock);
            e.holder = h == null ? "" : h.pid().toString();
            e.timedOut = timedOut;
            e.commit();
        }
    }
}
