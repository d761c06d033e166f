package io.verdant.internal.sched;

/**
 * A unit of work a {@link Worker} can run: a green thread's continuation or a
 * foreign runnable handed to us by a virtual thread that inherited our scheduler.
 *
 * <p>{@code priority} is the run-queue level (0 = CRITICAL ... 3 = LOW). It is
 * written before the task is first published to a queue and only changes while
 * the task is in no queue, so queue publication orders it for readers.
 */
public abstract class Task {
    protected int priority;
    /**
     * The worker running this task now, or that ran it last. Written by that
     * worker just before dispatch, only if it changed (a load and a compare
     * instead of a reference store and its GC barrier per dispatch); read by
     * the task's own code while it runs on that same carrier (program order on
     * one OS thread), and as a hint by diagnostics on other threads.
     */
    Worker worker;
    /**
     * The next task in an {@link InjectionQueue} level or in a chain being
     * moved to or from one, else null. Touched under the injection queue's lock,
     * or by the one thread that owns the chain (see InjectionQueue, "Who touches what").
     */
    Task next;

    protected Task(int priority) {
        this.priority = priority;
    }

    /**
     * Carrier threads only, just before {@link #dispatch}: takes this queued copy
     * of the task and says whether there is anything to run. False for a copy
     * with nothing to run (a green thread's copy whose thread is held by a
     * stack walker, or ended): the carrier then skips it entirely (no
     * dispatch count, no current task, no Task.worker, no trace slice), as if
     * it had never been queued. Foreign work always runs. A green thread's copy
     * that runs also counts here, on {@code worker}, a return from a park (its
     * {@code waits}: see GreenThread.takeCopy).
     *
     * @param worker the calling carrier
     * @return true if the carrier should dispatch this task
     */
    protected boolean takeCopy(Worker worker) {
        return true;
    }

    /**
     * Any thread: this task was made runnable after its scheduler terminated, and the
     * scheduler dropped it. Nothing by default (see GreenThread's override).
     */
    protected void submittedAfterTermination() {
    }

    /** Runs (or continues) the task on the calling carrier, after {@link #takeCopy} said so. Carrier threads only. */
    protected abstract void dispatch(Worker worker);

    /** The worker that runs or last ran this task; see the field comment. */
    public final Worker lastWorker() {
        return worker;
    }

    /** Any thread: the run-queue level (see the class comment); event-actor dispatch orders by it. */
    public final int priorityLevel() {
        return priority;
    }

    /**
     * Any thread. Asks this task to give up its carrier at its next safepoint;
     * false if it cannot be asked (not a green thread) or was already asked.
     */
    protected boolean requestPreemption() {
        return false;
    }

    /** Any thread. Withdraws a request made with {@link #requestPreemption()}, if still pending. */
    protected void withdrawPreemption() {
    }

    /**
     * Any thread, for reports (a stall): what this task runs as now, to name it by:
     * itself, or for a green thread running an event actor's handler, that actor.
     *
     * @return the task to name in a report
     */
    protected Object reportedAs() {
        return this;
    }

    /**
     * Ticker thread only: this task was seen running on a carrier at a Sysmon pass
     * that stands for {@code ticks} ticks (one, or more after a backed-off sleep;
     * sampled run time; see {@code GreenThread.runNanos}). Foreign work keeps no count.
     */
    protected void chargeTicks(long ticks) {
    }

    /**
     * Any thread: this task's id in traces ({@code io.verdant.internal.obs.TraceEvent}):
     * {@code (generation << 32) | (index + 1)} of a green thread's pid, 0 for foreign work.
     */
    public long traceId() {
        return 0;
    }

    /**
     * Any thread, at a spawn while a trace records: this task's name for the
     * trace, a field read (no string is built), or null if it has none (foreign
     * work). The spawn event carries it, so a thread that ends before the trace's
     * collector first sees it is still named.
     */
    public String traceName() {
        return null;
    }

    /** The virtual thread this task is the continuation of, or null if unknown (foreign work). */
    protected Thread thread() {
        return null;
    }
}
