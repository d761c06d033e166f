package io.verdant.bench.actors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * bndbuffer's answer check: the consumers add the items' squares in a long, as
 * does the manager; past about 3 million items (-Dbench.bndbuffer.items above
 * about 75,000 with 40 producers) that sum wraps, and a correct run must still
 * pass while a wrong one still fails.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SavinaBndBufferCheckTest {
    @Test
    void aCorrectRunPassesWhenTheSumOfSquaresWraps() {
        int k = 40;
        long n = 100_000;
        SavinaBndBuffer wl = new SavinaBndBuffer(k, n);
        assertThat(wl.check(consumed(k * n, -1))).isEmpty();
    }

    @Test
    void aLostItemStillFails() {
        int k = 40;
        long n = 100_000;
        SavinaBndBuffer wl = new SavinaBndBuffer(k, n);
        assertThatThrownBy(() -> wl.check(consumed(k * n, 12_345))).isInstanceOf(AssertionError.class);
        // Items 5 and 9 consumed as 4 and 10: same count and sum, squares 10 more.
        SavinaBndBuffer.Stats right = consumed(k * n, -1);
        assertThatThrownBy(() -> wl.check(new SavinaBndBuffer.Stats(right.count(), right.sum(),
                right.sumOfSquares() + 10, 0))).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> new SavinaBndBuffer(2, 10).check(consumed(20, 7))).isInstanceOf(AssertionError.class);
    }

    @Test
    void aSmallRunIsCheckedExactly() {
        assertThat(new SavinaBndBuffer(2, 10).check(consumed(20, -1))).isEmpty();
    }

    /** The Stats the consumers and manager report for items 0 .. items - 1, less {@code lost} (-1: none). */
    private static SavinaBndBuffer.Stats consumed(long items, long lost) {
        long count = 0;
        long sum = 0;
        long squares = 0;
        for (long v = 0; v < items; v++) {
            if (v == lost) {
                continue;
            }
            count++;
            sum += v;
            squares += v * v;
        }
        return new SavinaBndBuffer.Stats(count, sum, squares, 0);
    }
}
