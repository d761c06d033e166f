package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A green thread preempted at a safepoint while it holds a monitor (allowed since
 * JDK 24: it unmounts and keeps the monitor), and another green thread that then
 * blocks on that monitor while pinned (here inside a class initializer, which still
 * pins in JDK 25): the second holds its carrier, blocked, and the first, queued
 * behind it, cannot run to release the monitor. With one carrier that was a
 * deadlock for good: the carrier used no CPU and was neither in native code nor
 * parked, so the monitor did not call it stalled and started no spare carrier. A
 * carrier whose green thread is blocked on a monitor now counts as blocked (a
 * stall), and the spare carrier runs the holder.
 */
@Timeout(60)
class PinnedMonitorStallTest {
    static final Object MONITOR = new Object();
    static final CountDownLatch INITIALIZED = new CountDownLatch(1);

    /** Initialised by the second thread: enters MONITOR inside its class initializer (pinned). */
    static final class Holder {
        static {
            synchronized (MONITOR) {
                INITIALIZED.countDown();
            }
        }

        static void touch() {
        }
    }

    @Test
    void aThreadBlockedPinnedOnAMonitorHeldByAPreemptedThreadIsAStallAndGetsASpare() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("pinned-monitor")
                .timeslice(Duration.ofMillis(5)).stallThreshold(Duration.ofMillis(100)).maxSpareCarriers(1)
                .shutdownTimeout(Duration.ofSeconds(2)).build())) {
            CountDownLatch holds = new CountDownLatch(1);
            CountDownLatch waiterQueued = new CountDownLatch(1);
            GreenHandle<Void> holder = rt.spawn(() -> {
                synchronized (MONITOR) {
                    holds.countDown();
                    try {
                        waiterQueued.await();
                    } catch (InterruptedException e) {
                        throw new CancelledException("interrupted");
                    }
                    // A loop with a safepoint (as the agent makes one) whose slice ends while
                    // the waiter is queued: the holder yields here, keeping the monitor.
                    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
                    while (System.nanoTime() < end) {
                        Green.checkpoint();
                    }
                }
            });
            assertThat(holds.await(20, TimeUnit.SECONDS)).isTrue();
            GreenHandle<Void> waiter = rt.spawn(Holder::touch);
            waiterQueued.countDown();
            assertThat(INITIALIZED.await(20, TimeUnit.SECONDS))
                    .as("the waiter entered the monitor (stalls %d, spares %d)",
                            rt.metrics().stalls(), rt.metrics().sparesStarted())
                    .isTrue();
            waiter.join(Duration.ofSeconds(20));
            holder.join(Duration.ofSeconds(20));
            assertThat(rt.metrics().stalls()).isGreaterThanOrEqualTo(1);
        }
    }
}
