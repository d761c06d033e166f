package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A green thread that does not end on close's cancel (here: blocked entering a
 * monitor the test holds) is abandoned, and close then runs its
 * {@link GreenHandle#onComplete} callbacks. One that blocks does not hold close:
 * close waits for them at most 1 s. Before, close ran them on its own thread
 * and waited for each: a callback blocking 20 s made a close with a 1 s
 * shutdown timeout take 21 s.
 */
@Timeout(60)
class AbandonedCallbackCloseTest {
    @Test
    void aBlockingCallbackOfAnAbandonedThreadDoesNotHoldClose() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        Object lock = new Object();
        Verdant rt = Verdant.start(Config.builder().workers(2).name("abandoned-callback-close")
                .shutdownTimeout(Duration.ofSeconds(1)).build());
        try {
            GreenHandle<Void> h;
            synchronized (lock) {
                h = rt.spawn(() -> {
                    entered.countDown();
                    synchronized (lock) {
                        return null;
                    }
                });
                h.onComplete((v, t) -> {
                    try {
                        release.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (h.state() != GreenState.WAITING && System.nanoTime() < until) {
                    Thread.sleep(1);
                }
                long t0 = System.nanoTime();
                rt.close();
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                // Some 2-3 s (its waits of 1 s) when right, 21 s when it waits for the callback:
                // 15 s leaves a loaded machine room on both sides.
                assertThat(ms).as("close with a 1 s shutdown timeout took %d ms", ms).isLessThan(15_000);
                assertThat(h.state()).isEqualTo(GreenState.FAILED); // abandoned
            }
        } finally {
            release.countDown();
            rt.close();
        }
    }
}
