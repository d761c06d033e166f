package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A runtime's timer wheel reports what a timer action throws through the
 * runtime's internal-error log (the {@code io.verdant} logger, ERROR, naming
 * the runtime), and the thread driving the timers goes on: a later timer still
 * fires and a sleep still wakes (TimerWheel, "Firing"). Before the fix the
 * wheel dropped the throwable: nothing was logged.
 */
@Timeout(30)
class TimerActionFailureTest {

    @Test
    void aThrowingTimerActionIsLoggedAndLaterTimersStillFire() throws Exception {
        Logger logger = Logger.getLogger("io.verdant");
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        CountDownLatch logged = new CountDownLatch(1);
        Error boom = new InternalError("injected: a timer action failed");
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
                if (r.getThrown() == boom) {
                    logged.countDown();
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        boolean parents = logger.getUseParentHandlers();
        logger.addHandler(h);
        logger.setUseParentHandlers(false);
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("timer-action-failure").build())) {
            RuntimeCore core = rt.run(() -> GreenThread.current().runtime());
            CountDownLatch after = new CountDownLatch(1);
            long now = core.timers.clock().nanoTime();
            core.timers.runAt(now + 2_000_000L, () -> {
                throw boom;
            });
            core.timers.runAt(now + 2_000_000L, after::countDown);
            assertThat(after.await(20, TimeUnit.SECONDS)).as("the other due action ran").isTrue();
            assertThat(logged.await(20, TimeUnit.SECONDS)).as("the throwable was logged").isTrue();
            LogRecord r = records.stream().filter(x -> x.getThrown() == boom).findFirst().orElseThrow();
            assertThat(r.getLevel()).isEqualTo(Level.SEVERE);
            assertThat(r.getMessage()).contains("timer-action-failure");
            // The ticker lives on: a sleep (a timer of its own) still wakes.
            assertThat(rt.run(() -> {
                Green.sleep(Duration.ofMillis(5));
                return "woke";
            })).isEqualTo("woke");
        } finally {
            logger.removeHandler(h);
            logger.setUseParentHandlers(parents);
        }
    }
}
