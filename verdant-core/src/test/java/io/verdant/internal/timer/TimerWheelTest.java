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
    /** What the wheel reported an action threw: no action here throws. */
    private final java.util.List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final TimerWheel wheel = new TimerWheel(now::get, deadline -> wakeups.incrementAndGet(), failures::add);

    @org.junit.jupiter.api.AfterEach
    void noActionThrew() {
        assertThat(failures).as("throwables reported by the wheel").isEmpty();
    }
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

    /**
     * Issue 10 item 6: a cancel() that lands while a cascade moves its timer one
     * level down must still get the timer unlinked. Before the fix the cascade
     * cleared {@code linked} before re-linking, so the cancel did not queue the
     * node and the cascade re-linked a cancelled timer until its deadline.
     */
    @Test
    void timerCancelledDuringItsCascadeIsUnlinkedAtTheNextDrain() {
        long start = now.get();
        Thread target = new Thread(() -> { });
        List<TimerWheel.Timer> timers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            timers.add(wheel.wakeAt(start + (100 + i) * MS, target)); // ticks 100..149: level 1
        }
        now.set(start + MS);
        wheel.advance();
        assertThat(wheel.size()).isEqualTo(50);
        List<TimerWheel.Timer> cancelledInCascade = new ArrayList<>();
        wheel.cascadeHook = t -> {
            assertThat(wheel.cancel(t)).isTrue();
            cancelledInCascade.add(t);
        };
        now.set(start + 64 * MS); // the level-1 slot of ticks 64..127 is due: its timers cascade
        wheel.advance();
        wheel.cascadeHook = null;
        assertThat(cancelledInCascade).isNotEmpty();
        for (TimerWheel.Timer t : timers) {
            wheel.cancel(t);
        }
        assertThat(wheel.size()).as("timers still linked after every one was cancelled").isZero();
        for (TimerWheel.Timer t : cancelledInCascade) {
            assertThat(t.linked).isFalse();
        }
    }

    /**
     * The reproducer of item 6 as a bounded stress: a thread cancels every
     * timer while the ticker cascades them; afterwards none may stay linked.
     * Probabilistic (the deterministic case is the test above).
     */
    @Test
    void cancelsRacingCascadesLeaveNothingLinked() throws Exception {
        int n = 5_000;
        long deadline = System.nanoTime() + 3_000_000_000L;
        for (int round = 0; round < 100 && System.nanoTime() < deadline; round++) {
            AtomicLong clock = new AtomicLong(0);
            TimerWheel w = new TimerWheel(clock::get, due -> { }, failures::add);
            TimerWheel.Timer[] ts = new TimerWheel.Timer[n];
            Thread target = new Thread(() -> { });
            for (int i = 0; i < n; i++) {
                ts[i] = w.wakeAt(100 * MS + (i % 50) * MS, target);
            }
            clock.set(MS);
            w.advance();
            clock.set(64 * MS);
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            Thread canceller = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (TimerWheel.Timer t : ts) {
                    w.cancel(t);
                }
            });
            canceller.start();
            go.countDown();
            w.advance();
            canceller.join(10_000);
            assertThat(w.size()).as("round %d", round).isZero();
        }
    }
}
