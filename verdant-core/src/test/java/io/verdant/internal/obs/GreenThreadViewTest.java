package io.verdant.internal.obs;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The green-thread view from a hand-made trace: a slice whose end was stamped
 * after the thread's next slice began on another carrier (its carrier was
 * descheduled between the unmount and the clock read) is drawn ending where the
 * next one begins, so a thread's row never shows it running twice at once.
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

    private static long[] slice(long begin, long end, int found, int ended) {
        long[] ev = new long[TraceRing.LONGS];
        ev[0] = TraceEvent.header(TraceEvent.SLICE, found, ended, 0);
        ev[1] = begin;
        ev[2] = end;
        ev[3] = TASK;
        return ev;
    }
}
