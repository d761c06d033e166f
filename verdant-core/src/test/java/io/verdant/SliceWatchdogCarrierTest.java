package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * After the slice watchdog reports a green thread that never reaches a
 * scheduling point, the schedule fails with the report, close() gives the stuck
 * carrier up at once (it does not wait for green threads that cannot run), and
 * the next schedules run on a fresh carrier while the spinner still spins.
 */
@Timeout(120)
class SliceWatchdogCarrierTest {
    /** Lets the spinner end: set when the test is done, so no thread outlives it. */
    private static volatile boolean release;
    /** The spinner's virtual thread, to wait for its end. */
    private static volatile Thread spinner;

    private static void spin() {
        spinner = Thread.currentThread();
        while (!release) {
            Thread.onSpinWait(); // no scheduling point: holds the only carrier
        }
    }

    @Test
    void aStuckCarrierIsAbandonedAndTheExplorationGoesOnOnAFreshOne() throws Exception {
        release = false;
        Determinism watchdog = Determinism.seed(0).sliceWatchdog(Duration.ofMillis(300));
        try {
            long start = System.nanoTime();
            ScheduleFailedException e = catchThrowableOfType(ScheduleFailedException.class,
                    () -> Exploration.of(() -> {
                        Green.spawner().name("spinner").spawn(SliceWatchdogCarrierTest::spin).join();
                        return null;
                    }).settings(watchdog).schedules(10).config(DetRuns.QUIET).run());
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(e).isNotNull();
            assertThat(e.scheduleNumber()).isEqualTo(1);
            assertThat(e.getMessage()).contains("green thread 'spinner'")
                    .contains("without reaching a scheduling point")
                    .contains("SliceWatchdogCarrierTest.spin");
            // The watchdog fires after 300 ms; close then returns at once (it used to wait
            // Config.shutdownTimeout, 5 s, for threads that cannot run, then 5 s for the carrier).
            assertThat(tookMillis).isLessThan(4_000);
            assertThat(spinner).isNotNull();
            assertThat(spinner.isAlive()).isTrue(); // still spinning on the abandoned carrier

            // Later schedules run on a fresh carrier while the old one is stuck.
            long carriers = io.verdant.internal.det.DetCarrier.started();
            long t1 = System.nanoTime();
            assertThat(Exploration.of(() -> DetRuns.lostUpdateFails(2, 1)).settings(Determinism.seed(0).natural())
                    .schedules(20).config(DetRuns.QUIET).run()).isEqualTo(20);
            assertThat(io.verdant.internal.det.DetCarrier.started()).isGreaterThan(carriers - 1);
            assertThat(Duration.ofNanos(System.nanoTime() - t1)).isLessThan(Duration.ofSeconds(10));
            assertThat(spinner.isAlive()).isTrue();
        } finally {
            release = true;
        }
        Thread s = spinner;
        if (s != null) {
            assertThat(s.join(Duration.ofSeconds(10))).isTrue(); // the spinner ends: no thread leaks from the test
        }
    }
}
