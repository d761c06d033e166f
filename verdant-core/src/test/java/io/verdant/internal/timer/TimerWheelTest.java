package io.verdant.internal.timer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The wheel on a manual clock: every timer fires once, in order, never early, at most one tick late. */
@Timeout(60)
class TimerWheelTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    private final AtomicInteger wakeups = new AtomicInteger();
    private final TimerWheel wheel = new TimerWheel(now::get, wakeups::incrementAndGet);
    private static final long MS = 1_000_000L;

    @Test
    void firesEachTimerOnceInDeadlineOrderNeverEarlyAcrossAllLevels() {
        SplittableRandom rnd = new SplittableRandom(42);
        long start = now.get();
        int n = 20_000;
        long[] deadlines = new long[n];
        long[] firedAt = new long[n];
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // spread over ~1 tick .. 2^23 ms (levels 0..3), plus a few exact tick boundaries
            long offset = i % 10 == 0 ? (1L << (6 * (i % 4))) * MS : 1 + rnd.nextLong(1L << rnd.nextInt(24)) * MS / 3;
            deadlines[i] = start + offset;
            int idx = i;
            wheel.runAt(deadlines[i], () -> {
                firedAt[idx] = now.get();
                order.add(idx);
            });
        }
        assertThat(wheel.size()).isEqualTo(n);
        long end = start + (1L << 24) * MS;
        while (now.get() < end) {
            now.addAndGet(1 + rnd.nextLong(5000) * MS / 1000 * 1000);
            wheel.advance();
        }
        assertThat(order).hasSize(n).doesNotHaveDuplicates();
        assertThat(wheel.size()).isZero();
        for (int i = 0; i < n; i++) {
            assertThat(firedAt[i]).as("timer %d", i).isGreaterThanOrEqualTo(deadlines[i]);
        }
        for (int k = 1; k < order.size(); k++) {
            long prevTick = Math.ceilDiv(deadlines[order.get(k - 1)] - start, MS);
            long thisTick = Math.ceilDiv(deadlines[order.get(k)] - start, MS);
            assertThat(thisTick).isGreaterThanOrEqualTo(prevTick);
        }
    }

    @Test
    void advancingOneTickAtATimeFiresWithinOneTick() {
        long start = now.get();
        long[] firedAt = new long[300];
        for (int i = 0; i < 300; i++) {
            int idx = i;
            wheel.runAt(start + i * 7 * MS + 3, () -> firedAt[idx] = now.get());
        }
        for (int t = 0; t < 300 * 7 + 10; t++) {
            now.addAndGet(MS);
            wheel.advance();
        }
        for (int i = 0; i < 300; i++) {
            long deadline = start + i * 7 * MS + 3;
            assertThat(firedAt[i]).isBetween(deadline, deadline + 2 * MS);
        }
    }

    @Test
    void cancelledTimersNeverFireAndLeaveNothingBehind() {
        long start = now.get();
        List<TimerWheel.Timer> timers = new ArrayList<>();
        AtomicInteger fired = new AtomicInteger();
        for (int i = 0; i < 1000; i++) {
            timers.add(wheel.runAt(start + (i + 1) * 97 * MS, fired::incrementAndGet));
        }
        for (int i = 0; i < 1000; i += 2) {
            assertThat(wheel.cancel(timers.get(i))).isTrue();
            assertThat(wheel.cancel(timers.get(i))).isFalse();
        }
        assertThat(wheel.size()).isEqualTo(500);
        now.addAndGet(200_000 * MS);
        wheel.advance();
        assertThat(fired.get()).isEqualTo(500);
        assertThat(wheel.size()).isZero();
        assertThat(wheel.cancel(timers.get(1))).isFalse();
        assertThat(wheel.nanosToNextDeadline()).isEqualTo(-1);
    }

    @Test
    void pastDeadlineFiresImmediately() {
        AtomicInteger fired = new AtomicInteger();
        wheel.runAt(now.get() - 5, fired::incrementAndGet);
        assertThat(fired.get()).isEqualTo(1);
        assertThat(wheel.size()).isZero();
    }

    @Test
    void nextDeadlineIsReportedAndScheduleWakesTheTicker() {
        int before = wakeups.get();
        wheel.runAt(now.get() + 50 * MS, () -> { });
        assertThat(wakeups.get()).isEqualTo(before + 1);
        long wait = wheel.nanosToNextDeadline();
        assertThat(wait).isBetween(49 * MS, 51 * MS);
        wheel.runAt(now.get() + 5000 * MS, () -> { });
        assertThat(wheel.nanosToNextDeadline()).isBetween(49 * MS, 51 * MS);
    }

    @Test
    void deadlinesBeyondTheTopLevelAreClampedNotLost() {
        AtomicInteger fired = new AtomicInteger();
        wheel.runAt(now.get() + (TimerWheel.MAX_TICKS + 1000) * MS, fired::incrementAndGet);
        now.addAndGet((TimerWheel.MAX_TICKS - 10) * MS);
        wheel.advance();
        assertThat(fired.get()).isZero();
        now.addAndGet(1000 * MS);
        wheel.advance();
        assertThat(fired.get()).isZero();
        now.addAndGet(20 * MS);
        wheel.advance();
        assertThat(fired.get()).isEqualTo(1);
        assertThat(wheel.size()).isZero();
    }
}
