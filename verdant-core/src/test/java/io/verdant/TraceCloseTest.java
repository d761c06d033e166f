package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A trace still recording when its runtime closes stops with it: when close()
 * returns, the trace has stopped and its collector thread
 * ({@code <runtime>-trace-collector}) has ended, as the carriers and the ticker
 * have. Before, the collector noticed the close only at its next drain (up to
 * 13 ms later with the default rings) and outlived close.
 */
@Timeout(60)
class TraceCloseTest {

    @Test
    void closeStopsARecordingTraceAndItsCollectorBeforeItReturns() throws Exception {
        for (int round = 0; round < 5; round++) {
            String name = "trace-close-" + round;
            Verdant rt = Verdant.start(Config.builder().workers(2).name(name).build());
            TraceRecording trace;
            try {
                trace = rt.startTrace();
                rt.run(() -> Green.spawn(() -> 1).join());
            } finally {
                rt.close();
            }
            List<String> alive = StallTest.threads(name).stream().map(Thread::getName)
                    .filter(n -> n.endsWith("-trace-collector")).toList();
            assertThat(alive).as("collector alive after close returned, round %d", round).isEmpty();
            assertThat(trace.isRecording()).isFalse();
            assertThat(trace.events()).isPositive();
        }
    }
}
