package io.verdant.internal.sched;

/**
 * A runnable we did not create: the continuation of a virtual thread that was
 * started inside a green thread with {@code Thread.ofVirtual()} (or by an
 * executor or structured-concurrency fork) and so inherited that green thread's
 * scheduler. It runs on our carriers as anonymous work; it is never mistaken for
 * the green thread whose executor received it. One instance per submission.
 */
final class ForeignTask extends Task {
    private final Runnable runnable;

    ForeignTask(Runnable runnable, int priority) {
        super(priority);
        this.runnable = runnable;
    }

    @Override
    protected void dispatch(Worker worker) {
        runnable.run();
    }

    /**
     * Still queued when the carriers stopped during the JVM's shutdown (Scheduler's
     * handOverQueued): the JDK's default scheduler runs it, as it runs a foreign
     * submission made after termination (Scheduler.submitForeign). Dropped, its virtual
     * thread stayed runnable for ever (ExitDropsNoQueuedTaskTest).
     */
    @Override
    protected void submittedAfterTermination() {
        java.util.concurrent.Executor fallback = io.verdant.internal.vthread.VirtualThreads.defaultScheduler();
        if (fallback != null) {
            fallback.execute(runnable);
        }
    }
}
