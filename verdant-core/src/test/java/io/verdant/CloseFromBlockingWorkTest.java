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
            // Closing an idle runtime takes milliseconds; a close that waited for its own
            // pool thread to end waited the whole second step 5 allows, never less.
            assertThat(took).as("close took (ns)").isLessThan(TimeUnit.MILLISECONDS.toNanos(950));
        } finally {
            if (!rt.isClosed()) {
                rt.close();
            }
        }
    }
}
