package io.verdant;

import static org.assertj.core.api.Assertions.assertThat;

import io.verdant.internal.obs.TraceHtml;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A trace's extent covers every slice it holds. stop() waits for the slices the
 * carriers run to end (TraceSession, "Stopping"): those end after the stop's
 * time, and the trace's end was that time, so in the HTML page their bars ran
 * past the plot's right edge (and the page's width), and the subtitle's
 * duration left them out.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TraceStopExtentTest {
    /** A slice's bar (a rect of height LANE_HEIGHT - 6). */
    private static final Pattern BAR = Pattern.compile("<rect x=\"([0-9.]+)\" y=\"[0-9]+\" width=\"([0-9.]+)\" height=\""
            + (TraceHtml.LANE_HEIGHT - 6) + "\"");

    @Test
    void aSliceThatEndsWhileStopWaitsIsDrawnInsideThePlot() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("trace-extent").build())) {
            TraceRecording trace = rt.startTrace();
            CountDownLatch running = new CountDownLatch(1);
            AtomicBoolean stopped = new AtomicBoolean();
            GreenHandle<Void> spinner = rt.spawner().name("spinner").spawn(() -> {
                running.countDown();
                // Runs until the stop is about to begin (bounded), then 50 ms more, and ends its slice by exiting.
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!stopped.get() && System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
                long after = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
                while (System.nanoTime() < after) {
                    Thread.onSpinWait();
                }
            });
            assertThat(running.await(20, TimeUnit.SECONDS)).isTrue();
            // The spinner's slice goes on 50 ms after this (no safepoint, nothing else waiting:
            // no preemption), so it ends while stop() waits for it.
            stopped.set(true);
            trace.stop();
            spinner.join(Duration.ofSeconds(20));
            StringBuilder html = new StringBuilder();
            trace.writeHtml(html);
            Matcher m = BAR.matcher(html);
            int bars = 0;
            while (m.find()) {
                double right = Double.parseDouble(m.group(1)) + Double.parseDouble(m.group(2));
                assertThat(right).as("a bar's right edge").isLessThanOrEqualTo(TraceHtml.WIDTH - TraceHtml.RIGHT + 1.0);
                bars++;
            }
            assertThat(bars).isPositive();
        }
    }
}
