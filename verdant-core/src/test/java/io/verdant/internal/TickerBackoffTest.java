package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.Priority;
import io.verdant.internal.sched.Ticker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ticker backs off while every carrier makes progress (Ticker, "Backing
 * off"), and ticks again at once when a CPU-bound thread holds a carrier, so the
 * thread's time slice still ends in a preemption. Counted with the ticker's own
 * counts (passes, dozes), never timed: load can only make the waits longer.
 */
@Timeout(60)
class TickerBackoffTest {
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** Two yielders keep one carrier dispatching: its count moves at every pass. */
    private static List<GreenThread<Long>> yielders(RuntimeCore rt, AtomicBoolean stop, AtomicLong yields) {
        List<GreenThread<Long>> ys = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ys.add(rt.spawn(() -> {
                long n = 0;
                long end = System.nanoTime() + DEADLINE_NANOS;
                while (!stop.get() && System.nanoTime() < end) {
                    Green.yield();
                    yields.incrementAndGet();
                    n++;
                }
                return n;
            }, "yielder-" + i, Priority.NORMAL));
        }
        return ys;
    }

    /** Waits (bounded) until the ticker has taken {@code more} backed-off sleeps beyond {@code from}. */
    private static boolean awaitDozes(Ticker t, long from, long more) {
        long end = System.nanoTime() + DEADLINE_NANOS;
        while (t.dozes() - from < more && System.nanoTime() < end) {
            Thread.onSpinWait();
            Thread.yield();
        }
        return t.dozes() - from >= more;
    }

    @Test
    void backsOffWhileCarriersProgressAndTicksAgainForASlice() throws Exception {
        RuntimeCore rt = new RuntimeCore(Config.builder().workers(1).name("backoff").maxSpareCarriers(0)
                .stallThreshold(Duration.ofSeconds(30)).build());
        try {
            Ticker ticker = rt.scheduler.ticker();
            // Off (-Dverdant.tickerBackoff=false: the A/B of the printed hold), only the preemption is checked.
            boolean on = ticker.maxSleepNanos() > Ticker.TICK_NANOS;
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong yields = new AtomicLong();
            List<GreenThread<Long>> ys = yielders(rt, stop, yields);

            // 1. Only progress: the ticker sleeps longer than a tick.
            assertThat(!on || awaitDozes(ticker, ticker.dozes(), 4)).as("backed-off sleeps while the carrier dispatches")
                    .isTrue();

            // 2. A CPU-bound thread holds the carrier while the yielders wait: the ticker
            //    must tick again and its slice must end in a preemption (the yielders run).
            long requestsBefore = rt.scheduler.sysmon().preemptionsRequested();
            long[] during = new long[5];
            GreenThread<Boolean> spinner = rt.spawn(() -> {
                long y0 = yields.get();
                during[0] = ticker.ticks();
                during[1] = ticker.dozes();
                long end = System.nanoTime() + DEADLINE_NANOS;
                long x = 1;
                while (yields.get() == y0 && System.nanoTime() < end) {
                    Green.checkpoint();
                    x = x * 6364136223846793005L + 1442695040888963407L;
                }
                during[2] = ticker.ticks();
                during[3] = ticker.dozes();
                during[4] = System.nanoTime() - (end - DEADLINE_NANOS); // the hold, printed only
                return x != 0 && yields.get() != y0;
            }, "spinner", Priority.NORMAL);
            assertThat(spinner.join(Duration.ofSeconds(40))).as("a yielder ran during the spinner's hold").isTrue();
            assertThat(rt.scheduler.sysmon().preemptionsRequested()).as("time-slice requests").isGreaterThan(requestsBefore);
            // The pass that asked the spinner to yield put the ticker back on single ticks
            // (a request is followed up every tick); backed off for good, it would only doze.
            long end = System.nanoTime() + DEADLINE_NANOS;
            while (ticker.ticks() == during[0] && System.nanoTime() < end) {
                Thread.onSpinWait();
                Thread.yield();
            }
            System.out.printf("hold: %d us; one-tick sleeps %d, dozes %d during it; one-tick sleeps since its start %d%n",
                    during[4] / 1000, during[2] - during[0], during[3] - during[1], ticker.ticks() - during[0]);
            assertThat(ticker.ticks()).as("one-tick sleeps since the spinner started").isGreaterThan(during[0]);

            // 3. Progress again: the ticker backs off again.
            assertThat(!on || awaitDozes(ticker, ticker.dozes(), 4)).as("backed off again").isTrue();
            stop.set(true);
            for (GreenThread<Long> y : ys) {
                assertThat(y.join(Duration.ofSeconds(40))).isPositive();
            }
        } finally {
            rt.close();
        }
    }

    @Test
    void aTimerDueDuringADozeStillFires() throws Exception {
        RuntimeCore rt = new RuntimeCore(Config.builder().workers(1).name("backoff-timer").build());
        try {
            Ticker ticker = rt.scheduler.ticker();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong yields = new AtomicLong();
            List<GreenThread<Long>> ys = yielders(rt, stop, yields);
            long[] lates = new long[20];
            for (int round = 0; round < lates.length; round++) {
                if (ticker.maxSleepNanos() > Ticker.TICK_NANOS) { // off (-Dverdant.tickerBackoff=false): the A/B
                    assertThat(awaitDozes(ticker, ticker.dozes(), 2)).isTrue();
                }
                GreenThread<Long> sleeper = rt.spawn(() -> {
                    long t0 = System.nanoTime();
                    Green.sleep(Duration.ofMillis(1));
                    return System.nanoTime() - t0 - TimeUnit.MILLISECONDS.toNanos(1);
                }, "sleeper", Priority.NORMAL);
                long late = sleeper.join(Duration.ofSeconds(40));
                assertThat(late).as("never early").isGreaterThanOrEqualTo(0);
                lates[round] = late;
            }
            // Lateness is printed, not asserted (a loaded machine delays any thread).
            java.util.Arrays.sort(lates);
            System.out.printf("1 ms sleeps during dozes: lateness median %d us, max %d us; rousings %d, dozes %d, passes %d%n",
                    lates[lates.length / 2] / 1000, lates[lates.length - 1] / 1000, ticker.rousings(), ticker.dozes(),
                    ticker.passes());
            stop.set(true);
            for (GreenThread<Long> y : ys) {
                y.join(Duration.ofSeconds(40));
            }
        } finally {
            rt.close();
        }
    }
}
