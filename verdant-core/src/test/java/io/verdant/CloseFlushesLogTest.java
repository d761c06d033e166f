package io.verdant;

import io.verdant.internal.GreenThread;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * close() returns only once the records its green threads logged have been
 * written (bounded): the writer is a daemon thread, so a program that exits
 * right after closing its runtime lost the WARNING of a failure nobody
 * observed whenever the logging backend was a little slow.
 */
@Timeout(60)
class CloseFlushesLogTest {
    /** Held here: java.util.logging keeps loggers weakly. */
    private static final Logger FAILURES = Logger.getLogger("io.verdant.failures");

    @Test
    void theWarningOfAnUnobservedFailureIsWrittenBeforeCloseReturns() throws Exception {
        String name = "close-flush-" + System.nanoTime();
        List<LogRecord> written = new CopyOnWriteArrayList<>();
        Handler slowBackend = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getMessage() != null && r.getMessage().contains("'" + name + "'")) {
                    try {
                        Thread.sleep(300); // a backend with some latency (a file on a busy disk, a socket)
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    written.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        boolean parents = FAILURES.getUseParentHandlers();
        FAILURES.addHandler(slowBackend);
        FAILURES.setUseParentHandlers(false);
        try {
            IllegalStateException boom = new IllegalStateException("last words");
            try (Verdant rt = Verdant.start(Config.builder().workers(2).name(name).build())) {
                GreenHandle<Void> h = rt.spawn(() -> {
                    throw boom;
                });
                // Its body and failure report are done: the record is queued for the writer.
                assertThat(((GreenThread<?>) h).virtualThread().join(Duration.ofSeconds(20))).isTrue();
            }
            assertThat(written).as("records written when close returned").hasSize(1);
            assertThat(written.get(0).getLevel()).isEqualTo(Level.WARNING);
            assertThat(written.get(0).getThrown()).isSameAs(boom);
        } finally {
            FAILURES.removeHandler(slowBackend);
            FAILURES.setUseParentHandlers(parents);
        }
    }
}
