package io.verdant.internal;

import io.verdant.CancelledException;
import io.verdant.internal.timer.TimerWheel;

import java.util.concurrent.locks.LockSupport;

/**
 * The waiting protocol shared by every Verdant blocking operation (sleep,
 * join, channels, select, mutex), so cancellation, safepoints and timeouts
 * behave the same everywhere.
 *
 * <pre>
 * A blocking operation
 *   1. enter(op): safepoint poll, then the cancellation check (throws
 *      CancelledException if the caller's token is cancelled or it is
 *      interrupted) -- before anything is consumed or published;
 *   2. deadline(nanos) once, on the caller's clock;
 *   3. publish its waiter (under the structure's own lock), then loop:
 *        re-check its condition; if cancelled() -> withdraw, throw;
 *        if the deadline passed -> withdraw, time out;
 *        timer = park(blocker, deadline, timer);
 *   4. finally disarm(timer).
 *
 * Timed parking
 *   A green thread arms one timer on its runtime's wheel on the first timed
 *   park of an operation (the timer unparks it at the deadline) and keeps it
 *   across spurious wake-ups; the operation disarms it at the end. The JDK's
 *   own timer threads (parkNanos on a virtual thread schedules a task on a
 *   ScheduledThreadPoolExecutor) are never used. A platform thread uses
 *   parkNanos: it belongs to no runtime.
 *
 * Clocks
 *   Deadlines are on the wheel's clock for green threads and System.nanoTime
 *   for platform threads; a deadline is only compared on the thread that made
 *   it. NO_DEADLINE (Long.MAX_VALUE) means wait forever.
 * </pre>
 */
public final class Waits {
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    private Waits() {
    }

    /** Step 1 of every blocking operation; any thread. */
    public static void enter(String operation) {
        Safepoints.poll();
        if (cancelled()) {
            throw CancelNode.cancelledException(operation);
        }
    }

    /** Any thread: the caller is interrupted, or is a green thread whose token is cancelled. */
    public static boolean cancelled() {
        Thread t = Thread.currentThread();
        if (t.isInterrupted()) {
            return true;
        }
        if (t.isVirtual() && t.getUncaughtExceptionHandler() instanceof GreenThread<?> g) {
            return CancelNode.isCancelled(g);
        }
        return false;
    }

    public static CancelledException cancelledException(String operation) {
        return CancelNode.cancelledException(operation);
    }

    /** Now, on the caller's clock. */
    public static long now() {
        GreenThread<?> g = GreenThread.current();
        return g != null ? g.runtime.timers.clock().nanoTime() : System.nanoTime();
    }

    /** The deadline {@code nanos} from now on the caller's clock; NO_DEADLINE if it would overflow. */
    public static long deadline(long nanos) {
        if (nanos == Long.MAX_VALUE) {
            return NO_DEADLINE;
        }
        long now = now();
        long d = now + nanos;
        return d < now ? NO_DEADLINE : d;
    }

    /** Nanoseconds left until {@code deadline} on the caller's clock (<= 0: passed). */
    public static long remaining(long deadline) {
        return deadline == NO_DEADLINE ? Long.MAX_VALUE : deadline - now();
    }

    /**
     * Parks the caller until unparked, interrupted, or {@code deadline}; may
     * return spuriously. Pass back what it returned on the next call of the same
     * operation and give the last value to {@link #disarm} when done.
     */
    public static TimerWheel.Timer park(Object blocker, long deadline, TimerWheel.Timer armed) {
        GreenThread<?> g = GreenThread.current();
        if (g != null) {
            // Statistics: a plain increment by the carrier this green thread runs on (its single writer).
            io.verdant.internal.sched.Worker w = g.lastWorker();
            if (w != null) {
                w.counters.waits++;
            }
        }
        if (deadline == NO_DEADLINE) {
            LockSupport.park(blocker);
            return armed;
        }
        if (g == null) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                LockSupport.parkNanos(blocker, left);
            }
            return armed;
        }
        if (armed == null) {
            armed = g.runtime.timers.wakeAt(deadline, Thread.currentThread());
        }
        LockSupport.park(blocker);
        if (armed != null && g.runtime.timers.isFired(armed) && deadline - g.runtime.timers.clock().nanoTime() > 0) {
            // The wheel never fires early (deadlines round up to ticks); should the clock
            // disagree, re-arm rather than spin on a spent timer.
            armed = null;
        }
        return armed;
    }

    /** Disarms a timer returned by {@link #park}; null is ignored. */
    public static void disarm(TimerWheel.Timer armed) {
        if (armed != null) {
            GreenThread<?> g = GreenThread.current();
            if (g != null) {
                g.runtime.timers.cancel(armed);
            }
        }
    }
}
