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

    /** TraceSession.drain's protocol, a block at a time: stage the block from the ring's words, check
     * validFrom, skip what may be torn, commit. Returns {next, lost}. */
    private static long[] drain(TraceRing r, TraceLane l, long from) {
        TraceNames names = new TraceNames(1, pid -> null);
        long lost = 0;
        long p = r.published();
        while (from < p) {
            long start = Math.max(from, p - r.capacity());
            lost += start - from;
            from = start;
            int n = (int) Math.min(p - from, 1000);
            int staged = l.stage(r, from, n, -1, true, Long.MAX_VALUE, names);
            long valid = r.validFrom();
            if (valid > from) {
                names.discard();
                long skip = Math.min(valid, p);
                lost += skip - from;
                from = skip;
                continue;
            }
            names.resolve();
            assertThat(staged).isEqualTo(n);
            assertThat(l.commit()).isEqualTo(n);
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

    /**
     * The collector's pass reads the ring's words in place: every kind of event,
     * a range that wraps around the ring's end, wide slices (and the WAKE the ring
     * writes before one that folded a wake-up), a type filter, and a budget. What
     * the lane holds is what the ring's decoded copy holds, less the filtered
     * events, with a parked slice's blocker and holder kept and every other
     * event's object and extra bits stripped; the names spawns and exits carry
     * label their threads, and a thread the pid table does not know is not
     * labelled otherwise.
     */
    @Test
    void stagingFromTheRingsWordsKeepsWhatTheDecodedCopyHoldsLessTheFilteredEvents() {
        TraceRing r = new TraceRing(1 << 12);
        for (int s = 0; s < 2000; s++) {
            r.put(TraceEvent.header(TraceEvent.IDLE, 0, 0, 0), s, s + 1, 0); // filler: the range below wraps
        }
        long from = r.published();
        java.util.Random rnd = new java.util.Random(12);
        Object[] blockers = {new Object(), new Object(), new Object()};
        long t = 1_000_000;
        while (r.published() - from < 3000) {
            long id = (long) (1 + rnd.nextInt(3)) << 32 | (1 + rnd.nextInt(40));
            long other = (long) (1 + rnd.nextInt(3)) << 32 | (1 + rnd.nextInt(40));
            t += 1 + rnd.nextInt(5000);
            switch (rnd.nextInt(9)) {
                case 0 -> r.put(TraceEvent.header(TraceEvent.SLICE, 1, TraceEvent.ENDED_PARK, 0), t, t + rnd.nextInt(900),
                        id, blockers[rnd.nextInt(3)], rnd.nextBoolean() ? other : 0, rnd.nextBoolean() ? other : 0);
                case 1 -> r.put(TraceEvent.header(TraceEvent.SLICE, 2, TraceEvent.ENDED_EXIT, 1), t, t + 1, id,
                        "exit-" + id, 0, 0);
                case 2 -> r.put(TraceEvent.header(TraceEvent.SLICE, 5, TraceEvent.ENDED_YIELD, 0) | TraceEvent.ESTIMATED,
                        t, rnd.nextBoolean() ? t + 1 : t + (1L << 40), id, null, 0, rnd.nextBoolean() ? other : 0);
                case 3 -> r.put(TraceEvent.header(TraceEvent.WAKE, 0, 0, 0), t, id, other);
                case 4 -> r.put(TraceEvent.header(TraceEvent.SPAWN, 0, 0, 0), t, id, other, "spawn-" + other);
                case 5 -> r.put(TraceEvent.header(TraceEvent.WAKE_FROM, TraceEvent.SOURCE_OUTSIDE, 1, 0), t, 77, other,
                        "outside-" + other);
                case 6 -> r.put(TraceEvent.header(TraceEvent.WAKE_FROM, TraceEvent.SOURCE_TIMER, 0, 0), t, 0, other);
                case 7 -> r.put(TraceEvent.header(TraceEvent.STEAL, 0, 0, 0), t, 1, other);
                default -> r.put(TraceEvent.header(TraceEvent.QUEUE_DEPTH, 0, 0, 0), t, -1, rnd.nextInt(100));
            }
        }
        long p = r.published();
        int n = (int) (p - from);
        long[][] copy = new long[1][];
        Object[][] copyRefs = new Object[1][];
        r.copy(from, (ev, refs, off, len) -> {
            copy[0] = java.util.Arrays.copyOfRange(ev, off, off + len);
            copyRefs[0] = java.util.Arrays.copyOfRange(refs, off / TraceRing.LONGS, (off + len) / TraceRing.LONGS);
        });
        int keep = -1 & ~(1 << TraceEvent.WAKE); // wake-ups left out: WAKE, and WAKE_FROM that is not a spawn
        TraceLane l = new TraceLane();
        TraceNames names = new TraceNames(1, pid -> null);
        int staged = l.stage(r, from, n, keep, true, Long.MAX_VALUE, names);
        assertThat(r.validFrom()).isLessThanOrEqualTo(from);
        names.resolve();
        assertThat(l.commit()).isEqualTo(staged);
        long[] held = l.events();
        Object[] heldRefs = l.refs();
        long[] heldExtras = l.extras();
        java.util.Map<Long, String> labels = names.labels();
        java.util.Map<Long, String> first = new java.util.HashMap<>(); // the first name carried for each id
        int k = 0;
        for (int i = 0; i < n; i++) {
            int j = i * TraceRing.LONGS;
            long h = copy[0][j];
            int type = TraceEvent.type(h);
            if (TraceEvent.hasRef(h) && copyRefs[0][i] instanceof String name) {
                first.putIfAbsent(copy[0][j + 3], name);
            }
            if (type == TraceEvent.WAKE || type == TraceEvent.WAKE_FROM && TraceEvent.ended(h) != 1) {
                continue;
            }
            boolean park = type == TraceEvent.SLICE && TraceEvent.ended(h) == TraceEvent.ENDED_PARK;
            long want = park ? h : h & ~(TraceEvent.REF | TraceEvent.EXTRA);
            int at = k * TraceRing.LONGS;
            assertThat(held[at]).as("header of %d", i).isEqualTo(want);
            for (int w = 1; w < TraceRing.LONGS; w++) {
                assertThat(held[at + w]).as("event %d word %d", i, w).isEqualTo(copy[0][j + w]);
            }
            assertThat(heldRefs[k]).isSameAs(park && TraceEvent.hasRef(h) ? copyRefs[0][i] : null);
            assertThat(heldExtras[k]).isEqualTo(park && (h & TraceEvent.EXTRA) != 0 ? r.extra(from + i) : 0);
            k++;
        }
        assertThat(staged).isEqualTo(k).isLessThan(n);
        assertThat(labels.keySet()).isEqualTo(first.keySet());
        first.forEach((id, name) -> assertThat(labels.get(id)).startsWith(name + " <"));

        // A budget keeps that many of the kept events and counts the rest.
        TraceLane b = new TraceLane();
        assertThat(b.stage(r, from, n, keep, true, k - 10, new TraceNames(1, pid -> null))).isEqualTo(k - 10);
        assertThat(b.stagedOver()).isEqualTo(10);
        assertThat(b.commit()).isEqualTo(k - 10);
        assertThat(b.events()).isEqualTo(java.util.Arrays.copyOf(held, (k - 10) * TraceRing.LONGS));
    }
}
