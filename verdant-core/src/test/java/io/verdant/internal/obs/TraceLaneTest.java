package io.verdant.internal.obs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The collector's lane: events copied off the heap in bulk, each distinct object
 * kept once and named by an index in its events' headers, extra longs kept only
 * for the events that carry one, and the torn-copy protocol
 * (append, validFrom, truncate) against a writer that never waits.
 */
class TraceLaneTest {

    /** Event s: a slice whose words are derived from s (an end the ring's four-word form holds,
     * TraceRing "Format"); every 7th carries an object, every 5th an extra long. */
    private static void write(TraceRing r, long s) {
        Object ref = s % 7 == 0 ? "e" + s : null;
        long extra = s % 5 == 0 ? s + 1 : 0;
        r.put(TraceEvent.header(TraceEvent.SLICE, 1, TraceEvent.ENDED_PARK, 2), s, end(s), s * 31, ref, extra, s ^ 0x55);
    }

    /** Event s's end: s plus up to 2^20 ns. */
    private static long end(long s) {
        return s + (s * 0x9E3779B97F4A7C15L >>> 44);
    }

    /** TraceSession.drain's protocol, a block at a time: copy the longs, read the carried slots, check
     * validFrom, skip what may be torn, hand the block to the lane in bulk. Returns {next, lost}. */
    private static long[] drain(TraceRing r, TraceLane l, long from) {
        long lost = 0;
        long p = r.published();
        long[] block = new long[1000 * TraceRing.LONGS];
        long[] extras = new long[1000];
        while (from < p) {
            long start = Math.max(from, p - r.capacity());
            lost += start - from;
            from = start;
            int n = (int) Math.min(p - from, 1000);
            r.copyLongs(from, n, block, 0);
            for (int i = 0; i < n; i++) {
                long h = block[i * TraceRing.LONGS];
                extras[i] = (h & TraceEvent.EXTRA) != 0 ? r.extra(from + i) : 0;
                if ((h & TraceEvent.REF) != 0) {
                    block[i * TraceRing.LONGS] = h | (long) l.intern(r.ref(from + i)) << TraceLane.OBJ_SHIFT;
                }
            }
            long valid = r.validFrom();
            if (valid > from) {
                long skip = Math.min(valid, p);
                lost += skip - from;
                from = skip;
                continue;
            }
            int base = l.count();
            for (int i = 0; i < n; i++) {
                if ((block[i * TraceRing.LONGS] & TraceEvent.EXTRA) != 0) {
                    l.addExtra(base + i, extras[i]);
                }
            }
            assertThat(l.append(block, n)).isEqualTo(n);
            from += n;
        }
        return new long[] {p, lost};
    }

    private static void assertWhole(TraceLane l, Object[] refs, long[] extras, int k) {
        long s = l.word(k, 1);
        long h = l.word(k, 0);
        assertThat(l.word(k, 2)).isEqualTo(end(s));
        assertThat(l.word(k, 3)).isEqualTo(s * 31);
        assertThat(l.word(k, 4)).isEqualTo(s ^ 0x55);
        assertThat(TraceEvent.hasRef(h)).isEqualTo(s % 7 == 0);
        assertThat((h & TraceEvent.EXTRA) != 0).isEqualTo(s % 5 == 0);
        assertThat(refs[k]).isEqualTo(s % 7 == 0 ? "e" + s : null);
        assertThat(extras[k]).isEqualTo(s % 5 == 0 ? s + 1 : 0);
        assertThat(l.ref(k)).isEqualTo(refs[k]);
    }

