package io.verdant.internal.sched;

/** Test-only access to package-private scheduler settings, for tests outside this package. */
public final class SchedulerTestAccess {
    private SchedulerTestAccess() {
    }

    /** Sets {@code s}'s spin phase (see Scheduler.SPIN_NANOS) to {@code nanos}. */
    public static void spinNanos(Scheduler s, long nanos) {
        s.spinNanos(nanos);
    }
}
