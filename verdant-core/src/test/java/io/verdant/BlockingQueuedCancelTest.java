package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Green.blocking: a caller cancelled while its call is queued behind busy pool
 * threads leaves nothing behind in the queue (its work and what it captures).
 */
@Timeout(30)
class BlockingQueuedCancelTest {

    @Test
    void aCancelledQueuedCallDoesNotKeepItsWorkWhileThePoolIsBusy() throws Exception {
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Verdant rt = Verdant.start(Config.builder().workers(1).blockingThreads(1).name("blocking-queued").build())) {
            try {
                rt.spawn(() -> Green.blocking(() -> {
                    busy.countDown();
                    return release.await(25, TimeUnit.SECONDS);
                }));
                assertThat(busy.await(20, TimeUnit.SECONDS)).isTrue();
                CountDownLatch queued = new CountDownLatch(1);
                Object[] payload = {new byte[1 << 20]};
                WeakReference<Object> ref = new WeakReference<>(payload[0]);
                GreenHandle<Object> caller = rt.spawn(() -> {
                    Object captured = payload[0];
                    payload[0] = null;
                    queued.countDown();
                    try {
                        return Green.blocking(() -> captured);
                    } catch (CancelledException e) {
                        return "cancelled";
                    }
                });
                assertThat(queued.await(20, TimeUnit.SECONDS)).isTrue();
                // The call is queued once the caller parks on it.
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (rt.snapshot().threads().stream().noneMatch(t -> String.valueOf(t.waitReason()).contains("queued"))
                        && System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                caller.cancel();
                assertThat(caller.join(Duration.ofSeconds(20))).isEqualTo("cancelled");
                for (int i = 0; i < 50 && ref.get() != null; i++) {
                    System.gc();
                    Thread.sleep(20);
                }
                assertThat(ref.get()).as("the cancelled call's work, still queued behind the busy pool thread").isNull();
            } finally {
                release.countDown();
            }
        }
    }
}
