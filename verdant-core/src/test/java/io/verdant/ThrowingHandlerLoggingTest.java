package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A failure handler or dead-letter handler that throws is the user's bug, not
 * Verdant's: its record says which handler threw and for what, on the logger
 * of what it was handling, with the handler's exception attached. Before, both
 * were logged on {@code io.verdant} as the runtime's "unexpected error", the
 * record of a Verdant defect.
 */
@Timeout(60)
class ThrowingHandlerLoggingTest {
    private static final class HandlerBug extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HandlerBug(String message) {
            super(message);
        }
    }

    @Test
    void aThrowingFailureHandlerIsReportedAsSuch() throws Exception {
        HandlerBug bug = new HandlerBug("failure handler bug");
        try (LogCapture log = new LogCapture("io.verdant.failures");
             Verdant rt = Verdant.start(Config.builder().workers(1).name("throwing-failure-handler")
                     .failureHandler((h, t) -> {
                         throw bug;
                     }).build())) {
            GreenHandle<Void> h = rt.spawn(() -> {
                throw new IllegalArgumentException("the body's failure");
            });
            LogRecord r = log.await(rec -> rec.getThrown() == bug);
            assertThat(r).as("a record carrying the handler's exception on io.verdant.failures").isNotNull();
            assertThat(r.getLevel()).isEqualTo(Level.SEVERE);
            assertThat(r.getMessage()).contains("failureHandler threw").contains(h.pid().toString())
                    .contains("IllegalArgumentException").doesNotContain("unexpected error");
        }
    }

    @Test
    void aThrowingDeadLetterHandlerIsReportedAsSuch() throws Exception {
        HandlerBug bug = new HandlerBug("dead-letter handler bug");
        try (LogCapture log = new LogCapture("io.verdant.deadletters");
             Verdant rt = Verdant.start(Config.builder().workers(1).name("throwing-dead-letter-handler")
                     .deadLetterHandler((pid, msg) -> {
                         throw bug;
                     }).build())) {
            GreenHandle<Void> ended = rt.spawn(() -> { });
            ended.join();
            rt.send(ended.pid(), "to nobody");
            LogRecord r = log.await(rec -> rec.getThrown() == bug);
            assertThat(r).as("a record carrying the handler's exception on io.verdant.deadletters").isNotNull();
            assertThat(r.getMessage()).contains("deadLetterHandler threw").contains(ended.pid().toString())
                    .doesNotContain("unexpected error");
        }
    }
}
