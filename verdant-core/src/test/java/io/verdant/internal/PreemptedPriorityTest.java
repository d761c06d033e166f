package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.Priority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A preempted HIGH thread does not go behind LOW work: on one worker, LOW runs
 * only through the anti-starvation rule (after 16 passed-over dispatches), not
 * at the end of HIGH's first slice.
 */
@Timeout(60)
class PreemptedPriorityTest {
    @Test
    void aPreemptedHighThreadStaysAheadOfLowWork() throws Exception {
        // No spare carriers: LOW must not get a carrier of its own.
        RuntimeCore rt = new RuntimeCore(Config.builder().workers(1).name("prio-yield").maxSpareCarriers(0)
                .stallThreshold(Duration.ofSeconds(30)).build());
        try {
            AtomicBoolean lowDone = new AtomicBoolean();
            AtomicLong requestsWhenLowRan = new AtomicLong(-1);
            CountDownLatch highRunning = new CountDownLatch(1);
            GreenThread<Long> high = rt.spawn(() -> {
                highRunning.countDown();
                long n = 0;
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!lowDone.get() && System.nanoTime() < end) {
                    Green.checkpoint();
                    n++;
                }
                return n;
            }, "high", Priority.HIGH);
            assertThat(highRunning.await(20, TimeUnit.SECONDS)).isTrue();
            GreenThread<Object> low = rt.spawn(() -> {
                requestsWhenLowRan.set(rt.scheduler.sysmon().preemptionsRequested());
                lowDone.set(true);
                return null;
            }, "low", Priority.LOW);
            low.join(Duration.ofSeconds(30));
            assertThat(high.join(Duration.ofSeconds(30))).isPositive();
            // Putting the yielder behind the LOW thread would let LOW run after the
            // first request; staying ahead, LOW waits for the starvation limit.
            assertThat(requestsWhenLowRan.get()).isGreaterThanOrEqualTo(8);
        } finally {
            rt.close();
        }
    }
}
