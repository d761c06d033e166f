package io.verdant.internal.sched;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One submission of a JDK sub-poller's continuation to a host runtime (see
 * {@link PollerHost}). Runs at most once: the carrier that dispatches it,
 * PollerHost's runElsewhere and, after a rescue, the fallback race for
 * {@code claimed} (CAS), and only the winner runs the continuation. Fields other than {@code claimed} and {@code slot} are final;
 * {@code slot} is written by the submitter before the CAS that makes the task
 * pending publishes it (PollerHost, "Pending slots"), and only read after.
 */
final class PollerTask extends Task {
    /** Priority.NORMAL's level: a sub-poller wakes threads of every priority. */
    private static final int LEVEL = 2;

    final Runnable continuation;
    final PollerHost owner;
    /** The scheduler it was handed to. */
    final Scheduler host;
    /** Clock.SYSTEM when submitted (PollerHost.rescue). */
    final long submittedAt;
    @SuppressWarnings("unused") private volatile int claimed;
    /** The sub-poller's number (PollerHost.number), or -1 past SLOTS. */
    final int number;
    /** Its slot in PollerHost's pending array, or -1 if in the overflow set (PollerHost.add). */
    int slot;
    /**
     * Whether PollerHost.rescue has handed it to the fallback too (it is then
     * claimed by whichever runs it first). Its host's ticker only (plain): no
     * other thread reads it.
     */
    boolean rescued;

    PollerTask(Runnable continuation, PollerHost owner, Scheduler host, long submittedAt, int number) {
        super(LEVEL);
        this.continuation = continuation;
        this.owner = owner;
        this.host = host;
        this.submittedAt = submittedAt;
        this.number = number;
    }

    /** Any thread: true for the one caller that may run the continuation. */
    boolean claim() {
        return CLAIMED.compareAndSet(this, 0, 1);
    }

    /**
     * The rescuer (PollerHost.rescueIfLate) only: true once a caller of claim() has
     * won, whether or not it has yet taken the task off the pending slots. Volatile:
     * it orders after the rescuer's write of its host's pollerSlow (PollerHost,
     * "stall"). Never read on a carrier's dispatch path.
     */
    boolean isClaimed() {
        return (int) CLAIMED.getVolatile(this) != 0;
    }

    @Override
    protected void dispatch(Worker worker) {
        if (claim()) {
            Faults.pollerClaimed(worker);
            owner.ran(this);
            worker.scheduler.pollerRan();
            continuation.run();
        }
    }

    private static final VarHandle CLAIMED;
    static {
        try {
            CLAIMED = MethodHandles.lookup().findVarHandle(PollerTask.class, "claimed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
