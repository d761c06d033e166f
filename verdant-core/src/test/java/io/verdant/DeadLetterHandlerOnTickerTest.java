package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A timer's send to a dead pid is a dead letter raised on the runtime's ticker
 * thread; a {@code deadLetterHandler} that blocks (a logging backend stuck on a
 * full pipe, a bounded queue) must not stop the runtime's timers. Before, the
 * handler ran on the ticker: while it blocked, no timer fired and a 20 ms
 * {@code Green.sleep} elsewhere never woke.
 */
@Timeout(60)
class DeadLetterHandlerOnTickerTest {
    @Test
    void aBlockingHandlerDoesNotStopTheRuntimesTimers() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("ticker-dead-letter-handler")
                .shutdownTimeout(Duration.ofSeconds(5))
                .deadLetterHandler((pid, msg) -> {
                    entered.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }).build())) {
            GreenHandle<Void> gone = rt.spawn(() -> { });
            gone.join(Duration.ofSeconds(20));
            rt.run(() -> Green.sendAfter(gone.pid(), "late", Duration.ofMillis(1)));
            assertThat(entered.await(20, TimeUnit.SECONDS)).as("the handler got the dead letter").isTrue();
            // The handler is stuck in that dead letter; the runtime's timers must still fire.
            GreenHandle<String> sleeper = rt.spawn(() -> {
                Green.sleep(Duration.ofMillis(20));
                return "woke";
            });
            String woke;
            try {
                woke = sleeper.join(Duration.ofSeconds(20));
            } catch (TimedOutException e) {
                woke = "still asleep after 20 s";
            }
            assertThat(woke).isEqualTo("woke");
            release.countDown();
        } finally {
            release.countDown();
        }
    }
}
