package io.verdant.internal;

import io.verdant.Pid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/** The dead-letter log's rate limit, on a manual clock (issue 10, item 12). */
class DeadLettersTest {
    private final Logger logger = Logger.getLogger(DeadLetters.LOGGER);
    private final List<LogRecord> records = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public synchronized void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final boolean parentHandlers = logger.getUseParentHandlers();

    {
        logger.addHandler(handler);
        logger.setUseParentHandlers(false);
    }

    @AfterEach
    void detach() {
        logger.removeHandler(handler);
        logger.setUseParentHandlers(parentHandlers);
    }

    @Test
    void logsTheFirstTenPerWindowAtInfoAndCountsTheRest() {
        AtomicLong now = new AtomicLong(5);
        DeadLetters d = new DeadLetters("rt", now::get);
        Pid pid = Pids.of(1, 2, 3);
        for (int i = 0; i < 25; i++) {
            d.record(pid, "message " + i);
        }
        assertThat(records).hasSize(DeadLetters.LIMIT);
        assertThat(records).allMatch(r -> r.getLevel() == Level.INFO);
        assertThat(records.get(0).getMessage()).contains("java.lang.String").contains(pid.toString())
                .contains("'rt'").doesNotContain("message 0");
        assertThat(records.get(DeadLetters.LIMIT - 1).getMessage()).contains("further dead letters are not logged");
        now.addAndGet(DeadLetters.WINDOW_NANOS - 1);
        d.record(pid, 42);
        assertThat(records).hasSize(DeadLetters.LIMIT);
        now.addAndGet(1);
        d.record(pid, 42);
        assertThat(records).hasSize(DeadLetters.LIMIT + 1);
        assertThat(records.get(DeadLetters.LIMIT).getMessage()).contains("java.lang.Integer")
                .contains("27 dead letters so far").contains("16 of them not logged");
    }
}
