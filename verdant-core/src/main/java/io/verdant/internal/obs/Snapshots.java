package io.verdant.internal.obs;

import io.verdant.GreenState;
import io.verdant.GreenThreadInfo;
import io.verdant.Pid;
import io.verdant.RuntimeSnapshot;
import io.verdant.internal.ActorCell;
import io.verdant.internal.GreenThread;
import io.verdant.internal.RuntimeCore;
import io.verdant.internal.sched.Worker;
import io.verdant.internal.timer.Clock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Builds a {@link RuntimeSnapshot}: walks the pid table and reads each
 * thread's fields once, without stopping anything (so no cross-thread
 * consistency, as with {@code ThreadMXBean.dumpAllThreads}). Any thread.
 * Cost per thread: a few field reads, a {@code Thread.getState()}, a
 * {@code LockSupport.getBlocker()}, a mailbox walk capped at
 * {@link GreenThreadInfo#MAILBOX_CAP}; no stack walk.
 * A thread parked on a mutex that has already been handed to it (the releasing
 * holder made it the owner and has yet to unpark it) is shown RUNNABLE with no
 * wait reason: it waits for nobody, and least of all for itself. So is a caller
 * whose call has ended (its reply came) and that has yet to be unparked.
 */
public final class Snapshots {
    private Snapshots() {
    }

    /** A child of a running supervisor: the supervisor's pid and the child's spec name. */
    record Supervised(Pid supervisor, String childName) {
    }

    /** Any thread: the children of every running supervisor of {@code rt}, by pid. */
    static Map<Pid, Supervised> supervised(RuntimeCore rt) {
        Map<Pid, Supervised> out = new HashMap<>();
        rt.supervisors.forEach((sup, view) -> {
            Pid sp = sup.pid();
            for (SupervisorView.ChildRef c : view.children()) {
                out.put(c.pid(), new Supervised(sp, c.name()));
            }
        });
        return out;
    }

    /** Any thread: the snapshot of {@code rt} now. */
    public static RuntimeSnapshot of(RuntimeCore rt) {
        long now = Clock.SYSTEM.nanoTime(); // the clock of lastRanAt (Ticker.coarseNanos)
        Map<Pid, Supervised> sup = supervised(rt);
        List<GreenThread<?>> threads = rt.threads();
        List<GreenThreadInfo> out = new ArrayList<>(threads.size());
        for (GreenThread<?> g : threads) {
            GreenThreadInfo info = info(g, sup, now);
            if (info != null) {
                out.add(info);
            }
        }
        return new RuntimeSnapshot(rt.name, now, out);
    }

    /** One thread's record, or null if it ended meanwhile. */
    static GreenThreadInfo info(GreenThread<?> g, Map<Pid, Supervised> sup, long now) {
        Thread vt = g.vthread();
        if (vt == null) {
            return eventActorInfo(g, sup, now);
        }
        GreenState state = g.state();
        if (state.isTerminal()) {
            return null;
        }
        Pid pid = g.pid();
        String reason = "";
        Pid waitingFor = null;
        if (state == GreenState.WAITING) {
            WaitReasons.Wait w = WaitReasons.of(LockSupport.getBlocker(vt));
            if (w.over() || w.waitingFor() == g) {
                // Granted the mutex it waited for, or its call got its reply, not yet unparked:
                // its wait is over.
                state = GreenState.RUNNABLE;
            } else {
                reason = w.reason();
                waitingFor = w.waitingFor() == null ? null : w.waitingFor().pid();
            }
        }
        String carrier = null;
        if (state == GreenState.RUNNING) {
            Worker w = g.lastWorker();
            carrier = w == null ? null : w.getName();
        }
        long waitedNanos = g.waitedNanos(now);
        Duration waited = state == GreenState.RUNNING || waitedNanos < 0 ? Duration.ZERO
                : Duration.ofNanos(waitedNanos);
        ActorCell cell = g.cellOrNull();
        int depth = cell == null ? 0 : cell.approxDepth(GreenThreadInfo.MAILBOX_CAP);
        Supervised s = sup.get(pid);
        return new GreenThreadInfo(pid, vt.getName(), g.priority(), state, reason, waitingFor, waited,
                Duration.ofNanos(g.runNanos()), g.dispatches(), carrier, g.parentPid(),
                s == null ? null : s.supervisor(),
                s == null ? null : s.childName(), depth, vt.threadId());
    }

    /**
     * An event actor's record (it has no thread: no stack, no JDK thread id; while
     * RUNNING, its dispatcher's carrier), or null if it ended meanwhile. WAITING is an idle actor (no
     * message queued, no turn running), or one whose handler blocks: then the
     * dispatcher running the handler is parked on the handler's behalf, and its
     * blocker is the actor's wait reason (read only while that dispatcher still
     * runs this actor's turn). Its time waiting counts from the end of its last
     * turn, or, while its handler blocks, from the dispatcher's park.
     */
    private static GreenThreadInfo eventActorInfo(GreenThread<?> g, Map<Pid, Supervised> sup, long now) {
        GreenState state = g.state();
        if (state.isTerminal()) {
            return null;
        }
        String reason = state == GreenState.WAITING ? EVENT_ACTOR_IDLE : "";
        Pid waitingFor = null;
        // Idle or queued: since its last turn ended (its dispatcher stamps it then).
        long waitedNanos = g.waitedNanos(now);
        Thread runner = g.handlerThread();
        if (state == GreenState.WAITING && runner != null) {
            // WAITING in a turn: the handler blocks (EventActor.state), on its dispatcher's blocker.
            WaitReasons.Wait w = WaitReasons.of(LockSupport.getBlocker(runner));
            if (w.over() || w.waitingFor() == g) {
                // Its handler was granted the mutex it waited for, or its call got its reply
                // (as for a thread, in info).
                state = GreenState.RUNNABLE;
                reason = "";
            } else if (g.handlerThread() == runner) { // still this actor's turn: the blocker is its wait
                reason = w.reason();
                waitingFor = w.waitingFor() == null ? null : w.waitingFor().pid();
                // Since the handler parked: when its dispatcher last left a carrier.
                waitedNanos = GreenThread.of(runner) instanceof GreenThread<?> d
                        ? d.waitedNanos(now) : -1;
            }
        }
        Duration waited = state == GreenState.RUNNING || waitedNanos < 0 ? Duration.ZERO
                : Duration.ofNanos(waitedNanos);
        String carrier = null;
        if (state == GreenState.RUNNING && runner != null
                && GreenThread.of(runner) instanceof GreenThread<?> d) {
            // Its turn runs on the dispatcher's green thread: the carrier is that one's.
            Worker w = d.lastWorker();
            carrier = w == null ? null : w.getName();
        }
        Pid pid = g.pid();
        ActorCell cell = g.cellOrNull();
        int depth = cell == null ? 0 : cell.approxDepth(GreenThreadInfo.MAILBOX_CAP);
        Supervised s = sup.get(pid);
        return new GreenThreadInfo(pid, g.name(), g.priority(), state, reason, waitingFor, waited,
                Duration.ofNanos(g.runNanos()), g.dispatches(), carrier, g.parentPid(),
                s == null ? null : s.supervisor(),
                s == null ? null : s.childName(), depth, GreenThreadInfo.NO_JDK_THREAD);
    }

    /** The wait reason of an idle event actor. */
    static final String EVENT_ACTOR_IDLE = "idle event actor (waits for a message)";
}
