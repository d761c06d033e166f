package io.verdant.internal.obs;

/**
 * Unfolds the wake-ups carried in SLICE events ({@link TraceEvent}, "Folded
 * wake-up") into WAKE events, so that the exporters see the events the carriers
 * used to write: for a SLICE whose fourth word d is a task id, a WAKE (time: the
 * slice's begin, waker: the slice's task, woken: d) is inserted right before it and
 * d is cleared. Runs once per {@link TraceData}, on the collector's copies.
 *
 * A WAKE is written before its slice's SLICE event, after any WAKE or SPAWN
 * events the slice wrote: the exporters look for "the next SLICE in the lane"
 * from a WAKE, so the order among the slice's own events does not matter.
 */
final class FoldedWakes {
    private FoldedWakes() {
    }

    /**
     * Unfolds lane {@code lane} of the given arrays in place (replacing the lane's
     * arrays when it had folded wake-ups), or only clears the folded words when
     * {@code keep} is false (the options leave wake-ups out).
     *
     * @param lanes   each lane's events
     * @param refs    each lane's object slots, by event
     * @param holders each lane's extra longs, by event
     * @param counts  events per lane; updated
     * @param keep    whether wake-ups are kept
     * @return the number of WAKE events added
     */
    static long unfold(long[][] lanes, Object[][] refs, long[][] holders, int[] counts, boolean keep) {
        final int w = TraceRing.LONGS;
        long added = 0;
        for (int lane = 0; lane < lanes.length; lane++) {
            long[] ev = lanes[lane];
            int n = counts[lane];
            int folded = 0;
            for (int k = 0; k < n; k++) {
                int j = k * w;
                if (ev[j + 4] != 0) {
                    if (keep && TraceEvent.type(ev[j]) == TraceEvent.SLICE) {
                        folded++;
                    } else {
                        ev[j + 4] = 0;
                    }
                }
            }
            if (folded == 0) {
                continue;
            }
            long[] out = new long[(n + folded) * w];
            Object[] outRefs = new Object[n + folded];
            long[] outHolders = new long[n + folded];
            int o = 0;
            for (int k = 0; k < n; k++) {
                int j = k * w;
                if (ev[j + 4] != 0) {
                    int jo = o * w;
                    out[jo] = TraceEvent.header(TraceEvent.WAKE, 0, 0, 0);
                    out[jo + 1] = ev[j + 1];
                    out[jo + 2] = ev[j + 3];
                    out[jo + 3] = ev[j + 4];
                    o++;
                }
                System.arraycopy(ev, j, out, o * w, w);
                out[o * w + 4] = 0;
                if (k < refs[lane].length) {
                    outRefs[o] = refs[lane][k];
                }
                if (k < holders[lane].length) {
                    outHolders[o] = holders[lane][k];
                }
                o++;
            }
            lanes[lane] = out;
            refs[lane] = outRefs;
            holders[lane] = outHolders;
            counts[lane] = n + folded;
            added += folded;
        }
        return added;
    }
}
