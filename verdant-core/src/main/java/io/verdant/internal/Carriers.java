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
        GreenThread<?> g = GreenThread.mounted();
        // Task.worker is written by the carrier just before dispatch and read here by
        // code running inside that dispatch, on the same OS thread (program order).
        return g == null ? null : g.lastWorker();
    }
}
