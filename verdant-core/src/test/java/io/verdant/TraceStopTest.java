package io.verdant;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a stopped trace holds (issue 12): every slice that ended before
 * {@code stop()} returned, and the slices still running then cut at the stop.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TraceStopTest {

    @Test
    void aThreadJoinedJustBeforeTheStopHasItsExitSliceInTheTrace() throws Exception {
        // join() returns while the joined thread is still leaving its carrier: its exit
        // slice is written after that. Before stop waited for it, it was missing often.
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("trace-stop-exit").build())) {
            for (int round = 0; round < 20; round++) {
                TraceRecording trace = rt.startTrace();
                GreenHandle<Integer> h = rt.spawn(() -> 42);
                assertThat(h.join()).isEqualTo(42);
                trace.stop();
                List<TraceCostTest.Slice> mine = TraceCostTest.slices(trace).stream()
                        .filter(s -> s.pid().equals(h.pid().toString())).toList();
                assertThat(mine).as("round %d", round).isNotEmpty();
                assertThat(mine.get(mine.size() - 1).ended()).as("round %d", round).isEqualTo("exit");
            }
        }
    }

    @Test
    void aTraceStoppedFromAGreenThreadCutsThatThreadsSliceAtTheStop() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("trace-stop-self").build())) {
            TraceRecording trace = rt.startTrace();
            Pid pid = rt.run(() -> {
                Green.yield();
                trace.stop();
                return Green.self();
            });
            List<TraceCostTest.Slice> mine = TraceCostTest.slices(trace).stream()
                    .filter(s -> s.pid().equals(pid.toString())).toList();
            assertThat(mine).hasSizeGreaterThanOrEqualTo(2);
            assertThat(mine.get(mine.size() - 2).ended()).isEqualTo("yield");
            // Its own slice goes on after the stop: it is not waited for, but cut.
            assertThat(mine.get(mine.size() - 1).ended()).isEqualTo("running");
            assertThat(mine.get(mine.size() - 1).begin()).isEqualTo(mine.get(mine.size() - 2).end());
        }
    }

    @Test
    void aSliceThatDoesNotEndWithinTheBoundIsCutAtTheStop() throws Exception {
        // Preemption off: the spinner keeps its carrier until it is told to stop.
        try (Verdant rt = Verdant.start(Config.builder().workers(2).timeslice(Duration.ZERO)
                .name("trace-stop-spin").build())) {
            AtomicBoolean go = new AtomicBoolean(true);
            CountDownLatch spinning = new CountDownLatch(1);
            TraceRecording trace = rt.startTrace();
            GreenHandle<Object> spinner = rt.spawn(() -> {
                Green.yield(); // the first slice ends, so the spinning one is traced from its start
                spinning.countDown();
                while (go.get()) {
                    Thread.onSpinWait();
                }
                return null;
            });
            spinning.await();
            long t0 = System.nanoTime();
            trace.stop();
            long waited = System.nanoTime() - t0;
            go.set(false);
            spinner.join();
            assertThat(waited).as("stop waits for the running slice, up to its bound")
                    .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(400));
            List<TraceCostTest.Slice> mine = TraceCostTest.slices(trace).stream()
                    .filter(s -> s.pid().equals(spinner.pid().toString())).toList();
            assertThat(mine).hasSize(2);
            assertThat(mine.get(0).ended()).isEqualTo("yield");
            assertThat(mine.get(1).ended()).isEqualTo("running");
            assertThat(mine.get(1).end() - mine.get(1).begin()).isGreaterThan(0);
        }
    }

    @Test
    void aSliceCutAtTheStopIsNotKeptBeyondMaxEvents() throws Exception {
        // A green thread that stops the trace itself has its own slice cut at the stop; with the
        // trace already holding maxEvents, that cut slice went beyond the limit.
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("trace-stop-max").build())) {
            for (int round = 0; round < 5; round++) {
                TraceRecording trace = rt.startTrace(TraceOptions.defaults().maxEvents(10));
                rt.run(() -> {
                    for (int i = 0; i < 200; i++) {
                        Green.yield();
                    }
                    trace.stop();
                    return null;
                });
                assertThat(trace.events()).as("round %d", round).isEqualTo(10);
                assertThat(trace.events() + trace.dropped()).as("round %d", round).isGreaterThan(200);
            }
        }
    }
}
