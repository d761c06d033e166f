package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A CPU-bound green thread that ignores cancellation but reaches safepoints
 * ({@code Green.checkpoint()}) is abandoned by close after the shutdown timeout
 * and leaves its carrier at its next safepoint: the carrier stops, nothing is
 * left spinning, and no carrier is reported stuck. Before, with no other work
 * waiting (or time slices off) nothing asked it to yield, and its carrier ran
 * it on after close returned, reported as "stuck in a green thread that never
 * reaches a safepoint".
 */
@Timeout(60)
class CloseAbandonedAtSafepointTest {

    @Test
    void anAbandonedThreadThatReachesSafepointsLeavesItsCarrierWithTimeSlicesOff() throws Exception {
        closeAbandoning("abandon-at-safepoint-off", Duration.ZERO);
    }

    @Test
    void anAbandonedThreadThatReachesSafepointsLeavesItsCarrierWithTimeSlicesOn() throws Exception {
        closeAbandoning("abandon-at-safepoint-on", Duration.ofMillis(10));
    }

    private static void closeAbandoning(String name, Duration timeslice) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean ended = new AtomicBoolean();
        try (LogCapture log = new LogCapture("io.verdant")) {
            Verdant rt = Verdant.start(Config.builder().workers(1).name(name).timeslice(timeslice)
                    .shutdownTimeout(Duration.ofMillis(200)).build());
            GreenHandle<Long> spinner;
            try {
                CountDownLatch running = new CountDownLatch(1);
                spinner = rt.spawn(() -> {
                    long n = 0;
                    running.countDown();
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); // bounded
                    while (!stop.get() && System.nanoTime() - end < 0) {
                        n++;
                        Thread.interrupted(); // ignores cancellation
                        Green.checkpoint();
                    }
                    ended.set(true);
                    return n;
                });
                assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            } finally {
                rt.close();
            }
            assertThatThrownBy(spinner::join).isInstanceOf(CancelledException.class);
            for (Thread t : StallTest.threads(name)) {
                t.join(TimeUnit.SECONDS.toMillis(20)); // a carrier counts itself stopped just before it ends
                assertThat(t.isAlive()).as("%s alive after close returned", t.getName()).isFalse();
            }
            assertThat(ended).as("the abandoned body ran on to its end").isFalse();
            assertThat(log.records().stream().map(LogRecord::getMessage).filter(m -> m.contains("are stuck")).toList())
                    .as("carriers reported stuck").isEmpty();
        } finally {
            stop.set(true);
            for (Thread t : StallTest.threads(name)) {
                t.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
    }
}
