package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * close() called in a dead-letter handler for a timer's send that fires while
 * the runtime closes: no green thread can start then, so the handler runs on
 * the runtime's ticker. That close must not wait for the close in progress,
 * which waits for the ticker to stop: the two waited for each other until the
 * first one's wait for the ticker timed out (here 10 s), and the ticker was
 * reported stuck.
 */
@Timeout(60)
class CloseOnTickerWhileClosingTest {

    @Test
    void closeInADeadLetterHandlerOnTheTickerDuringCloseDoesNotHoldUpThatClose() throws Exception {
        AtomicReference<Verdant> runtime = new AtomicReference<>();
        AtomicReference<Boolean> onGreenThread = new AtomicReference<>();
        CountDownLatch handled = new CountDownLatch(1);
        Verdant rt = Verdant.start(Config.builder().workers(2).name("close-on-ticker-while-closing")
                .shutdownTimeout(Duration.ofSeconds(10))
                .deadLetterHandler((pid, msg) -> {
                    if ("late".equals(msg)) {
                        onGreenThread.set(Green.isGreen());
                        try {
                            runtime.get().close();
                        } finally {
                            handled.countDown();
                        }
                    }
                }).build());
        runtime.set(rt);
        long took;
        CountDownLatch spinning = new CountDownLatch(1);
        try {
            GreenHandle<Void> gone = rt.spawn(() -> { });
            gone.join(Duration.ofSeconds(10));
            // Keeps close in its wait for live threads while the timer fires: it ignores its cancel.
            rt.spawn(() -> {
                spinning.countDown();
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(800);
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            });
            assertThat(spinning.await(10, TimeUnit.SECONDS)).isTrue();
            rt.run(() -> Green.sendAfter(gone.pid(), "late", Duration.ofMillis(200)));
        } finally {
            long t0 = System.nanoTime();
            rt.close();
            took = System.nanoTime() - t0;
        }
        assertThat(handled.await(10, TimeUnit.SECONDS)).as("the handler's close returned").isTrue();
        assertThat(onGreenThread.get()).as("the handler ran on the ticker (the runtime was closing)").isFalse();
        assertThat(Duration.ofNanos(took)).as("the first close's duration").isLessThan(Duration.ofSeconds(5));
        assertThat(rt.isClosed()).isTrue();
    }
}
