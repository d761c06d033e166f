package io.verdant.internal.sched;

/** Test-only access to package-private scheduler settings, for tests outside this package. */
public final class SchedulerTestAccess {
    private SchedulerTestAccess() {
    }

    /** Sets {@code s}'s spin phase (see Scheduler.SPIN_NANOS) to {@code nanos}. */
    public static void spinNanos(Scheduler s, long nanos) {
        s.spinNanos(nanos);
    }

    /**
     * Runs {@code r} on a carrier each time a traced dispatch has returned and its
     * SLICE event is not written yet (Faults.Site.SLICE_ENDING); null removes it.
     * Needs -Dio.verdant.internal.faults=true (verdant-core's test build sets it).
     */
    public static void onSliceEnding(Runnable r) {
        Faults.install(r == null ? null : (w, site) -> {
            if (site == Faults.Site.SLICE_ENDING) {
                r.run();
            }
        });
    }

    /**
     * Runs {@code r} on a carrier each time it has written a traced slice's SLICE
     * event, before its turn ends (Faults.Site.SLICE_WRITTEN); null removes it.
     * Needs -Dio.verdant.internal.faults=true (verdant-core's test build sets it).
     */
    public static void onSliceWritten(Runnable r) {
        Faults.install(r == null ? null : (w, site) -> {
            if (site == Faults.Site.SLICE_WRITTEN) {
                r.run();
            }
        });
    }

    /**
     * Makes every traced slice end at a clock read, as if the ticker had ticked in
     * every slice (a carrier reads the clock at a slice's end when Ticker.coarseNanos
     * moved since its last read, else estimates the end: Worker "Tracing"); a test
     * that compares slice lengths then does not depend on the ticker being scheduled
     * on a loaded machine. Uses the SLICE_ENDING hook (onSliceEnding); false removes it.
     */
    public static void clockEverySliceEnd(boolean on) {
        onSliceEnding(on ? () -> Ticker.advanceCoarse(System.nanoTime()) : null);
    }

    /**
     * Runs {@code h} on a carrier at every fault site it reaches, with the site's
     * name (Faults.Site: NEXT, SEARCH, PARK, REPORT, SLICE_WRITTEN, TAKEN, DISPATCHED, UNMOUNTED, ...); null
     * removes it. Needs -Dio.verdant.internal.faults=true.
     */
    public static void atSites(java.util.function.BiConsumer<Worker, String> h) {
        Faults.install(h == null ? null : (w, site) -> h.accept(w, site.name()));
    }

    /** Free slots in {@code w}'s local ring of priority level {@code level}; owner's view (call it on w). */
    public static int localRoom(Worker w, int level) {
        return w.levels[level].room();
    }
}