    @Test
    void keepsEveryEventAcrossChunksWithItsObjectAndExtraAndForgetsTruncatedOnes() {
        TraceRing r = new TraceRing(1 << 14);
        TraceLane l = new TraceLane();
        long from = 0;
        int total = 3 * TraceLane.CHUNK_BYTES / 10 + 123; // arbitrary words: over 10 bytes an event, four chunks
        for (long s = 0; s < total; s++) {
            write(r, s);
            if (s % 5000 == 4999) {
                from = drain(r, l, from)[0];
            }
        }
        from = drain(r, l, from)[0];
        assertThat(from).isEqualTo(total);
        assertThat(l.count()).isEqualTo(total);
        assertThat(l.chunks()).isGreaterThanOrEqualTo(4);
        Object[] refs = l.refs();
        long[] extras = l.extras();
        long[] flat = l.events();
        for (int k = 0; k < total; k++) {
            int j = k * TraceRing.LONGS;
            long s = flat[j + 1];
            assertThat(s).isEqualTo(k);
            assertThat(flat[j + 2]).isEqualTo(end(s));
            assertThat(flat[j + 3]).isEqualTo(s * 31);
            assertThat(flat[j + 4]).isEqualTo(s ^ 0x55);
            assertThat(flat[j] & TraceLane.OBJ_MASK).isZero(); // index cleared
            assertThat(refs[k]).isEqualTo(s % 7 == 0 ? "e" + s : null);
            assertThat(extras[k]).isEqualTo(s % 5 == 0 ? s + 1 : 0);
            if (k % 61 == 0 || k > total - 300) { // random access decodes from a sync point: a sample
                assertWhole(l, refs, extras, k);
                assertThat(flat[j]).isEqualTo(l.word(k, 0) & ~TraceLane.OBJ_MASK);
            }
        }
        // Taking back the tail forgets its objects too; appending again reuses the chunks.
        int back = 2 * TraceLane.SYNC_EVERY + 11; // between two sync points of the encoding
        l.truncate(back);
        assertThat(l.refs()).hasSize(back);
        assertThat(l.refs()[back - 5]).isEqualTo("e" + (back - 5)); // 518 = 7 * 74: kept below the cut
        assertThat(l.extras()).hasSize(back);
        l.add(TraceEvent.header(TraceEvent.SLICE, 0, TraceEvent.ENDED_RUNNING, 0), 1, 2, 3);
        assertThat(l.count()).isEqualTo(back + 1);
        assertThat(l.word(back, 0) & (TraceEvent.REF | TraceEvent.EXTRA | TraceLane.OBJ_MASK)).isZero();
        assertThat(l.word(back, 3)).isEqualTo(3);
        assertThat(l.word(back, 4)).isZero();
        assertWhole(l, l.refs(), l.extras(), back - 1); // the event before the cut decodes as before
    }

    /**
     * A switch loop's slices (two threads alternating, estimated ends, folded
     * wake-ups, two blockers) take a few bytes each, decode to the words written,
     * and a truncate in the middle of a sync interval followed by more appends
     * keeps decoding right (the encoder's state is restored to the cut).
     */
    @Test
    void aSwitchLoopsSlicesTakeAFewBytesEachAndRoundTripAcrossTruncates() {
        int total = 10 * TraceLane.SYNC_EVERY + 77;
        long[] all = new long[total * TraceRing.LONGS];
        long t = 1_000_000_000_000L;
        for (int k = 0; k < total; k++) {
            long id = (k & 1) == 0 ? (3L << 32 | 17) : (5L << 32 | 18);
            boolean stamped = k % 16 == 0;
            long begin = t;
            long end = stamped ? t + 150 + k % 40 : t + 1;
            long h = TraceEvent.header(TraceEvent.SLICE, TraceEvent.FOUND_LIFO, TraceEvent.ENDED_PARK, 0)
                    | (stamped ? 0 : TraceEvent.ESTIMATED) | TraceEvent.REF | (long) (k & 1) << TraceLane.OBJ_SHIFT;
            int j = k * TraceRing.LONGS;
            all[j] = h;
            all[j + 1] = begin;
            all[j + 2] = end;
            all[j + 3] = id;
            all[j + 4] = k % 3 == 0 ? ((k & 1) == 0 ? (5L << 32 | 18) : (3L << 32 | 17)) : 0;
            t = end;
        }
        TraceLane l = new TraceLane();
        int half = total / 2 + 3;
        assertThat(l.append(all, half)).isEqualTo(half);
        int cut = TraceLane.SYNC_EVERY * 3 + 100;
        l.truncate(cut);
        long[] rest = java.util.Arrays.copyOfRange(all, cut * TraceRing.LONGS, all.length);
        assertThat(l.append(rest, total - cut)).isEqualTo(total - cut);
        assertThat(l.count()).isEqualTo(total);
        assertThat((double) l.bytes() / total).isLessThan(6.0);
        long[] back = l.events();
        for (int k = 0; k < total; k++) {
            for (int w = 0; w < TraceRing.LONGS; w++) {
                long want = w == 0 ? all[k * TraceRing.LONGS] & ~TraceLane.OBJ_MASK : all[k * TraceRing.LONGS + w];
                assertThat(back[k * TraceRing.LONGS + w]).as("event %d word %d", k, w).isEqualTo(want);
            }
            assertThat(l.word(k, 0)).isEqualTo(all[k * TraceRing.LONGS]);
        }
    }

