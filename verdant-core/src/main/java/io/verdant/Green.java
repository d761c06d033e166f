package io.verdant;

import io.verdant.internal.GreenThread;
import io.verdant.internal.RuntimeCore;
import io.verdant.internal.Safepoints;
import io.verdant.internal.Waits;
import io.verdant.internal.timer.TimerWheel;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Operations on the current green thread. Each operation marked "green only"
 * throws {@link IllegalStateException} saying so when called from any other
 * thread (a platform thread, or a virtual thread that is not Verdant's).
 */
public final class Green {
    /** The park blocker of sleeping green threads (shown in thread dumps). */
    private static final Object SLEEP_BLOCKER = new Object() {
        @Override
        public String toString() {
            return "Green.sleep";
        }
    };

    private Green() {
    }

    /** True if the caller is a green thread of some Verdant runtime. */
    public static boolean isGreen() {
        return GreenThread.current() != null;
    }

    /**
     * Green only. Spawns a green thread in the caller's runtime, priority
     * {@link Priority#NORMAL}.
     *
     * @throws IllegalStateException outside a green thread, or if the runtime is closing
     */
    public static <T> GreenHandle<T> spawn(Callable<? extends T> body) {
        return runtime("Green.spawn").spawn(body, null, Priority.NORMAL);
    }

    /** Green only. Like {@link #spawn(Callable)} for a body with no result. */
    public static GreenHandle<Void> spawn(Runnable body) {
        return spawner().spawn(body);
    }

    /** Green only. A builder to spawn with a name, a priority and other options. */
    public static Spawner spawner() {
        return new Spawner(runtime("Green.spawner"));
    }

    /**
     * Green only. Lets other runnable green threads of the same priority run
     * first: the caller goes to the back of its priority level.
     */
    public static void yield() {
        GreenThread.require("Green.yield");
        Thread.yield();
    }

    /**
     * Green only. Parks the green thread (never the carrier) for at least
     * {@code duration}, on the runtime's timer wheel (woken within about a
     * millisecond after the time is up). A zero duration yields.
     *
     * @throws CancelledException if the thread is cancelled or interrupted before
     *         or while sleeping (the interrupt status stays set)
     * @throws IllegalArgumentException if {@code duration} is negative
     * @throws NullPointerException if {@code duration} is null
     */
    public static void sleep(Duration duration) {
        long nanos = RuntimeCore.toNanos(duration, "duration");
        GreenThread.require("Green.sleep");
        Waits.enter("Green.sleep");
        if (nanos == 0) {
            Thread.yield();
            return;
        }
        long deadline = Waits.deadline(nanos);
        TimerWheel.Timer timer = null;
        try {
            for (;;) {
                if (Waits.cancelled()) {
                    throw Waits.cancelledException("Green.sleep");
                }
                if (Waits.remaining(deadline) <= 0) {
                    return;
                }
                timer = Waits.park(SLEEP_BLOCKER, deadline, timer);
            }
        } finally {
            Waits.disarm(timer);
        }
    }

    /**
     * Green only. True if the current green thread has been cancelled (its
     * token is cancelled) or interrupted; see {@link CancelToken}.
     */
    public static boolean cancelled() {
        GreenThread.require("Green.cancelled");
        return Waits.cancelled();
    }

    /**
     * Green only. Throws {@link CancelledException} if {@link #cancelled()}; the
     * check every Verdant blocking operation makes on entry, for loops of your own.
     */
    public static void throwIfCancelled() {
        GreenThread.require("Green.throwIfCancelled");
        if (Waits.cancelled()) {
            throw Waits.cancelledException("Green.throwIfCancelled");
        }
    }

    /**
     * Green only. The current green thread's cancel token (made on first use):
     * cancelled when the thread or an ancestor is cancelled; {@code cancel()}
     * on it cancels the thread itself and its descendants.
     */
    public static CancelToken cancelToken() {
        return GreenThread.require("Green.cancelToken").cancelToken();
    }

    /**
     * A safepoint: if the runtime has asked the current green thread to give up
     * its carrier (its time slice is over, or higher-priority work is waiting),
     * it yields here and goes to the back of its priority level; otherwise this
     * returns at once. Costs one memory read when no request is pending (no
     * allocation). Callable from any thread: outside a green thread it is a
     * cheap no-op, so library code may call it anywhere. This is also the entry
     * point the {@code verdant-agent} inserts at loop back-edges; its signature
     * is stable.
     *
     * <h2>What is and is not preempted</h2>
     * The JVM cannot suspend a virtual thread at an arbitrary instruction
     * ({@code jdk.internal.vm.Continuation.tryPreempt} throws "Not implemented" in
     * JDK 25), so Verdant's preemption is cooperative, made automatic:
     * <ul>
     * <li>The runtime's ticker asks a green thread to yield when it has run longer
     *     than {@link Config#timeslice()} while other work waits, or when a
     *     runnable green thread of higher priority waits and every carrier runs
     *     lower-priority work.</li>
     * <li>The thread yields at its next <em>safepoint</em>: a call to this method
     *     (explicit, or inserted at loop back-edges by {@code verdant-agent}), or
     *     any Verdant blocking or parking operation ({@link #yield()},
     *     {@link #sleep}, {@link GreenHandle#join()}, {@link #blocking}, and every
     *     other operation that parks), or any JDK operation that parks a virtual
     *     thread (locks, queues, socket I/O, {@code Thread.sleep}).</li>
     * <li>Code that reaches none of these — a loop with no checkpoint, a blocking
     *     native call, file I/O, anything that pins the carrier — is <em>not</em>
     *     preempted. Instead, after {@link Config#stallThreshold()} with other work
     *     waiting, the runtime reports the stall once (System.Logger
     *     {@code io.verdant.sysmon}, WARNING, with the green thread's pid, name,
     *     duration and stack trace) and a spare carrier (at most
     *     {@link Config#maxSpareCarriers()}) takes over the stalled carrier's queued
     *     work, so every other green thread keeps running. The offender keeps its
     *     carrier until it returns; the spare then retires.</li>
     * </ul>
     */
    public static void checkpoint() {
        Safepoints.poll();
    }

    /**
     * Runs {@code work}, which is known to block or pin a carrier (file I/O, JNI,
     * a legacy blocking client, a lock held across native code), on the runtime's
     * separate pool of at most {@link Config#blockingThreads()} platform threads,
     * while the calling green thread parks: its carrier keeps running other green
     * threads meanwhile. When all pool threads are busy, calls wait in FIFO order.
     * Outside a green thread, {@code work} simply runs on the caller. A safepoint.
     *
     * @return what {@code work} returned
     * @throws Exception exactly what {@code work} threw (the same object)
     * @throws CancelledException if the caller is interrupted (or cancelled) while
     *         waiting (the pool thread running the work is interrupted and the
     *         caller's interrupt status stays set), or the runtime is closed
     * @throws NullPointerException if {@code work} is null
     */
    public static <T> T blocking(Callable<? extends T> work) throws Exception {
        Objects.requireNonNull(work, "work");
        GreenThread<?> g = GreenThread.current();
        if (g == null) {
            return work.call();
        }
        return g.runtime().blocking(work);
    }

    /** Green only. The caller's pid. */
    public static Pid self() {
        return GreenThread.require("Green.self").pid();
    }

    /** Green only. The caller's priority. */
    public static Priority priority() {
        return GreenThread.require("Green.priority").priority();
    }

    /** Green only. The runtime the caller runs in. */
    public static Verdant runtime() {
        GreenThread.require("Green.runtime");
        return Objects.requireNonNull(Verdant.currentOrNull());
    }

    private static RuntimeCore runtime(String operation) {
        return GreenThread.require(operation).runtime();
    }
}
