package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.Priority;
import io.verdant.internal.timer.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scheduler reads time from the runtime's clock only (Ticker, "Time"): on a
 * runtime built on a clock that stands still, a CPU-bound thread's time slice
 * never ends however long it runs in real time; once the clock moves past the
 * slice, the thread is asked to yield and the waiting thread runs.
 */
@Timeout(60)
class RuntimeClockTest {
    /** A clock that moves only when told. */
    static final class ManualClock implements Clock {
        private final AtomicLong now = new AtomicLong(1_000_000_000L);

        @Override
        public long nanoTime() {
            return now.get();
        }

        void advance(Duration d) {
            now.addAndGet(d.toNanos());
        }
    }

    @Test
    void timeSlicesFollowTheRuntimesClock() throws Exception {
        ManualClock clock = new ManualClock();
        // One worker, no spares, a stall threshold far away: only the time slice
        // can let the second thread run while the first one spins.
        RuntimeCore rt = new RuntimeCore(Config.builder().workers(1).name("clock-seam").maxSpareCarriers(0)
                .timeslice(Duration.ofMillis(10)).stallThreshold(Duration.ofSeconds(30)).build(), clock);
        try {
            AtomicBoolean secondRan = new AtomicBoolean();
            CountDownLatch spinning = new CountDownLatch(1);
            CountDownLatch second = new CountDownLatch(1);
            GreenThread<Long> spinner = rt.spawn(() -> {
                spinning.countDown();
                long n = 0;
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // real time: a bound against a hang
                while (!secondRan.get() && System.nanoTime() < end) {
                    Green.checkpoint();
                    n++;
                }
                return n;
            }, "spinner", Priority.NORMAL);
            assertThat(spinning.await(20, TimeUnit.SECONDS)).isTrue();
            rt.spawn(() -> {
                secondRan.set(true);
                second.countDown();
                return null;
            }, "second", Priority.NORMAL);
            // Real time passes (30 slices), the runtime's clock does not: no slice ends.
            assertThat(second.await(300, TimeUnit.MILLISECONDS)).isFalse();
            assertThat(rt.scheduler.sysmon().preemptionsRequested()).isZero();
            // Now the clock moves a millisecond at a time (a jump of more than
            // Sysmon's PAUSE_NANOS between two ticks would count as a pause of the
            // process, not as time the spinner held its carrier).
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!second.await(1, TimeUnit.MILLISECONDS) && System.nanoTime() < giveUp) {
                clock.advance(Duration.ofMillis(1));
            }
            assertThat(second.getCount()).isZero();
            assertThat(rt.scheduler.sysmon().preemptionsRequested()).isPositive();
            assertThat(spinner.join(Duration.ofSeconds(20))).isPositive();
        } finally {
            rt.close();
        }
    }
}
