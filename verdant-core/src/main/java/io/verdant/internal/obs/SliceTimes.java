package io.verdant.internal.obs;

import java.util.Arrays;

/**
 * Replaces the estimated slice ends of a copied trace ({@link TraceEvent#ESTIMATED},
 * "Estimated times") by display times, before export. Runs once per
 * {@link TraceData}, on the collector's copies, never on a carrier.
 *
 * <pre>
 * What the carrier wrote
 *   Along one carrier's lane the slice boundaries (a slice's end is the next
 *   slice's begin) are clock reads (anchors), or estimates: the boundary before
 *   plus 1 ns. An estimate is a lower bound of the true time and the estimates of
 *   a lane increase strictly, so a run of m estimates v1 &lt; ... &lt; vm lies between
 *   two anchors r0 &lt; v1 and vm &lt; r1 of the lane (r1 - r0 covers the m + 1 slices).
 *
 * Display time of vi
 *   spread:  r0 + (r1 - r0) * i / (m + 1): the run's time shared evenly among its
 *            slices (the true split is unknown; the carrier reads the clock at
 *            least once per ticker tick while busy, so a run spans about one tick
 *            at most, plus the slice that ended at r1);
 *   clamped: below every clock read R &gt; vi that an export compares with times of
 *            other lanes: the begins of slices found in the injection queues or
 *            stolen (a fresh read, see Worker "Tracing") and the times of WAKE_FROM
 *            events. Such a read taken after the boundary truly happened is at
 *            least its true time, which is at least vi; so the clamp keeps every
 *            order the carriers' lower bounds kept: a woken thread's next slice
 *            begins after its waker's slice began, a thread's slice on a new carrier
 *            begins after its slice on the old one ended;
 *   bounded: at least vi (the lower bound), and strictly increasing below r1 (a
 *            backward pass lowers a value to one below its successor; it stays at
 *            least vi because the vi increase by 1): slices of a lane never overlap
 *            and never begin at the same nanosecond.
 *   A run with no anchor after it (the lane's last slices, when the trace stopped
 *   or the flight recorder was copied while the carrier had not read the clock
 *   since) keeps its lower bounds: those slices show 1 ns long. A run whose anchor
 *   before it was lost (overwritten events) starts from its first estimate.
 *   WAKE and SPAWN events carry their slice's begin: they are mapped the same way.
 * </pre>
 */
final class SliceTimes {
    private SliceTimes() {
    }

    /**
     * Rewrites the times of {@code lanes} in place and clears {@link TraceEvent#ESTIMATED}.
     *
     * @param lanes  each lane's events ({@link TraceRing#LONGS} longs each), a copy
     * @param counts events per lane
     */
    static void apply(long[][] lanes, int[] counts) {
        long[] reads = crossLaneReads(lanes, counts);
        for (int lane = 0; lane < lanes.length; lane++) {
            apply(lanes[lane], counts[lane], reads);
        }
    }

    /** The clock reads that exports compare across lanes (see "clamped"), sorted. */
    private static long[] crossLaneReads(long[][] lanes, int[] counts) {
        int n = 0;
        long[] out = new long[64];
        for (int lane = 0; lane < lanes.length; lane++) {
            long[] ev = lanes[lane];
            for (int k = 0; k < counts[lane]; k++) {
                int j = k * TraceRing.LONGS;
                long h = ev[j];
                int type = TraceEvent.type(h);
                boolean fresh = type == TraceEvent.SLICE && (TraceEvent.found(h) == TraceEvent.FOUND_INJECTED
                        || TraceEvent.found(h) == TraceEvent.FOUND_STOLEN);
                if (fresh || type == TraceEvent.WAKE_FROM) {
                    if (n == out.length) {
                        out = Arrays.copyOf(out, n * 2);
                    }
                    out[n++] = ev[j + 1];
                }
            }
        }
        out = Arrays.copyOf(out, n);
        Arrays.sort(out);
        return out;
    }

