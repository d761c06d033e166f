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
        // The timer must fire once the close has begun, which the test cannot order: a machine
        // that delays the close past the timer's delay runs the handler on a green thread (the
        // runtime still open), and that round is tried again with a longer delay.
        long[] delaysMillis = {200, 1_000, 5_000};
        for (int round = 0; round < delaysMillis.length; round++) {
            if (closeWhileTheTimerFires(delaysMillis[round], round == delaysMillis.length - 1)) {
                return;
            }
        }
    }

    /** One round; false if the handler ran before the close began (and this is not the last round). */
    private static boolean closeWhileTheTimerFires(long delayMillis, boolean last) throws Exception {
        AtomicReference<Verdant> runtime = new AtomicReference<>();
        AtomicReference<Boolean> onGreenThread = new AtomicReference<>();
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch handled = new CountDownLatch(1);
        Verdant rt = Verdant.start(Config.builder().workers(2).name("close-on-ticker-while-closing")
                .shutdownTimeout(Duration.ofSeconds(10))
                .deadLetterHandler((pid, msg) -> {
                    if ("late".equals(msg)) {
                        onGreenThread.set(Green.isGreen());
                        inHandler.countDown();
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
            // Keeps close in its wait for live threads until the handler runs (it ignores its
            // cancel; 20 s at most), so the timer fires while close waits, however late.
            rt.spawn(() -> {
                spinning.countDown();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (inHandler.getCount() > 0 && System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            });
            assertThat(spinning.await(10, TimeUnit.SECONDS)).isTrue();
            rt.run(() -> Green.sendAfter(gone.pid(), "late", Duration.ofMillis(delayMillis)));
        } finally {
            long t0 = System.nanoTime();
            rt.close();
            took = System.nanoTime() - t0;
        }
        assertThat(handled.await(10, TimeUnit.SECONDS)).as("the handler's close returned").isTrue();
        assertThat(rt.isClosed()).isTrue();
        if (Boolean.TRUE.equals(onGreenThread.get()) && !last) {
            return false; // the timer fired before the close began: nothing shown, try again
        }
        assertThat(onGreenThread.get()).as("the handler ran on the ticker (the runtime was closing)").isFalse();
        assertThat(Duration.ofNanos(took)).as("the first close's duration (delay %d ms)", delayMillis)
                .isLessThan(Duration.ofMillis(delayMillis).plusSeconds(5));
        return true;
    }
}
