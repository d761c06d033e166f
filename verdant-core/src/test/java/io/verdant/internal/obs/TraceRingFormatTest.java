package io.verdant.internal.obs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ring's four-word format (TraceRing, "Format"): a SLICE's end as a length in
 * its header, a wide SLICE (length beyond the header's field) with its end in the
 * fourth word and its folded wake-up as a WAKE event just before it; every copy
 * decodes to the five longs TraceEvent describes, across wrap-around and against a
 * writer that never waits.
 */
class TraceRingFormatTest {

    private static final long SLICE = TraceEvent.header(TraceEvent.SLICE, TraceEvent.FOUND_LOCAL, TraceEvent.ENDED_PARK, 3);

    /** Every event copied from event {@code from}, decoded, with its object slot. */
    private static List<long[]> all(TraceRing r, long from, List<Object> refs) {
        List<long[]> out = new ArrayList<>();
        r.copy(from, (ev, rf, off, len) -> {
            for (int j = off, k = off / TraceRing.LONGS; j < off + len; j += TraceRing.LONGS, k++) {
                out.add(java.util.Arrays.copyOfRange(ev, j, j + TraceRing.LONGS));
                if (refs != null) {
                    refs.add(TraceEvent.hasRef(ev[j]) ? rf[k] : null);
                }
            }
        });
        return out;
    }

    @Test
    void aSliceRoundTripsAtEveryLengthTheHeaderHoldsAndWideBeyond() {
        long t0 = 123_456_789_012L;
        long[] lengths = {0, 1, 2, 1000, TraceRing.MAX_LENGTH - 1, TraceRing.MAX_LENGTH};
        for (long length : lengths) {
            TraceRing r = new TraceRing(8);
            r.put(SLICE | TraceEvent.ESTIMATED, t0, t0 + length, 77L << 32 | 5, null, 0, 99L << 32 | 6);
            List<long[]> ev = all(r, 0, null);
            assertThat(ev).as("length %d: one event", length).hasSize(1);
            assertThat(ev.get(0)).as("length %d", length)
                    .containsExactly(SLICE | TraceEvent.ESTIMATED, t0, t0 + length, 77L << 32 | 5, 99L << 32 | 6);
        }
    }

    @Test
    void aWideSliceKeepsItsEndAndWritesItsFoldedWakeAsAWakeJustBeforeIt() {
        long t0 = 5_000_000_000L;
        long[] ends = {t0 + TraceRing.MAX_LENGTH + 1, t0 + TraceRing.WIDE, t0 + 60_000_000_000L, t0 - 1, Long.MIN_VALUE, ~t0};
        Object blocker = new Object();
        for (long t1 : ends) {
            TraceRing r = new TraceRing(16);
            List<Object> refs = new ArrayList<>();
            r.put(SLICE, t0, t1, 42, blocker, 7, 43);
            r.put(SLICE, t0, t1, 44, null, 0, 0); // wide, no wake: one event
            List<long[]> ev = all(r, 0, refs);
            assertThat(ev).as("end %d", t1).hasSize(3);
            assertThat(ev.get(0)).containsExactly(TraceEvent.header(TraceEvent.WAKE, 0, 0, 0), t0, 42, 43, 0);
            assertThat(ev.get(1)).containsExactly(SLICE | TraceEvent.REF | TraceEvent.EXTRA, t0, t1, 42, 0);
            assertThat(refs.get(1)).isSameAs(blocker);
            assertThat(r.extra(1)).isEqualTo(7);
            assertThat(ev.get(2)).containsExactly(SLICE, t0, t1, 44, 0);
            assertThat(r.wrote(TraceEvent.SLICE, 0, 1)).isFalse(); // event 0 is the WAKE
            assertThat(r.wrote(TraceEvent.SLICE, 0, 2)).isTrue();
        }
    }

    @Test
    void otherEventsKeepTheirThreeWordsAndHaveNoFourth() {
        TraceRing r = new TraceRing(8);
        long[][] in = {
            {TraceEvent.header(TraceEvent.WAKE, 0, 0, 0), -1, Long.MAX_VALUE, Long.MIN_VALUE},
            {TraceEvent.header(TraceEvent.IDLE, 0, 0, 0), 10, 5, 0},
            {TraceEvent.header(TraceEvent.QUEUE_DEPTH, 0, 0, 0), 10, -1, 12345},
            {TraceEvent.header(TraceEvent.WAKE_FROM, TraceEvent.SOURCE_IO, 1, 0), 1L << 62, 3, 4},
        };
        for (long[] e : in) {
            r.put(e[0], e[1], e[2], e[3], null, 0, 0);
        }
        List<long[]> ev = all(r, 0, null);
        assertThat(ev).hasSize(in.length);
        for (int k = 0; k < in.length; k++) {
            assertThat(ev.get(k)).containsExactly(in[k][0], in[k][1], in[k][2], in[k][3], 0);
        }
    }

    /** A read whose range wraps across the ring's end decodes every event, and its extra slot. */
    @Test
    void aReadDecodesAcrossTheWrap() {
        TraceRing r = new TraceRing(64);
        long total = 1000;
        for (long s = 0; s < total; s++) {
            put(r, s);
        }
        long from = total - 40; // slots 24..63, then 0..15: the range wraps
        int n = 40;
        long[] dst = new long[n * TraceRing.LONGS];
        int[] got = {0};
        TraceRing.Copy c = r.copy(from, (TraceRing.RefSink) (ev, refs, off, len) -> {
            System.arraycopy(ev, off, dst, got[0], len);
            got[0] += len;
        });
        assertThat(got[0]).isEqualTo(n * TraceRing.LONGS);
        assertThat(c.lost()).isZero();
        assertThat(r.validFrom()).isLessThanOrEqualTo(from);
        for (int k = 0; k < n; k++) {
            long s = from + k;
            assertEvent(dst, k * TraceRing.LONGS, s);
            assertThat((dst[k * TraceRing.LONGS] & TraceEvent.EXTRA) != 0).isEqualTo(s % 3 == 0);
            if (s % 3 == 0) { // other slots may hold an older event's long: read only where the header says
                assertThat(r.extra(s)).isEqualTo(s);
            }
        }
    }

    /** Event s: a slice of length s % 5000 woken-id s * 7 (0 every 4th), every 3rd with an extra; every 11th wide. */
    private static void put(TraceRing r, long s) {
        long t0 = s * 1000;
        long t1 = s % 11 == 0 ? t0 + (1L << 40) + s : t0 + s % 5000;
        r.put(SLICE, t0, t1, s, null, s % 3 == 0 ? s : 0, s % 11 == 0 ? 0 : s % 4 == 0 ? 0 : s * 7);
    }

    private static void assertEvent(long[] ev, int j, long s) {
        long t0 = s * 1000;
        assertThat(ev[j] & ~TraceEvent.EXTRA).as("event %d header", s).isEqualTo(SLICE);
        assertThat(ev[j + 1]).isEqualTo(t0);
        assertThat(ev[j + 2]).isEqualTo(s % 11 == 0 ? t0 + (1L << 40) + s : t0 + s % 5000);
        assertThat(ev[j + 3]).isEqualTo(s);
        assertThat(ev[j + 4]).isEqualTo(s % 11 == 0 || s % 4 == 0 ? 0 : s * 7);
    }

    /**
     * A writer that never waits, mixing short and wide slices, the wide ones with a
     * folded wake-up (two events), against a reader copying as fast as it can: every
     * copied event decodes whole, in order, and copied + lost is everything written.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aReaderRacingTheWriterNeverSeesATornOrMisdecodedEvent() throws Exception {
        TraceRing r = new TraceRing(128);
        long slices = 2_000_000;
        long wides = slices / 16;
        AtomicBoolean done = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            for (long s = 0; s < slices; s++) {
                long t0 = s << 8;
                boolean wide = (s & 15) == 0;
                r.put(SLICE, t0, wide ? t0 + (1L << 33) + s : t0 + (s & 0xFFFF), s, null, 0, s + 1);
            }
            done.set(true);
        });
        long[] next = {0};
        long[] wakes = {0};
        long copied = 0;
        long lost = 0;
        long cursor = 0;
        writer.start();
        try {
            while (true) {
                boolean last = done.get();
                TraceRing.Copy c = r.copy(cursor, (ev, off, len) -> {
                    for (int j = off; j < off + len; j += TraceRing.LONGS) {
                        long t0 = ev[j + 1];
                        long s = t0 >>> 8;
                        boolean wide = (s & 15) == 0;
                        if (TraceEvent.type(ev[j]) == TraceEvent.WAKE) {
                            assertThat(wide).isTrue();
                            assertThat(ev[j + 2]).isEqualTo(s);
                            assertThat(ev[j + 3]).isEqualTo(s + 1);
                            wakes[0]++;
                        } else {
                            assertThat(ev[j]).isEqualTo(SLICE);
                            assertThat(t0 & 0xFF).isZero();
                            assertThat(ev[j + 2]).isEqualTo(wide ? t0 + (1L << 33) + s : t0 + (s & 0xFFFF));
                            assertThat(ev[j + 3]).isEqualTo(s);
                            assertThat(ev[j + 4]).isEqualTo(wide ? 0 : s + 1);
                        }
                        assertThat(s).isGreaterThanOrEqualTo(next[0]);
                        next[0] = s;
                    }
                });
                copied += c.copied();
                lost += c.lost();
                cursor = c.next();
                if (last) {
                    break;
                }
            }
        } finally {
            writer.join();
        }
        assertThat(copied + lost).isEqualTo(slices + wides);
        assertThat(cursor).isEqualTo(slices + wides);
        assertThat(next[0]).isEqualTo(slices - 1);
        assertThat(wakes[0]).isLessThanOrEqualTo(wides);
    }
}
