package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
 * Records dropped because the writer's queue was full are reported, on the
 * io.verdant logger at WARNING, even when every record after them goes to a
 * logger that filters them out (a level turned down, as for dead letters).
 * Before, the count was appended to the next record written, and with that
 * record filtered by its logger's level the drop was never said.
 */
@Timeout(60)
class OffThreadLogDroppedTest {
    /** Held here: java.util.logging keeps loggers weakly. */
    private static final Logger BLOCKING = Logger.getLogger("io.verdant.test.offthreadlog.blocking");
    private static final Logger QUIET = Logger.getLogger("io.verdant.test.offthreadlog.quiet");
    private static final Logger VERDANT = Logger.getLogger("io.verdant");

    @Test
    void aDropIsReportedWhenTheRecordsAfterItAreFilteredOut() throws Exception {
        CountDownLatch writerHeld = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Handler holdWriter = new Handler() {
            @Override
            public void publish(LogRecord r) {
                writerHeld.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        List<LogRecord> verdant = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                verdant.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        BLOCKING.addHandler(holdWriter);
        BLOCKING.setUseParentHandlers(false);
        QUIET.setLevel(Level.OFF);
        boolean verdantParents = VERDANT.getUseParentHandlers();
        VERDANT.addHandler(capture);
        VERDANT.setUseParentHandlers(false);
        System.Logger blocking = System.getLogger(BLOCKING.getName());
        System.Logger quiet = System.getLogger(QUIET.getName());
        int flood = OffThreadLog.CAPACITY + 100;
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("dropped-records").build())) {
            rt.run(() -> {
                OffThreadLog.log(blocking, System.Logger.Level.INFO, "holds the writer", null);
                return null;
            });
            assertThat(writerHeld.await(20, TimeUnit.SECONDS)).as("the writer holds the first record").isTrue();
            rt.run(() -> {
                for (int i = 0; i < flood; i++) {
                    OffThreadLog.log(quiet, System.Logger.Level.INFO, "filtered " + i, null);
                }
                return null;
            });
            release.countDown(); // before close, which waits for the writer
        } finally {
            release.countDown();
        }
        try {
            assertThat(OffThreadLog.flush(TimeUnit.SECONDS.toNanos(20))).as("the writer caught up").isTrue();
            assertThat(verdant).as("a record saying records were dropped").anySatisfy(r -> {
                assertThat(r.getLevel()).isEqualTo(Level.WARNING);
                assertThat(r.getMessage()).contains("dropped");
            });
        } finally {
            BLOCKING.removeHandler(holdWriter);
            VERDANT.removeHandler(capture);
            VERDANT.setUseParentHandlers(verdantParents);
        }
    }
}
