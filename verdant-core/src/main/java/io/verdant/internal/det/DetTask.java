package io.verdant.internal.det;

import io.verdant.internal.GreenThread;

import java.util.concurrent.Executor;

/**
 * One schedulable unit of a deterministic runtime: a green thread's
 * continuation, or the continuation of a foreign virtual thread started inside
 * one. A green thread's task is also the {@link Executor} its virtual thread
 * was built with, so the JDK submits the continuation here instead of to a
 * {@code Scheduler}; a virtual thread created inside that green thread inherits
 * this executor and its continuation becomes a foreign task.
 *
 * <pre>
 * Fields and threads
 *   cont  set once by the first execute() (the thread's start, made by its
 *         spawner), read by the carrier after it took the task from the
 *         runnable set (the submission's publication orders it).
 *   id    -1 until the carrier first admits the task to the runnable set; then
 *         the next number in the runtime's order of first admission, so ids
 *         depend on the schedule only (never on hashes or global counters).
 *         Carrier only.
 *   priority, kind, waker, settling
 *         carrier only (the carrier and the green thread mounted on it):
 *         PCT's priority; the Verdant operation the task last reached (its
 *         step log entry); who made it runnable last; whether it waits in
 *         Green.settle() for the others to block.
 *   queued
 *         carrier only: the task is in the runnable set or among the settlers
 *         (DetScheduler, "The runnable set": at most once).
 * </pre>
 */
final class DetTask implements Executor {
    final DetScheduler scheduler;
    /** The green thread, or null for a foreign task. */
    final GreenThread<?> green;
    private volatile Runnable cont;
    long id = -1;
    long priority;
    String kind = "start";
    long waker = StepLog.WAKER_OUTSIDE;
    boolean settling;
    boolean queued;

    DetTask(DetScheduler scheduler, GreenThread<?> green, Runnable cont) {
        this.scheduler = scheduler;
        this.green = green;
        this.cont = cont;
    }

    /** The task's name in step logs: its green thread's name, or "(foreign)". Carrier only. */
    String name() {
        if (green == null) {
            return "(foreign)";
        }
        String n = green.name();
        return n == null || n.isEmpty() ? "(unnamed)" : "'" + n + "'";
    }

    /** The continuation to run; carrier only, after the task was taken from the runnable set. */
    Runnable continuation() {
        return cont;
    }

    /** Any thread: the JDK submits a continuation (see the class comment). Never throws. */
    @Override
    public void execute(Runnable r) {
        Runnable own = cont;
        if (green != null && (r == own || own == null)) {
            if (own == null) {
                cont = r;
            }
            scheduler.submit(this, own == null);
        } else {
            scheduler.submitForeign(r);
        }
    }
}
