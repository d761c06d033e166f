package io.verdant.internal;

import io.verdant.CancelledException;
import io.verdant.internal.timer.TimerWheel;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The waiting protocol shared by every Verdant blocking operation (sleep,
 * join, receive, channels, select, mutex), so cancellation, safepoints and
 * timeouts behave the same everywhere.
 *
 * <pre>
 * A blocking operation
 *   1. enter(op): safepoint poll, then the cancellation check (throws
 *      CancelledException if the caller's token is cancelled or it is
 *      interrupted) -- before anything is consumed or published. Skipped for
 *      Deadline.NOW (a try never blocks, so it is no cancellation point);
 *   2. its Deadline, made once from the caller's timeout (Deadline.after);
 *   3. publish its waiter (under the structure's own lock), then loop:
 *        re-check its condition; if cancelled() -> withdraw, throw;
 *        if deadline.expired() -> withdraw, time out;
 *        timer = park(blocker, deadline, timer);
 *   4. finally disarm(timer).
 *
 * The blocker
 *   Every park passes the object waited on -- the channel, the mutex, the
 *   green thread joined, the mailbox, the sleeping thread's own GreenThread --
 *   as LockSupport's blocker, so a thread dump or a monitoring tool can say
 *   what a parked green thread waits for (LockSupport.getBlocker).
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
 *   A Deadline carries the clock it was read from (the runtime's for a green
 *   thread, Clock.SYSTEM for a platform thread); see Deadline.
 * </pre>
 */
public final class Waits {
    private Waits() {
    }

    /**
     * Step 1 of every blocking operation; any thread.
     *
     * @param operation the operation's name, for the exception message
     * @throws io.verdant.CancelledException if the caller is cancelled or interrupted
     */
    public static void enter(String operation) {
        Safepoints.point(operation);
        if (cancelled()) {
            throw CancelNode.cancelledException(operation);
        }
    }

    /**
     * @return true if the caller is interrupted, or is a green thread whose
     *         token is cancelled and that has not ended (an ended thread runs
     *         only its onComplete callbacks, which the cancellation that ended
     *         it does not reach: they may block), or that its runtime's close
     *         abandoned while it ran; any thread
     */
    public static boolean cancelled() {
        Thread t = Thread.currentThread();
        if (t.isInterrupted()) {
            return true;
        }
        if (t.isVirtual()) {
            // In an event actor's handler, the actor's token (not the dispatcher's).
            // A thread close abandoned (it was cancelled first) that still runs can never run
            // again once it parks: it must publish no new wait (AbandonedWaits).
            GreenThread<?> g = GreenThread.current();
            return g != null && (CancelNode.isCancelled(g) && !g.isDone() || g.abandonedByClose());
        }
        return false;
    }

    /**
     * @param operation the operation's name
     * @return the exception a cancelled {@code operation} throws
     */
    public static CancelledException cancelledException(String operation) {
        return CancelNode.cancelledException(operation);
    }

    /** How {@link #await} ended. */
    public enum Outcome {
        /** The condition held. */
        READY,
        /** The deadline passed first. */
        TIMED_OUT,
        /** The caller was cancelled or interrupted first. */
        CANCELLED
    }

    /**
     * Step 3 for a waiter whose condition is a single test: loops re-check,
     * cancellation check, deadline check, park, until one of them ends it.
     * The caller has entered (step 1) and published its waiter; on TIMED_OUT or
     * CANCELLED it withdraws (and re-checks the condition under its lock: a
     * wake-up may have raced the timeout). Disarms its timer before returning.
     *
     * @param blocker the object waited on (LockSupport's blocker)
     * @param deadline how long to wait; not {@link Deadline#NOW}
     * @param ready the condition; read after every wake-up (must be cheap and not block)
     * @return how the wait ended
     */
    public static Outcome await(Object blocker, Deadline deadline, BooleanSupplier ready) {
        TimerWheel.Timer timer = null;
        try {
            for (;;) {
                if (ready.getAsBoolean()) {
                    return Outcome.READY;
                }
                if (cancelled()) {
                    return Outcome.CANCELLED;
                }
                if (deadline.expired()) {
                    return Outcome.TIMED_OUT;
                }
                timer = park(blocker, deadline, timer);
            }
        } finally {
            disarm(timer);
        }
    }

    /**
     * The whole of a sleep: enter, then park until {@code nanos} have passed,
     * with the deadline itself as the blocker. Green threads only.
     *
     * @param nanos how long to sleep, more than 0
     * @param operation the operation's name, for the exception message
     * @throws io.verdant.CancelledException if cancelled or interrupted before or while sleeping
     */
    public static void sleep(long nanos, String operation) {
        enter(operation);
        Deadline deadline = Deadline.after(nanos);
        if (await(deadline, deadline, () -> false) == Outcome.CANCELLED) {
            throw cancelledException(operation);
        }
    }

    /**
     * Parks the caller until unparked, interrupted, or {@code deadline}; may
     * return spuriously. Pass back what it returned on the next call of the same
     * operation and give the last value to {@link #disarm} when done.
     *
     * @param blocker the object waited on (LockSupport's blocker)
     * @param deadline when to stop waiting; not {@link Deadline#NOW}
     * @param armed the timer an earlier call of this operation returned, or null
     * @return the timer armed for this operation, or null
     * @throws StackOverflowError if the park overflows (the yield needs more stack than
     *         is left); a timer this call armed is disarmed first, else it would stay on
     *         the wheel until the deadline, holding the thread and waking it then
     */
    public static TimerWheel.Timer park(Object blocker, Deadline deadline, TimerWheel.Timer armed) {
        // No statistics here: the carrier counts a park that took the thread off it when it
        // runs the thread again (WorkerCounters.waits, GreenThread.takeCopy), so this path
        // compiles the same with metrics on and off (issue 12).
        if (deadline.isForever()) {
            LockSupport.park(blocker);
            return armed;
        }
        GreenThread<?> g = GreenThread.current();
        TimerWheel wheel = g != null ? g.runtime.timers : foreignDetWheel();
        if (wheel == null) {
            long left = deadline.remaining();
            if (left > 0) {
                LockSupport.parkNanos(blocker, left);
            }
            return armed;
        }
        TimerWheel.Timer fresh = null;
        if (armed == null) {
            long at = deadline.clock() == wheel.clock() ? deadline.at() : saturatedAdd(wheel.clock().nanoTime(), deadline.remaining());
            armed = fresh = wheel.wakeAt(at, Thread.currentThread());
        }
        try {
            LockSupport.park(blocker);
        } catch (Throwable t) {
            // The caller never gets a timer armed here back to disarm.
            wheel.cancel(fresh);
            throw t;
        }
        if (armed != null && wheel.isFired(armed) && deadline.remaining() > 0) {
            // The wheel never fires early (deadlines round up to ticks); should the clock
            // disagree, re-arm rather than spin on a spent timer.
            armed = null;
        }
        return armed;
    }

    /**
     * Disarms a timer returned by {@link #park}; null is ignored.
     *
     * @param armed the timer, or null
     */
    public static void disarm(TimerWheel.Timer armed) {
        if (armed != null) {
            GreenThread<?> g = GreenThread.current();
            TimerWheel wheel = g != null ? g.runtime.timers : foreignDetWheel();
            if (wheel != null) {
                wheel.cancel(armed);
            }
        }
    }

    /**
     * The timer wheel of the deterministic runtime whose carrier runs the caller,
     * when the caller is a virtual thread one of its green threads started (a
     * foreign task of its schedule), else null. Such a thread's timeouts run on
     * the runtime's virtual clock, as a green thread's: a JDK timed park would be
     * woken by the JDK's timer thread in real time, outside the schedule (a
     * refused wake-up, or a false deadlock while it waits). Any thread; one
     * static read unless a deterministic runtime is open.
     */
    static TimerWheel foreignDetWheel() {
        if (!io.verdant.internal.det.DetScheduler.anyOpen()) {
            return null;
        }
        io.verdant.internal.det.DetScheduler det = io.verdant.internal.det.DetScheduler.ofForeignCaller();
        return det == null ? null : det.timers();
    }

    /**
     * Parks until {@code child} has ended, deaf to the caller's cancellation
     * and interrupts (used where nothing of a child may outlive the caller's
     * operation: {@code Green.withTimeout} after cancelling its body). The
     * interrupt status is cleared while waiting and restored at the end. The
     * child's completion callback unparks the caller; the loop re-reads
     * {@code isDone()} after every wake-up, so spurious ones are harmless.
     * Any thread; the child as the blocker.
     *
     * @param child the green thread to wait for (normally already cancelled)
     */
    public static void awaitEndUninterruptibly(GreenThread<?> child) {
        Thread me = Thread.currentThread();
        child.onComplete((v, t) -> LockSupport.unpark(me));
        boolean interrupted = Thread.interrupted();
        while (!child.isDone()) {
            LockSupport.park(child);
            if (Thread.interrupted()) {
                interrupted = true;
            }
        }
        if (interrupted) {
            me.interrupt();
        }
    }

    /** A blocking wait that throws InterruptedException: a latch's await, a thread's join. */
    public interface InterruptibleWait {
        /**
         * Blocks until done.
         *
         * @throws InterruptedException if interrupted while blocked
         */
        void await() throws InterruptedException;
    }

    /**
     * Runs {@code wait} until it returns, deaf to interrupts: an interrupt that came
     * meanwhile is set again on return. For waits that must not be cut short (a
     * supervisor's start, a close waiting for another close or for its closer thread).
     * Any thread.
     *
     * @param wait what to wait for, such as {@code latch::await} or {@code thread::join}
     */
    public static void uninterruptibly(InterruptibleWait wait) {
        boolean interrupted = false;
        for (;;) {
            try {
                wait.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static long saturatedAdd(long now, long nanos) {
        long d = now + nanos;
        return d < now ? Long.MAX_VALUE : d;
    }
}
