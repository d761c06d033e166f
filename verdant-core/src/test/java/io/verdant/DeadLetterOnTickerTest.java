package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A timer's send to a dead pid is a dead letter raised on the runtime's ticker
 * thread; its record is written by the log writer, never by the ticker. Before,
 * it was written on the ticker (a platform thread, so written directly): a
 * logging backend that blocked stopped every timer of the runtime, and a
 * Green.sleep elsewhere never woke.
 */
@Timeout(60)
class DeadLetterOnTickerTest {
    /** Held here: java.util.logging keeps loggers weakly. */
    private static final Logger DEAD_LETTERS = Logger.getLogger("io.verdant.deadletters");

    @Test
    void aBlockingBackendDoesNotStopTheRuntimesTimers() throws Exception {
        String name = "ticker-dead-letter-" + System.nanoTime();
        CountDownLatch backendEntered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Handler blockingBackend = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getMessage() != null && r.getMessage().contains("'" + name + "'")) {
                    backendEntered.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS); // a backend stuck on a full pipe, a lost socket
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        boolean parents = DEAD_LETTERS.getUseParentHandlers();
        DEAD_LETTERS.addHandler(blockingBackend);
        DEAD_LETTERS.setUseParentHandlers(false);
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name(name).build())) {
            GreenHandle<Void> gone = rt.spawn(() -> { });
            gone.join(Duration.ofSeconds(20));
            // Fires on the ticker: the addressee is dead, so the send is a dead letter.
            rt.run(() -> Green.sendAfter(gone.pid(), "late", Duration.ofMillis(1)));
            assertThat(backendEntered.await(20, TimeUnit.SECONDS)).as("the dead letter reached the backend").isTrue();
            // The backend is stuck in that record; the runtime's timers must still fire.
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
            release.countDown(); // before close, which waits for the writer
        } finally {
            release.countDown();
            DEAD_LETTERS.removeHandler(blockingBackend);
            DEAD_LETTERS.setUseParentHandlers(parents);
        }
    }
}
