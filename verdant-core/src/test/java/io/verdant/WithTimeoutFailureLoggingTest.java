package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Green.withTimeout rethrows its body's failure to the caller, so that failure is
 * observed: it must not also be logged as "failed and nobody joined" when the body
 * (a child green thread) ends before the caller reaches its join. The same rule
 * Verdant.run and Scope follow (FailureLoggingTest). Failed on every run without
 * the fix (10 of 16 deterministic seeds logged the warning).
 */
@Timeout(30)
class WithTimeoutFailureLoggingTest {
    private static final AtomicInteger RUNTIMES = new AtomicInteger();
    private final LogCapture log = new LogCapture("io.verdant.failures");
    private final String runtimeName = "with-timeout-log-" + RUNTIMES.incrementAndGet();

    private static final class Boom extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Boom(String message) {
            super(message);
        }
    }

    @AfterEach
    void stop() {
        log.close();
    }

    /**
     * One writer writes the records in order: once a marker logged now is there, a
     * WARNING logged before it is there too (waits up to 20 s for it).
     */
    private void awaitEarlierRecords() throws InterruptedException {
        String marker = "marker of " + runtimeName;
        io.verdant.internal.OffThreadLog.log(System.getLogger("io.verdant.failures"), System.Logger.Level.WARNING,
                marker, null);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (log.records().stream().noneMatch(r -> marker.equals(r.getMessage())) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(log.records()).anyMatch(r -> marker.equals(r.getMessage()));
    }

    private List<LogRecord> warnings() {
        return log.records().stream()
                .filter(r -> r.getLevel() == Level.WARNING && r.getMessage().contains("'" + runtimeName + "'"))
                .toList();
    }

    @Test
    void aBodyThatFailsBeforeTheCallerJoinsIsNotLoggedAsUnobserved() throws Exception {
        // Deterministic runtimes: some seeds run the body's thread to its end at the
        // spawn's safepoint, before the caller reaches join (the order that made
        // run()'s own failure look unobserved).
        for (long seed = 1; seed <= 16; seed++) {
            try (Verdant det = Verdant.deterministic(Config.builder().name(runtimeName).build(), Determinism.seed(seed))) {
                assertThatThrownBy(() -> det.run(() -> Green.withTimeout(Duration.ofSeconds(30), () -> {
                    throw new Boom("body");
                }))).isInstanceOf(GreenFailedException.class).hasCauseInstanceOf(Boom.class);
            }
        }
        awaitEarlierRecords();
        assertThat(warnings()).map(r -> r.getMessage() + " / " + r.getThrown()).isEmpty();
    }

    @Test
    void theSameOnARealTimeRuntime() throws Exception {
        // Two carriers: the body's thread may run (and fail) on the other carrier before
        // the caller has pushed its join waiter.
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name(runtimeName).build())) {
            for (int i = 0; i < 300; i++) {
                assertThatThrownBy(() -> rt.run(() -> Green.withTimeout(Duration.ofSeconds(30), () -> {
                    throw new Boom("body");
                }))).isInstanceOf(GreenFailedException.class).hasCauseInstanceOf(Boom.class);
            }
        }
        awaitEarlierRecords();
        assertThat(warnings()).as("warnings in 300 calls").hasSize(0);
    }
}
