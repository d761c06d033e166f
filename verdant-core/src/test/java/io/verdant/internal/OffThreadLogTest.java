package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Determinism;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A green thread that logs never parks on the writer's queue: in a
 * deterministic runtime, where a wake-up from the writer thread (a thread
 * outside the runtime) fails the schedule, many records in a row still pass.
 * With a lock-based queue the writer's unlock woke a green thread that had
 * parked on the queue's lock, and the schedule was refused ("woken by
 * verdant-log-writer").
 */
@Timeout(120)
class OffThreadLogTest {
    /** Held here: java.util.logging keeps loggers weakly. Off: the writer does little but take the next record. */
    private static final Logger QUIET = Logger.getLogger("io.verdant.test.offthreadlog");
    private static final System.Logger LOG = System.getLogger("io.verdant.test.offthreadlog");

    @Test
    void greenThreadsLoggingInADeterministicRuntimeAreNeverWokenByTheWriter() {
        QUIET.setLevel(Level.OFF);
        for (int run = 0; run < 20; run++) {
            try (Verdant rt = Verdant.deterministic(Config.defaults(), Determinism.seed(run))) {
                int logged = rt.run(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        OffThreadLog.log(LOG, System.Logger.Level.INFO, "record " + i, null);
                    }
                    return 2_000;
                });
                assertThat(logged).isEqualTo(2_000);
            }
        }
    }

    /** Held here: java.util.logging keeps loggers weakly. */
    private static final Logger RETIRE = Logger.getLogger("io.verdant.test.writerretire");

    /**
     * The writer ends once idle, and a record logged later starts another that
     * writes it. Before, the writer parked for the life of the JVM: a thread of
     * Verdant's left after every runtime had closed, whose Runnable kept the class
     * loader that loaded Verdant from being collected (ClassLoaderUnloadTest).
     */
    @Test
    void theWriterEndsWhenIdleAndALaterRecordStartsAnother() throws Exception {
        List<String> written = new CopyOnWriteArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                written.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        RETIRE.addHandler(h);
        RETIRE.setUseParentHandlers(false);
        System.Logger log = System.getLogger(RETIRE.getName());
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("otl-retire").build())) {
            rt.run(() -> OffThreadLog.log(log, System.Logger.Level.INFO, "first", null));
            assertThat(OffThreadLog.flush(Duration.ofSeconds(5).toNanos())).isTrue();
            assertThat(written).containsExactly("first");
            long deadline = System.nanoTime() + OffThreadLog.IDLE_NANOS + Duration.ofSeconds(5).toNanos();
            while (writerAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20); // polling for the writer to end: nothing to wait on from outside
            }
            assertThat(writerAlive()).as("the idle writer ended").isFalse();
            rt.run(() -> OffThreadLog.log(log, System.Logger.Level.INFO, "second", null));
            assertThat(OffThreadLog.flush(Duration.ofSeconds(5).toNanos())).isTrue();
            assertThat(written).containsExactly("first", "second");
        } finally {
            RETIRE.removeHandler(h);
        }
    }

    /**
     * Writers that retire as soon as they are idle, while green threads log now
     * and then: every record is still written (a record offered as the writer
     * retires is written by it or by the next; see OffThreadLog, "Retirement").
     */
    @Test
    void recordsLoggedWhileWritersRetireAreAllWritten() throws Exception {
        AtomicInteger written = new AtomicInteger();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                written.incrementAndGet();
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        RETIRE.addHandler(h);
        RETIRE.setUseParentHandlers(false);
        System.Logger log = System.getLogger(RETIRE.getName());
        OffThreadLog.idleNanos = 0; // a writer retires the first time it finds the queue empty
        int records = 0;
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("otl-retiring").build())) {
            long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            for (int round = 0; round < 2_000 && System.nanoTime() < end; round++) {
                int n = 1 + round % 3;
                rt.run(() -> {
                    for (int i = 0; i < n; i++) {
                        OffThreadLog.log(log, System.Logger.Level.INFO, "r", null);
                    }
                });
                records += n;
                if (round % 4 == 0) {
                    assertThat(OffThreadLog.flush(Duration.ofSeconds(5).toNanos())).as("round %d", round).isTrue();
                }
            }
            OffThreadLog.idleNanos = OffThreadLog.IDLE_NANOS;
            assertThat(OffThreadLog.flush(Duration.ofSeconds(5).toNanos())).isTrue();
            assertThat(written.get()).isEqualTo(records);
        } finally {
            OffThreadLog.idleNanos = OffThreadLog.IDLE_NANOS;
            RETIRE.removeHandler(h);
        }
    }

    private static boolean writerAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().equals("verdant-log-writer"));
    }
}