    /** One lane: finds the runs of estimates, computes their display times, rewrites. */
    private static void apply(long[] ev, int count, long[] reads) {
        long[] raw = new long[16];
        long[] shown = new long[16];
        int mapped = 0;
        long[] run = new long[16];
        int m = 0;
        long r0 = Long.MIN_VALUE;
        long prevEnd = Long.MIN_VALUE;
        boolean prevEstimated = false;
        for (int k = 0; k < count; k++) {
            int j = k * TraceRing.LONGS;
            long h = ev[j];
            int type = TraceEvent.type(h);
            if (type == TraceEvent.SLICE) {
                long begin = ev[j + 1];
                if (!(prevEstimated && begin == prevEnd)) {
                    // An anchor (a clock read, or a lower bound whose origin was lost).
                    mapped = close(run, m, r0, begin, reads, raw, shown, mapped);
                    if (mapped < 0) {
                        return; // a lane out of order: leave it as written
                    }
                    m = 0;
                    r0 = begin;
                }
                long end = ev[j + 2];
                prevEnd = end;
                prevEstimated = (h & TraceEvent.ESTIMATED) != 0;
                if (prevEstimated) {
                    if (m == run.length) {
                        run = Arrays.copyOf(run, m * 2);
                    }
                    run[m++] = end;
                } else {
                    mapped = close(run, m, r0, end, reads, raw, shown, mapped);
                    if (mapped < 0) {
                        return;
                    }
                    m = 0;
                    r0 = end;
                }
            } else if (type == TraceEvent.IDLE) {
                mapped = close(run, m, r0, ev[j + 1], reads, raw, shown, mapped);
                if (mapped < 0) {
                    return;
                }
                m = 0;
                r0 = ev[j + 2];
                prevEstimated = false;
            }
            if (raw.length - mapped < run.length + 1) { // room for the next close
                raw = Arrays.copyOf(raw, (raw.length + run.length) * 2);
                shown = Arrays.copyOf(shown, raw.length);
            }
        }
        // The last run has no anchor after it: its lower bounds stay (see the class comment).
        if (mapped == 0) {
            clearFlags(ev, count);
            return;
        }
        for (int k = 0; k < count; k++) {
            int j = k * TraceRing.LONGS;
            int type = TraceEvent.type(ev[j]);
            if (type == TraceEvent.SLICE) {
                ev[j] &= ~TraceEvent.ESTIMATED;
                ev[j + 1] = shownOf(ev[j + 1], raw, shown, mapped);
                ev[j + 2] = shownOf(ev[j + 2], raw, shown, mapped);
            } else if (type == TraceEvent.WAKE || type == TraceEvent.SPAWN) {
                ev[j + 1] = shownOf(ev[j + 1], raw, shown, mapped);
            }
        }
    }

    private static void clearFlags(long[] ev, int count) {
        for (int k = 0; k < count; k++) {
            ev[k * TraceRing.LONGS] &= ~TraceEvent.ESTIMATED;
        }
    }

    /**
     * Resolves the run {@code run[0..m)} between anchors {@code r0} and {@code r1}
     * into {@code raw}/{@code shown} from {@code mapped} on (room for m entries is
     * there); returns the new mapped count, or -1 if the lane is out of order.
     */
    private static int close(long[] run, int m, long r0, long r1, long[] reads, long[] raw, long[] shown, int mapped) {
        if (m == 0) {
            return mapped;
        }
        long from = r0 == Long.MIN_VALUE ? run[0] - 1 : r0;
        if (r1 <= run[m - 1] || from >= run[0] || (mapped > 0 && raw[mapped - 1] >= run[0])) {
            return -1;
        }
        double step = (double) (r1 - from) / (m + 1);
        for (int i = 0; i < m; i++) {
            long v = run[i];
            long d = from + (long) (step * (i + 1));
            int x = Arrays.binarySearch(reads, v + 1);
            x = x < 0 ? -x - 1 : x; // the first read >= v + 1, i.e. > v
            if (x < reads.length) {
                d = Math.min(d, reads[x] - 1);
            }
            shown[mapped + i] = Math.max(v, d);
            raw[mapped + i] = v;
        }
        long limit = r1 - 1;
        for (int i = m - 1; i >= 0; i--) {
            long d = Math.min(shown[mapped + i], limit);
            shown[mapped + i] = d;
            limit = d - 1;
        }
        return mapped + m;
    }

    /** The display time of {@code v}: its mapped value, or itself (an anchor, or unmapped). */
    private static long shownOf(long v, long[] raw, long[] shown, int mapped) {
        int x = Arrays.binarySearch(raw, 0, mapped, v);
        return x >= 0 ? shown[x] : v;
    }
}
