package io.verdant.internal.obs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The ring's writer claims slots in steps (one fence per step, not per event):
 * a copy of a ring that has not wrapped is exact; a copy of a wrapped ring
 * loses at most a step of its oldest events, never more than an eighth of it.
 */
class TraceRingClaimTest {

    private static TraceRing.Copy fill(TraceRing r, long events) {
        for (long s = 0; s < events; s++) {
            r.put(TraceEvent.header(TraceEvent.SLICE, 1, 1, 2), s, ~s, s);
        }
        return r.copy(0, (ev, off, len) -> {
            for (int j = off; j < off + len; j += TraceRing.LONGS) {
                assertThat(ev[j + 2]).isEqualTo(~ev[j + 1]);
            }
        });
    }

    @Test
    void aRingThatHasNotWrappedIsCopiedWhole() {
        for (int events : new int[] {1, 63, 64, 65, 1000, 1023}) {
            TraceRing.Copy c = fill(new TraceRing(1024), events);
            assertThat(c.copied()).as("%d events", events).isEqualTo(events);
            assertThat(c.lost()).isZero();
            assertThat(c.next()).isEqualTo(events);
        }
    }

    @Test
    void aWrappedRingLosesAtMostOneClaimStepOfItsOldestEvents() {
        for (int capacity : new int[] {2, 8, 64, 1024, 1 << 15}) {
            int step = Math.max(1, Math.min(64, capacity / 8));
            for (long events : new long[] {capacity + 1L, 3L * capacity + 5, 10L * capacity + step - 1}) {
                TraceRing.Copy c = fill(new TraceRing(capacity), events);
                assertThat(c.copied() + c.lost()).isEqualTo(events);
                assertThat(c.copied()).as("capacity %d, %d events", capacity, events)
                        .isGreaterThan(capacity - step).isLessThanOrEqualTo(capacity);
            }
        }
    }
}