    /**
     * A writer that never waits, against a collector draining into a lane as
     * fast as it can, with a ring small enough to be lapped: the writer finishes
     * whatever the collector does; every event held is whole with its own object
     * and extra; events are in order; held + lost is everything written.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aCollectorDrainingWhileTheCarrierWritesLosesOnlyCountedEventsAndNeverBlocksIt() throws Exception {
        TraceRing r = new TraceRing(512);
        long total = 400_000;
        AtomicBoolean done = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            for (long s = 0; s < total; s++) {
                write(r, s);
            }
            done.set(true);
        });
        TraceLane l = new TraceLane();
        long from = 0;
        long lost = 0;
        writer.start();
        while (true) {
            boolean last = done.get();
            long[] d = drain(r, l, from);
            from = d[0];
            lost += d[1];
            if (last) {
                break;
            }
        }
        writer.join();
        assertThat(from).isEqualTo(total);
        assertThat(l.count() + lost).isEqualTo(total);
        Object[] refs = l.refs();
        long[] extras = l.extras();
        long prev = -1;
        for (int k = 0; k < l.count(); k++) {
            assertWhole(l, refs, extras, k);
            assertThat(l.word(k, 1)).isGreaterThan(prev);
            prev = l.word(k, 1);
        }
    }

    /** Events that carry the same objects over and over (a ping-pong pair's two channels) keep each object once. */
    @Test
    void eventsThatCarryTheSameObjectsKeepEachOnceAndNameItByIndex() {
        TraceRing r = new TraceRing(1 << 12);
        Object ping = new Object();
        Object pong = new Object();
        Object rare = new Object();
        int total = 3000;
        for (long s = 0; s < total; s++) {
            Object o = s == 1000 ? rare : (s & 1) == 0 ? ping : pong;
            r.put(TraceEvent.header(TraceEvent.SLICE, 1, TraceEvent.ENDED_PARK, 0), s, s + 1, 7, o, 0, 0);
        }
        TraceLane l = new TraceLane();
        assertThat(drain(r, l, 0)[0]).isEqualTo(total);
        Object[] refs = l.refs();
        for (int k = 0; k < total; k++) {
            Object want = k == 1000 ? rare : (k & 1) == 0 ? ping : pong;
            assertThat(refs[k]).isSameAs(want);
            assertThat(l.ref(k)).isSameAs(want);
            assertThat(l.word(k, 0) >>> TraceLane.OBJ_SHIFT).isLessThan(3); // three distinct objects
        }
        assertThat(l.intern(rare)).isEqualTo(l.word(1000, 0) >>> TraceLane.OBJ_SHIFT);
    }
}
