package io.verdant.internal.obs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class TraceRingTest {

    private static void write(TraceRing r, long seq) {
        r.put(TraceEvent.header(TraceEvent.SLICE, 1, 1, 2), seq, ~seq, seq * 31);
    }

    @Test
    void keepsOnlyTheLastEventsAndCountsTheOverwrittenOnes() {
        TraceRing r = new TraceRing(64);
        for (long s = 0; s < 1000; s++) {
            write(r, s);
        }
        long[] first = {-1};
        long[] n = {0};
        TraceRing.Copy c = r.copy(0, (ev, off, len) -> {
            for (int j = off; j < off + len; j += TraceRing.LONGS) {
                if (first[0] < 0) {
                    first[0] = ev[j + 1];
                }
                assertThat(ev[j + 1]).isEqualTo(first[0] + n[0]);
                n[0]++;
            }
        });
        assertThat(c.copied()).isEqualTo(64);
        assertThat(c.lost()).isEqualTo(1000 - 64);
        assertThat(c.next()).isEqualTo(1000);
        assertThat(first[0]).isEqualTo(1000 - 64);
        // A reader that is up to date gets nothing new and loses nothing.
        TraceRing.Copy again = r.copy(c.next(), (ev, off, len) -> assertThat(len).isZero());
        assertThat(again.copied()).isZero();
        assertThat(again.lost()).isZero();
    }

    /** A slot that already holds an event's object is not written again (no GC barrier); readers see the same. */
    @Test
    void anObjectIsKeptLapAfterLapAndReplacedWhenItChanges() {
        TraceRing r = new TraceRing(4);
        Object a = new Object();
        Object b = new Object();
        for (long s = 0; s < 12; s++) {
            r.put(TraceEvent.header(TraceEvent.SLICE, 1, TraceEvent.ENDED_PARK, 0), s, s, s, s < 9 ? a : b);
        }
        r.put(TraceEvent.header(TraceEvent.SLICE, 1, TraceEvent.ENDED_YIELD, 0), 12, 12, 12); // no object
        for (long s = 9; s < 13; s++) {
            assertThat(r.ref(s)).isSameAs(s < 12 ? b : a); // event 12 left event 8's object in its slot
        }
        r.copy(9, (ev, refs, off, len) -> {
            for (int j = off, k = off / TraceRing.LONGS; j < off + len; j += TraceRing.LONGS, k++) {
                assertThat(TraceEvent.hasRef(ev[j])).isEqualTo(ev[j + 1] < 12);
                if (ev[j + 1] < 12) {
                    assertThat(refs[k]).isSameAs(b);
                }
            }
        });
    }

    @Test
    void rejectsACapacityThatIsNotAPowerOfTwo() {
        assertThatThrownBy(() -> new TraceRing(100)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("capacity");
    }

    /**
     * A writer that never waits, against a reader copying as fast as it can: every
     * copied event is whole (its three words agree), events arrive in order without
     * gaps except those reported as lost, and copied + lost is everything written.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aReaderFallingBehindNeverStopsTheWriterAndNeverSeesATornEvent() throws Exception {
        TraceRing r = new TraceRing(256);
        long total = 3_000_000;
        AtomicBoolean done = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            for (long s = 0; s < total; s++) {
                write(r, s);
            }
            done.set(true);
        });
        long[] expected = {0};
        long copied = 0;
        long lost = 0;
        long cursor = 0;
        writer.start();
        while (true) {
            boolean last = done.get();
            TraceRing.Copy c = r.copy(cursor, (ev, off, len) -> {
                for (int j = off; j < off + len; j += TraceRing.LONGS) {
                    long s = ev[j + 1];
                    assertThat(ev[j + 2]).isEqualTo(~s);
                    assertThat(ev[j + 3]).isEqualTo(s * 31);
                    assertThat(s).isGreaterThanOrEqualTo(expected[0]);
                    expected[0] = s + 1;
                }
            });
            assertThat(c.next()).isGreaterThanOrEqualTo(cursor);
            copied += c.copied();
            lost += c.lost();
            cursor = c.next();
            if (last) {
                break;
            }
        }
        writer.join();
        assertThat(copied + lost).isEqualTo(total);
        assertThat(expected[0]).isEqualTo(total);
    }
}
