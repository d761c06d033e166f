package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 10 item 12: with no dead-letter handler, a message to a dead pid is logged at INFO. */
@Timeout(60)
class DeadLetterLoggingTest {
    private final LogCapture log = new LogCapture("io.verdant.deadletters");

    @AfterEach
    void detach() {
        log.close();
    }

    @Test
    void aMessageToADeadPidIsLoggedAtInfoWithoutAHandler() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("dead-letters").build())) {
            GreenHandle<Integer> h = rt.spawn(() -> 1);
            h.join();
            assertThat(Green.send(h.pid(), "too late")).isFalse();
            LogRecord r = log.await(x -> x.getLevel() == Level.INFO && x.getMessage().contains("'dead-letters'"));
            assertThat(r).isNotNull();
            assertThat(r.getMessage()).contains("dead letter").contains(h.pid().toString())
                    .contains("java.lang.String").contains("'dead-letters'");
        }
    }

    /**
     * A message a live thread's bounded mailbox refused is logged with that reason, not as
     * sent to a pid that names no live thread (before: every dead letter said so).
     */
    @Test
    void aMessageABoundedMailboxRefusedIsLoggedAsSuch() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("dead-letters-full").build())) {
            java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
            GreenHandle<Object> h = rt.spawner().mailbox(Mailbox.bounded(1, Mailbox.Overflow.DROP_NEWEST))
                    .spawn(() -> {
                        done.await();
                        return null;
                    });
            try {
                assertThat(Green.send(h.pid(), "fits")).isTrue();
                assertThat(Green.send(h.pid(), 42)).isFalse();
                LogRecord r = log.await(x -> x.getLevel() == Level.INFO && x.getMessage().contains("'dead-letters-full'"));
                assertThat(r).isNotNull();
                assertThat(r.getMessage()).contains("java.lang.Integer").contains(h.pid().toString())
                        .contains("bounded mailbox was full").doesNotContain("no live green thread");
            } finally {
                done.countDown();
            }
            h.join();
        }
    }

    @Test
    void aHandlerReplacesTheLog() throws Exception {
        java.util.concurrent.ConcurrentLinkedQueue<Object> got = new java.util.concurrent.ConcurrentLinkedQueue<>();
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("dead-letters-handled")
                .deadLetterHandler((p, m) -> got.add(m)).build())) {
            GreenHandle<Integer> h = rt.spawn(() -> 1);
            h.join();
            assertThat(Green.send(h.pid(), "handled")).isFalse();
            assertThat(got).containsExactly("handled");
        }
        assertThat(log.records()).noneMatch(x -> x.getMessage().contains("'dead-letters-handled'"));
    }
}
