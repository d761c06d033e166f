package io.verdant.internal.obs;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The green-thread view from a hand-made trace: a slice whose end was stamped
 * after the thread's next slice began on another carrier (its carrier was
 * descheduled between the unmount and the clock read) is drawn ending where the
 * next one begins, so a thread's row never shows it running twice at once; and
 * a slice woken by a waker's slice that began before the thread's previous slice
 * (which it woke too, or someone else woke) shows what woke it.
 */
class GreenThreadViewTest {
    private static final long TASK = 1L << 32 | 5; // index 4, generation 1

    @Test
    void aSliceStampedLateEndsWhereTheThreadsNextSliceBegins() {
        long[][] lanes = {
            slice(100, 300, TraceEvent.FOUND_LIFO, TraceEvent.ENDED_PARK), // carrier 0: stamped late
            slice(200, 250, TraceEvent.FOUND_STOLEN, TraceEvent.ENDED_EXIT), // carrier 1
            new long[0], // ticker
            new long[0], // outside
        };
        TraceData d = new TraceData("view", 7, 2, new String[] {"carrier-0", "carrier-1", "ticker", "outside"},
                lanes, new Object[4][1], new long[4][1], new int[] {1, 1, 0, 0}, 0, 400, 0, Map.of(), -1);

        List<GreenThreadView.Row> rows = GreenThreadView.of(d);

        assertThat(rows).hasSize(1);
        List<GreenThreadView.Span> spans = rows.get(0).spans();
        assertThat(spans).extracting(GreenThreadView.Span::state, GreenThreadView.Span::begin, GreenThreadView.Span::end,
                        GreenThreadView.Span::lane)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(GreenThreadView.RUNNING, 100L, 200L, 0),
                        org.assertj.core.groups.Tuple.tuple(GreenThreadView.RUNNING, 200L, 250L, 1));
        assertThat(rows.get(0).running()).isEqualTo(150);
    }

    private static final long WAKER = 1L << 32 | 1; // index 0, generation 1

    @Test
    void aSecondWakeUpByOneWakerSliceIsTheNextSlicesCause() {
        // carrier 0: the waker's slice [100, 400] woke the thread twice; carrier 1: the thread
        // parked, ran [150, 200] and parked, ran again at 500.
        long[][] lanes = {
            events(wake(100, WAKER), wake(100, WAKER), slice(100, 400, WAKER, TraceEvent.ENDED_EXIT)),
            events(slice(50, 90, TASK, TraceEvent.ENDED_PARK), slice(150, 200, TASK, TraceEvent.ENDED_PARK),
                    slice(500, 600, TASK, TraceEvent.ENDED_EXIT)),
            new long[0],
            new long[0],
        };
        assertWokenByTheWakerAt400(lanes);
    }

    @Test
    void aLongWakerSliceIsNotTheCauseOfASliceWokenFromOutside() {
        // carrier 0: the waker's slice [100, 400] woke the thread once; an outside thread woke it
        // at 150, it ran [200, 250] and parked, and ran again at 500.
        long[] fromOutside = new long[TraceRing.LONGS];
        fromOutside[0] = TraceEvent.header(TraceEvent.WAKE_FROM, TraceEvent.SOURCE_OUTSIDE, 0, 0);
        fromOutside[1] = 150;
        fromOutside[2] = 1;
        fromOutside[3] = TASK;
        long[][] lanes = {
            events(wake(100, WAKER), slice(100, 400, WAKER, TraceEvent.ENDED_EXIT)),
            events(slice(50, 90, TASK, TraceEvent.ENDED_PARK), slice(200, 250, TASK, TraceEvent.ENDED_PARK),
                    slice(500, 600, TASK, TraceEvent.ENDED_EXIT)),
            new long[0],
            fromOutside,
        };
        List<GreenThreadView.Span> spans = assertWokenByTheWakerAt400(lanes);
        assertThat(spans).filteredOn(s -> s.state() == GreenThreadView.RUNNABLE)
                .extracting(GreenThreadView.Span::begin, GreenThreadView.Span::end, GreenThreadView.Span::cause)
                .contains(org.assertj.core.groups.Tuple.tuple(150L, 200L, GreenThreadView.CAUSE_WAKE_FROM));
    }

    @Test
    void aWakeUpWhoseSliceWasDroppedDoesNotShiftTheNextCause() {
        // carrier 0 kept a wake-up at 10 whose woken slice carrier 1 no longer holds; then a
        // waker [60, 90] woke the slice at 100, which parked, and one [200, 250] the slice at 300.
        long w2 = 2L << 32 | 2;
        long w3 = 3L << 32 | 3;
        long[][] lanes = {
            events(wake(10, WAKER), slice(10, 20, WAKER, TraceEvent.ENDED_EXIT), wake(60, w2),
                    slice(60, 90, w2, TraceEvent.ENDED_EXIT), wake(200, w3), slice(200, 250, w3, TraceEvent.ENDED_EXIT)),
            events(slice(100, 150, TASK, TraceEvent.ENDED_PARK), slice(300, 350, TASK, TraceEvent.ENDED_EXIT)),
            new long[0],
            new long[0],
        };
        int[] counts = {6, 2, 0, 0};
        TraceData d = new TraceData("view", 7, 2, new String[] {"carrier-0", "carrier-1", "ticker", "outside"},
                lanes, new Object[4][6], new long[4][6], counts, 0, 700, 0, Map.of(), -1);
        GreenThreadView.Row row = GreenThreadView.of(d).stream().filter(r -> r.id() == TASK).findFirst().orElseThrow();
        assertThat(row.spans()).filteredOn(s -> s.begin() >= 150 && s.state() != GreenThreadView.RUNNING)
                .extracting(GreenThreadView.Span::state, GreenThreadView.Span::begin, GreenThreadView.Span::end,
                        GreenThreadView.Span::by)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(GreenThreadView.WAITING, 150L, 250L, 0L),
                        org.assertj.core.groups.Tuple.tuple(GreenThreadView.RUNNABLE, 250L, 300L, w3));
    }

    /** The thread's row: waiting from 250 or 200 until the waker's slice ended (400), runnable by it until 500. */
    private static List<GreenThreadView.Span> assertWokenByTheWakerAt400(long[][] lanes) {
        int[] counts = new int[lanes.length];
        for (int i = 0; i < lanes.length; i++) {
            counts[i] = lanes[i].length / TraceRing.LONGS;
        }
        TraceData d = new TraceData("view", 7, 2, new String[] {"carrier-0", "carrier-1", "ticker", "outside"},
                lanes, new Object[4][4], new long[4][4], counts, 0, 700, 0, Map.of(), -1);
        GreenThreadView.Row row = GreenThreadView.of(d).stream().filter(r -> r.id() == TASK).findFirst().orElseThrow();
        List<GreenThreadView.Span> spans = row.spans();
        assertThat(spans).filteredOn(s -> s.begin() >= 200 && s.state() != GreenThreadView.RUNNING)
                .extracting(GreenThreadView.Span::state, GreenThreadView.Span::end, GreenThreadView.Span::cause,
                        GreenThreadView.Span::by)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(GreenThreadView.WAITING, 400L, 0, 0L),
                        org.assertj.core.groups.Tuple.tuple(GreenThreadView.RUNNABLE, 500L, GreenThreadView.CAUSE_WAKE,
                                WAKER));
        return spans;
    }

    private static long[] wake(long stamp, long waker) {
        long[] ev = new long[TraceRing.LONGS];
        ev[0] = TraceEvent.header(TraceEvent.WAKE, 0, 0, 0);
        ev[1] = stamp;
        ev[2] = waker;
        ev[3] = TASK;
        return ev;
    }

    private static long[] slice(long begin, long end, long task, int ended) {
        long[] ev = slice(begin, end, TraceEvent.FOUND_LOCAL, ended);
        ev[3] = task;
        return ev;
    }

    private static long[] events(long[]... evs) {
        long[] out = new long[evs.length * TraceRing.LONGS];
        for (int i = 0; i < evs.length; i++) {
            System.arraycopy(evs[i], 0, out, i * TraceRing.LONGS, TraceRing.LONGS);
        }
        return out;
    }

    private static long[] slice(long begin, long end, int found, int ended) {
        long[] ev = new long[TraceRing.LONGS];
        ev[0] = TraceEvent.header(TraceEvent.SLICE, found, ended, 0);
        ev[1] = begin;
        ev[2] = end;
        ev[3] = TASK;
        return ev;
    }
}
