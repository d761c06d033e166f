package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * close() from {@code Green.blocking} work of the runtime being closed (a pool
 * thread, not a green thread, so close is allowed): the pool cannot end while
 * the closer itself is one of its threads, so close does not wait for that
 * (step 5), and goes on to stop the carriers as usual.
 */
@Timeout(60)
class CloseFromBlockingWorkTest {

    @Test
    void closeFromBlockingWorkClosesWithoutWaitingForItsOwnPoolThread() throws Exception {
        String name = "close-from-blocking";
        Verdant rt = Verdant.start(Config.builder().workers(1).name(name)
                .shutdownTimeout(Duration.ofSeconds(10)).build());
        CompletableFuture<Long> closeNanos = new CompletableFuture<>();
        try (LogCapture log = new LogCapture("io.verdant")) {
            GreenHandle<Object> caller = rt.spawn(() -> Green.blocking(() -> {
                long t0 = System.nanoTime();
                try {
                    rt.close();
                    closeNanos.complete(System.nanoTime() - t0);
                } catch (Throwable t) {
                    closeNanos.completeExceptionally(t);
                }
                return null;
            }));
            long took = closeNanos.get(20, TimeUnit.SECONDS);
            assertThat(rt.isClosed()).isTrue();
            assertThat(caller.isDone()).isTrue();
            assertThat(log.records().stream().map(LogRecord::getMessage).filter(m -> m.contains("are stuck")).toList())
                    .as("carriers reported stuck").isEmpty();
            // A close that waited for its own pool thread to end waited the whole second step 5
            // allows and then reported that thread's work as still running. The report says so
            // whatever the machine's load; the close's duration (milliseconds when idle) does not:
            // a loaded machine can take most of a second for the rest of close.
            assertThat(log.records().stream().map(LogRecord::getMessage).filter(m -> m.contains("ignored the interrupt"))
                    .toList()).as("works reported still running after close (it took %d ms)", took / 1_000_000).isEmpty();
        } finally {
            if (!rt.isClosed()) {
                rt.close();
            }
        }
    }
}
