package io.verdant.internal;

import io.verdant.CancelToken;
import io.verdant.Config;
import io.verdant.Verdant;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * A record logged from a green thread when the log writer cannot be started
 * (Thread.start fails: an OutOfMemoryError, injected at the fault site
 * LOG_WRITER_STARTING) stays queued and is written later; the logging call does
 * not throw. Before the fix the error came out of OffThreadLog.log into code that
 * logs from its error paths: a cancel whose first onCancel callback threw (logged,
 * by CancelToken's contract, "and the others still run") threw the error itself and
 * never ran the second callback. Needs -Dio.verdant.internal.faults=true.
 */
@Timeout(60)
class LogWriterStartFailureTest {
    /** Held here: java.util.logging keeps loggers weakly. CancelNode logs callback failures on "io.verdant". */
    private static final Logger VERDANT = Logger.getLogger("io.verdant");

    @AfterEach
    void removeHook() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aCallbackFailureLoggedWhileTheWriterCannotStartLetsTheOtherCallbacksRun() throws Exception {
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
        VERDANT.addHandler(h);
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("log-writer-refused").build())) {
            // Any thread that logs through OffThreadLog between the wait for no writer and this
            // test's record (a runtime another test left behind) starts a writer, which then takes
            // the record with no start on its path: that attempt shows nothing, and is made again.
            boolean refused = false;
            for (int attempt = 1; attempt <= 3 && !refused; attempt++) {
                refused = cancelWhileTheWriterCannotStart(rt);
            }
            assertThat(refused).as("the writer's start was refused in one of 3 attempts").isTrue();
            // The record queued while no writer could start is written once one can.
            assertThat(OffThreadLog.flush(Duration.ofSeconds(10).toNanos())).as("queued records written").isTrue();
            assertThat(written).anyMatch(m -> m.startsWith("onCancel callback of "));
        } finally {
            VERDANT.removeHandler(h);
        }
    }

    /**
     * Waits for no writer, then cancels a token whose first callback throws, from a green
     * thread of {@code rt}, with the writer's start refused to {@code rt}'s carriers once;
     * asserts the cancel and the second callback; returns whether the start was refused.
     */
    private static boolean cancelWhileTheWriterCannotStart(Verdant rt) throws Exception {
        // A writer left by earlier records would take this one: wait for it to retire.
        long deadline = System.nanoTime() + OffThreadLog.IDLE_NANOS + Duration.ofSeconds(10).toNanos();
        while (OffThreadLog.writer() != null && System.nanoTime() < deadline) {
            Thread.sleep(20); // polling for the writer to end: nothing to wait on from outside
        }
        assertThat(OffThreadLog.writer()).as("no writer running").isNull();
        AtomicBoolean refused = new AtomicBoolean();
        SchedulerTestAccess.atSites((w, site) -> {
            // The hook is JVM-wide, as the writer is: only this runtime's carriers (the cancel's
            // green thread logs there). Any thread that logs through OffThreadLog meanwhile (a
            // runtime another test left behind) would take the one refusal: this test's record
            // would then start the writer, and the test pass with no refused start on its path.
            if (site.equals("LOG_WRITER_STARTING") && w != null && w.getName().startsWith("log-writer-refused-")
                    && refused.compareAndSet(false, true)) {
                throw new OutOfMemoryError("injected: unable to create native thread");
            }
        });
        try {
            CancelToken token = CancelToken.create();
            AtomicBoolean secondRan = new AtomicBoolean();
            token.onCancel(() -> {
                throw new IllegalStateException("a failing onCancel callback");
            });
            token.onCancel(() -> secondRan.set(true));
            assertThatCode(() -> rt.run(() -> {
                token.cancel(); // from a green thread: the failure is logged through the writer
                return null;
            })).as("the cancel").doesNotThrowAnyException();
            assertThat(secondRan).as("the second callback ran").isTrue();
        } finally {
            SchedulerTestAccess.atSites(null);
        }
        return refused.get();
    }
}
