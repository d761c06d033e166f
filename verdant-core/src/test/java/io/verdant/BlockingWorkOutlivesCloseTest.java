package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code Green.blocking} work that ignores the interrupt close sends it: close
 * waits for it only up to the shutdown timeout (at most 1 s), returns, and says
 * so in one WARNING with the count of such works; the work runs on, on its
 * daemon pool thread, to its end, and that thread then ends. Before, close
 * returned without a word and the docs said it ended the pool's threads.
 */
@Timeout(60)
class BlockingWorkOutlivesCloseTest {

    @Test
    void closeReportsBlockingWorkThatIgnoresItsInterruptAndLetsItRunToItsEnd() throws Exception {
        String name = "blocking-outlives-close";
        Verdant rt = Verdant.start(Config.builder().workers(1).name(name).blockingThreads(4)
                .shutdownTimeout(Duration.ofMillis(200)).build());
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch working = new CountDownLatch(2);
        CountDownLatch interrupted = new CountDownLatch(2);
        CountDownLatch ended = new CountDownLatch(2);
        AtomicBoolean endedBeforeRelease = new AtomicBoolean();
        try (LogCapture log = new LogCapture("io.verdant")) {
            for (int i = 0; i < 2; i++) {
                rt.spawn(() -> Green.blocking(() -> {
                    working.countDown();
                    boolean wasInterrupted = false;
                    try {
                        for (;;) {
                            try {
                                release.await(); // deaf to interrupts: waits again
                                return null;
                            } catch (InterruptedException e) {
                                if (!wasInterrupted) {
                                    wasInterrupted = true;
                                    interrupted.countDown();
                                }
                            }
                        }
                    } finally {
                        if (release.getCount() != 0) {
                            endedBeforeRelease.set(true);
                        }
                        ended.countDown();
                    }
                }));
            }
            assertThat(working.await(20, TimeUnit.SECONDS)).isTrue();
            long t0 = System.nanoTime();
            rt.close();
            long took = System.nanoTime() - t0;
            assertThat(took).as("close took (ns)").isLessThan(TimeUnit.SECONDS.toNanos(10));
            assertThat(interrupted.await(20, TimeUnit.SECONDS)).as("works interrupted by close").isTrue();
            List<String> warnings = log.records().stream().filter(r -> r.getLevel() == Level.WARNING)
                    .map(LogRecord::getMessage).filter(m -> m.contains("Green.blocking")).toList();
            assertThat(warnings).as("close's report of works still running").hasSize(1);
            assertThat(warnings.getFirst()).contains("'" + name + "'").contains("2 Green.blocking");
            assertThat(ended.getCount()).as("works still running after close").isEqualTo(2);
            release.countDown();
            assertThat(ended.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(endedBeforeRelease).isFalse();
            // Its pool threads end once their work has returned.
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().startsWith(name + "-blocking-")) {
                    t.join(TimeUnit.SECONDS.toMillis(20));
                    assertThat(t.isAlive()).as("%s alive", t.getName()).isFalse();
                }
            }
        } finally {
            release.countDown();
            rt.close();
        }
    }
}
