package io.verdant.internal.sched;

import io.verdant.internal.timer.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ticker.coarseNanos never steps back: a writer (a ticker, a waker) that read the clock,
 * was descheduled, and publishes its reading after another writer published a later one
 * leaves the later one (slices stamped meanwhile would look older than they are: a
 * snapshot's "time waiting" too long). The late store is simulated by publishing a
 * reading older than the clock's current value. Only readings at or before now are
 * published, so the JVM-wide clock is never left ahead for other tests.
 */
@Timeout(60)
class CoarseClockTest {
    @Test
    void aLateStoreOfAnOlderReadingDoesNotMoveTheClockBack() {
        long now = Clock.SYSTEM.nanoTime();
        Ticker.advanceCoarse(now); // another writer, on time
        long late = now - TimeUnit.MILLISECONDS.toNanos(50); // read 50 ms ago, stored now
        Ticker.advanceCoarse(late);
        assertThat(Ticker.coarseNanos).as("coarse clock after a late store").isGreaterThanOrEqualTo(now);

        long later = Clock.SYSTEM.nanoTime();
        Ticker.advanceCoarse(later);
        assertThat(Ticker.coarseNanos).as("coarse clock after a newer reading").isGreaterThanOrEqualTo(later);
    }
}
