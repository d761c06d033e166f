package io.verdant.internal.obs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Display times of estimated slice ends (SliceTimes) and unfolding of folded wake-ups (FoldedWakes). */
class SliceTimesTest {
    private static final int W = TraceRing.LONGS;

    private static long slice(int found, boolean estimated) {
        return TraceEvent.header(TraceEvent.SLICE, found, TraceEvent.ENDED_YIELD, 0) | (estimated ? TraceEvent.ESTIMATED : 0);
    }

    private static long[] events(long[]... evs) {
        long[] out = new long[evs.length * W];
        for (int k = 0; k < evs.length; k++) {
            System.arraycopy(evs[k], 0, out, k * W, evs[k].length);
        }
        return out;
    }

    @Test
    void aRunOfEstimatesIsSpreadEvenlyBetweenItsAnchorsAndWakesFollowTheirSlice() {
        // Anchor 100 (a slice begun at a read), estimates 101 and 102, anchor 400.
        long[] lane = events(
                new long[] {slice(TraceEvent.FOUND_LOCAL, true), 100, 101, 7},
                new long[] {TraceEvent.header(TraceEvent.WAKE, 0, 0, 0), 101, 8, 7},
                new long[] {slice(TraceEvent.FOUND_LOCAL, true), 101, 102, 8},
                new long[] {slice(TraceEvent.FOUND_LOCAL, false), 102, 400, 7});
        long[][] lanes = {lane};
        SliceTimes.apply(lanes, new int[] {4});
        assertThat(lane[1]).isEqualTo(100);
        assertThat(lane[2]).isEqualTo(200);
        assertThat(lane[W + 1]).as("the wake-up keeps its slice's begin").isEqualTo(200);
        assertThat(lane[2 * W + 1]).isEqualTo(200);
        assertThat(lane[2 * W + 2]).isEqualTo(300);
        assertThat(lane[3 * W + 1]).isEqualTo(300);
        assertThat(lane[3 * W + 2]).isEqualTo(400);
        for (int k = 0; k < 4; k++) {
            assertThat(lane[k * W] & TraceEvent.ESTIMATED).isZero();
        }
    }

    @Test
    void anEstimateStaysBelowAFreshReadOfAnotherCarrierAndAboveItsLowerBound() {
        long[] lane0 = events(
                new long[] {slice(TraceEvent.FOUND_LOCAL, true), 100, 101, 7},
                new long[] {slice(TraceEvent.FOUND_LOCAL, true), 101, 102, 8},
                new long[] {slice(TraceEvent.FOUND_LOCAL, false), 102, 400, 7});
        // Carrier 1 stole thread 8 and began its slice at a read of 120: everything carrier 0
        // did before that (at least 101, 102 by its lower bounds) must show before 120.
        long[] lane1 = events(new long[] {slice(TraceEvent.FOUND_STOLEN, false), 120, 130, 8});
        long[][] lanes = {lane0, lane1};
        SliceTimes.apply(lanes, new int[] {3, 1});
        long e1 = lane0[2];
        long e2 = lane0[W + 2];
        assertThat(e1).isBetween(101L, 119L);
        assertThat(e2).isBetween(102L, 119L);
        assertThat(e2).isGreaterThan(e1);
        assertThat(lane0[W + 1]).isEqualTo(e1);
        assertThat(lane0[2 * W + 1]).isEqualTo(e2);
        assertThat(lane1[1]).isEqualTo(120);
    }

    @Test
    void aRunWithNoAnchorAfterItKeepsItsLowerBounds() {
        long[] lane = events(
                new long[] {slice(TraceEvent.FOUND_LOCAL, false), 100, 200, 7},
                new long[] {slice(TraceEvent.FOUND_LOCAL, true), 200, 201, 8},
                new long[] {slice(TraceEvent.FOUND_LOCAL, true), 201, 202, 7});
        SliceTimes.apply(new long[][] {lane}, new int[] {3});
        assertThat(lane[W + 2]).isEqualTo(201);
        assertThat(lane[2 * W + 2]).isEqualTo(202);
    }

    @Test
    void anIdlePeriodIsAnAnchor() {
        long[] lane = events(
                new long[] {slice(TraceEvent.FOUND_LOCAL, false), 100, 200, 7},
                new long[] {slice(TraceEvent.FOUND_LOCAL, true), 200, 201, 8},
                new long[] {TraceEvent.header(TraceEvent.IDLE, 0, 0, 0), 300, 900, 0});
        SliceTimes.apply(new long[][] {lane}, new int[] {3});
        assertThat(lane[W + 2]).isEqualTo(250);
    }

    @Test
    void aFoldedWakeUpBecomesAWakeEventBeforeItsSlice() {
        long[] lane = events(
                new long[] {slice(TraceEvent.FOUND_LOCAL, false), 100, 200, 7, 8},
                new long[] {slice(TraceEvent.FOUND_LIFO, false), 200, 300, 8, 0});
        long[][] lanes = {lane};
        Object[][] refs = {{"a", "b"}};
        long[][] holders = {{0, 5}};
        int[] counts = {2};
        assertThat(FoldedWakes.unfold(lanes, refs, holders, counts, true)).isEqualTo(1);
        assertThat(counts[0]).isEqualTo(3);
        long[] out = lanes[0];
        assertThat(TraceEvent.type(out[0])).isEqualTo(TraceEvent.WAKE);
        assertThat(new long[] {out[1], out[2], out[3], out[4]}).containsExactly(100, 7, 8, 0);
        assertThat(TraceEvent.type(out[W])).isEqualTo(TraceEvent.SLICE);
        assertThat(out[W + 4]).isZero();
        assertThat(refs[0]).containsExactly(null, "a", "b");
        assertThat(holders[0]).containsExactly(0, 0, 5);

        long[][] left = {events(new long[] {slice(TraceEvent.FOUND_LOCAL, false), 100, 200, 7, 8})};
        int[] one = {1};
        assertThat(FoldedWakes.unfold(left, new Object[][] {{null}}, new long[][] {{0}}, one, false)).isZero();
        assertThat(one[0]).isEqualTo(1);
        assertThat(left[0][4]).as("wake-ups left out: the folded word is cleared").isZero();
    }
}
