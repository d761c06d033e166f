package io.verdant;

import io.verdant.internal.GreenThread;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An onComplete callback (toCompletableFuture, TaskScope) is given the failure,
 * so the failure is observed and not logged as unobserved; the executor's own
 * task counting is not a user's callback, so a task run with execute() that
 * throws is still logged, as the JDK prints an uncaught exception.
 */
@Timeout(60)
class CallbackObservationTest {
    private final LogCapture log = new LogCapture("io.verdant.failures");
    private final Verdant rt = Verdant.start(Config.builder().workers(2).name("cb-observe").build());

    @AfterEach
    void stop() {
        rt.close();
        log.close();
    }

    private static boolean ownWarning(LogRecord r) {
        return r.getLevel() == Level.WARNING && r.getMessage().contains("'cb-observe'");
    }

    @Test
    void aFailureGivenToACallbackIsNotLoggedAsUnobserved() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        GreenHandle<Object> h = rt.spawn(() -> {
            go.await();
            throw new IllegalStateException("seen by the callback");
        });
        CountDownLatch seen = new CountDownLatch(1);
        h.onComplete((v, t) -> seen.countDown());
        go.countDown();
        assertThat(seen.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(((GreenThread<?>) h).virtualThread().join(Duration.ofSeconds(20))).isTrue();
        assertThat(log.records().stream().filter(CallbackObservationTest::ownWarning)).isEmpty();
    }

    @Test
    void aTaskThatThrowsUnderExecuteIsStillLogged() throws Exception {
        try (ExecutorService ex = rt.executor()) {
            ex.execute(() -> {
                throw new IllegalStateException("nobody watches an execute()d task");
            });
            LogRecord r = log.await(CallbackObservationTest::ownWarning);
            assertThat(r).isNotNull();
            assertThat(r.getThrown()).hasMessage("nobody watches an execute()d task");
        }
    }

    @Test
    void aCallbackThatThrowsIsLoggedByTheLogWriterNotOnTheGreenThread() throws Exception {
        // docs/errors-and-failures.md: records raised on a green thread are written by
        // the log writer thread, so a backend that blocks never holds a carrier, nor
        // leaves its locks held by a green thread a closing runtime drops.
        try (LogCapture verdantLog = new LogCapture("io.verdant")) {
            CountDownLatch go = new CountDownLatch(1);
            GreenHandle<Object> h = rt.spawn(() -> {
                go.await();
                return 1;
            });
            AtomicReference<Thread> callbackThread = new AtomicReference<>();
            h.onComplete((v, t) -> {
                callbackThread.set(Thread.currentThread());
                throw new IllegalStateException("callback threw");
            });
            go.countDown();
            LogRecord r = verdantLog.await(x -> x.getMessage().contains("onComplete callback of green thread " + h.pid()));
            assertThat(r).as("the callback's failure is logged").isNotNull();
            assertThat(callbackThread.get().isVirtual()).as("the callback ran on the ended green thread").isTrue();
            assertThat(r.getLongThreadID()).as("the thread that wrote the record")
                    .isNotEqualTo(callbackThread.get().threadId());
        }
    }
}
