package io.verdant.internal;

import io.verdant.internal.sched.Worker;

/**
 * The carrier a green thread is running on, for state kept per carrier
 * rather than per green thread (a carrier's own data is warm in its cache;
 * a green thread's record, in a ring of thousands, is not).
 */
public final class Carriers {
    private Carriers() {
    }

    /**
     * The {@link Worker} whose OS thread runs the calling green thread (the
     * green thread mounted there: a dispatcher, not the event actor it runs),
     * or null on a platform thread, a foreign virtual thread and in a
     * deterministic runtime (no workers). Any thread; only the caller's own
     * carrier is ever returned, so owner-only fields of it may be used.
     *
     * @return the calling green thread's carrier, or null
     */
    public static Worker current() {
        // The carrier the JDK mounted the caller on, not Task.worker: a stale copy of the
        // caller dispatched elsewhere may name another carrier there for a moment
        // (GreenThread, "One queued copy").
        return GreenThread.mounted() == null ? null : Worker.ofCaller();
    }
}
