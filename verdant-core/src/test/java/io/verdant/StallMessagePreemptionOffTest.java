package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With time slices off, Green.checkpoint() never yields, so a thread that calls it in
 * a long loop is still reported as stalled: the report must not say that it reached
 * no safepoint, nor advise adding checkpoints, which would change nothing.
 */
@Timeout(60)
class StallMessagePreemptionOffTest {

    @Test
    void aStallWithPreemptionOffDoesNotBlameMissingCheckpoints() throws Exception {
        AtomicBoolean reported = new AtomicBoolean();
        try (LogCapture sysmon = new LogCapture("io.verdant.sysmon");
             Verdant rt = Verdant.start(Config.builder().workers(1).name("stall-off").timeslice(Duration.ZERO)
                     .stallThreshold(Duration.ofMillis(50)).build())) {
            CountDownLatch spinning = new CountDownLatch(1);
            GreenHandle<Void> spinner = rt.spawner().name("checkpointing").spawn(() -> {
                spinning.countDown();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!reported.get() && System.nanoTime() < end) {
                    Green.checkpoint();
                }
            });
            spinning.await();
            GreenHandle<Integer> waiting = rt.spawn(() -> 1); // other work waits behind the spinner
            LogRecord report = sysmon.await(r -> r.getMessage().contains("has held carrier stall-off-"));
            reported.set(true);
            spinner.join();
            assertThat(waiting.join()).isEqualTo(1);
            assertThat(report).as("stall report").isNotNull();
            assertThat(report.getMessage())
                    .contains("checkpointing")
                    .doesNotContain("without reaching a safepoint")
                    .doesNotContain("add Green.checkpoint()")
                    .contains("time slices are off");
        } finally {
            reported.set(true);
        }
    }
}
