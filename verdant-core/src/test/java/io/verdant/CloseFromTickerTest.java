package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * close() called in a dead-letter handler for a timer's send to a dead pid.
 * The handler used to run on the runtime's ticker, and close there joined the
 * ticker, that is itself, for the whole shutdown timeout (here 30 s). The
 * handler now runs on a green thread of the runtime, where close is refused at
 * once (as in any of its green threads), and the runtime still closes from
 * outside.
 */
@Timeout(60)
class CloseFromTickerTest {

    @Test
    void closeInADeadLetterHandlerForATimersSendIsRefusedAtOnceAndTheRuntimeStillCloses() throws Exception {
        AtomicReference<Verdant> runtime = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Boolean> onGreenThread = new AtomicReference<>();
        CountDownLatch handled = new CountDownLatch(1);
        Verdant rt = Verdant.start(Config.builder().workers(1).name("close-in-timer-dead-letter")
                .shutdownTimeout(Duration.ofSeconds(30))
                .deadLetterHandler((pid, msg) -> {
                    if ("late".equals(msg)) {
                        onGreenThread.set(Green.isGreen());
                        try {
                            runtime.get().close();
                        } catch (Throwable t) {
                            failure.set(t);
                        } finally {
                            handled.countDown();
                        }
                    }
                }).build());
        runtime.set(rt);
        try {
            GreenHandle<Void> gone = rt.spawn(() -> { });
            gone.join(Duration.ofSeconds(10));
            rt.run(() -> Green.sendAfter(gone.pid(), "late", Duration.ofMillis(1)));
            assertThat(handled.await(15, TimeUnit.SECONDS)).as("close() in the handler returned well within the shutdown timeout").isTrue();
            assertThat(onGreenThread.get()).as("the handler ran on a green thread, not the ticker").isTrue();
            assertThat(failure.get()).isInstanceOf(IllegalStateException.class);
            assertThat(rt.isClosed()).isFalse();
            assertThat(rt.run(() -> 42)).isEqualTo(42);
        } finally {
            rt.close();
        }
        assertThat(rt.isClosed()).isTrue();
    }
}
