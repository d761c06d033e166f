package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Close cancels every live thread, which runs their {@link CancelToken#onCancel}
 * actions. An action that blocks does not hold close past its shutdown
 * timeout: close goes on, and a thread its cancels have not reached is
 * abandoned, as at any timeout. Before, close ran the actions on its own
 * thread and waited for each: two actions blocking 20 s each made a close
 * with a 1 s timeout take 40 s.
 */
@Timeout(60)
class CloseBlockingOnCancelTest {
    @Test
    void aBlockingOnCancelActionDoesNotHoldClosePastItsTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch registered = new CountDownLatch(1);
        Verdant rt = Verdant.start(Config.builder().workers(2).name("close-blocking-oncancel")
                .shutdownTimeout(Duration.ofSeconds(1)).build());
        try {
            rt.spawn(() -> {
                Green.cancelToken().onCancel(() -> {
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                registered.countDown();
                Green.sleep(Duration.ofSeconds(30));
                return null;
            });
            assertThat(registered.await(10, TimeUnit.SECONDS)).isTrue();
            GreenHandle<Void> other = rt.spawn(() -> {
                Green.sleep(Duration.ofSeconds(30));
                return null;
            });
            long t0 = System.nanoTime();
            rt.close();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            // Some 2-3 s (its waits of 1 s) when right, over 30 s when it waits for the action:
            // 15 s leaves a loaded machine room on both sides.
            assertThat(ms).as("close with a 1 s shutdown timeout took %d ms", ms).isLessThan(15_000);
            assertThat(rt.isClosed()).isTrue();
            assertThat(other.isDone()).isTrue();
        } finally {
            release.countDown();
            rt.close();
        }
    }
}
