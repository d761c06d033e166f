package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * close() called by a logging backend while it writes a record Verdant logged
 * for a green thread (an unobserved failure's): such records are written by
 * Verdant's log writer thread, and close waits for that writer to write the
 * records queued so far. Before, the writer waited for itself, the whole
 * shutdown timeout (here 30 s), before close returned.
 */
@Timeout(60)
class CloseFromLogWriterTest {
    /** Held here: java.util.logging keeps loggers weakly. */
    private static final Logger FAILURES = Logger.getLogger("io.verdant.failures");

    @Test
    void aBackendClosingTheRuntimeOnTheLogWriterDoesNotWaitForItself() throws Exception {
        String name = "close-from-log-writer";
        AtomicReference<Verdant> runtime = new AtomicReference<>();
        AtomicReference<Thread> writer = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch closed = new CountDownLatch(1);
        Handler closingBackend = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getMessage() != null && r.getMessage().contains("'" + name + "'") && writer.compareAndSet(null, Thread.currentThread())) {
                    try {
                        runtime.get().close(); // a backend that shuts the program down on an unobserved failure
                    } catch (Throwable t) {
                        failure.set(t);
                    } finally {
                        closed.countDown();
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
        boolean parents = FAILURES.getUseParentHandlers();
        FAILURES.addHandler(closingBackend);
        FAILURES.setUseParentHandlers(false);
        Verdant rt = Verdant.start(Config.builder().workers(1).name(name).shutdownTimeout(Duration.ofSeconds(30)).build());
        runtime.set(rt);
        try {
            rt.spawn(() -> {
                throw new IllegalStateException("nobody observes this");
            });
            assertThat(closed.await(15, TimeUnit.SECONDS)).as("close() in the backend returned well within the shutdown timeout").isTrue();
            assertThat(failure.get()).isNull();
            assertThat(writer.get().isVirtual()).isFalse();
            assertThat(rt.isClosed()).isTrue();
        } finally {
            closed.await(40, TimeUnit.SECONDS);
            rt.close();
            FAILURES.removeHandler(closingBackend);
            FAILURES.setUseParentHandlers(parents);
        }
    }
}
