package io.verdant;

import io.verdant.internal.sched.TraceControl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A trace stopped from a green thread does not wait for that thread's own
 * slice, which cannot end while the stop waits (it would wait its whole bound,
 * half a second, and then cut it anyway): also when the thread's
 * uncaught-exception handler was replaced by user code, through which the
 * stop used to recognise the caller's slice.
 */
@Timeout(60)
class TraceStopOwnSliceReplacedHandlerTest {
    @Test
    void aStopFromAThreadWithAReplacedHandlerDoesNotWaitForItsOwnSlice() {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("trace-own-ueh").build())) {
            TraceRecording trace = rt.startTrace();
            try {
                List<Boolean> waitedFor = rt.run(() -> {
                    Thread.currentThread().setUncaughtExceptionHandler((t, e) -> { });
                    Green.yield(); // a slice that begins while the trace records
                    return rt.core().scheduler.traceControl().slicesInFlight().stream()
                            .map(TraceControl.InFlight::traced).toList();
                });
                assertThat(waitedFor).as("slices a stop would wait for: only the caller's was running").isNotEmpty()
                        .containsOnly(false);
            } finally {
                trace.stop();
            }
        }
    }
}
