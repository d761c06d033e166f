package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A deterministic runtime's timers fire on its only carrier. A deadLetterHandler
 * called for a timer's send used to run there, so one that blocked (here on a
 * latch a green thread counts down later) stopped the whole schedule: no green
 * thread could run, and rt.run hung with no report (the slice watchdog looks only
 * at green threads). It now runs on a green thread of its own, as in a normal
 * runtime, and the same seed still gives the same schedule.
 */
@Timeout(60)
class DetDeadLetterHandlerBlocksTest {

    private static Config blockingHandler(CountDownLatch release, List<Object> seen) {
        return Config.builder().failureHandler((h, t) -> { }).deadLetterHandler((pid, msg) -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            seen.add(msg);
        }).build();
    }

    private static ScheduleTrace runOnce(long seed, List<Object> seen) {
        CountDownLatch release = new CountDownLatch(1);
        Verdant rt = Verdant.deterministic(blockingHandler(release, seen), Determinism.seed(seed));
        try {
            String r = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> rt.run(() -> {
                GreenHandle<Void> gone = Green.spawn(() -> { });
                gone.join();
                Green.sendAfter(gone.pid(), "late", Duration.ofMillis(1));
                Green.sleep(Duration.ofMillis(10)); // the timer fires first, and its handler waits
                release.countDown();
                Green.sleep(Duration.ofMillis(10)); // the handler, released, runs
                return "ok";
            }));
            assertThat(r).isEqualTo("ok");
            return rt.trace();
        } finally {
            release.countDown(); // before the fix: frees the carrier stuck in the handler
            rt.close();
        }
    }

    @Test
    void aHandlerThatBlocksOnATimersDeadLetterDoesNotStopTheSchedule() {
        List<Object> seen = new CopyOnWriteArrayList<>();
        runOnce(7, seen);
        assertThat(seen).containsExactly("late");
    }

    @Test
    void theSameSeedGivesTheSameScheduleWithTheHandlerOnAGreenThread() {
        List<ScheduleTrace> traces = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            traces.add(runOnce(11, new CopyOnWriteArrayList<>()));
        }
        assertThat(traces.get(1).hash()).isEqualTo(traces.get(0).hash());
        assertThat(traces.get(1).steps()).isEqualTo(traces.get(0).steps());
    }
}
