package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An event actor's timeWaiting in a deterministic runtime's snapshot. The
 * turn's end was stamped with the ticker's coarse clock, which no ticker moves
 * while only deterministic runtimes run (it stays where the last normal
 * runtime's ticker left it, or where it started), so an actor that had just
 * run showed as waiting for as long as that clock had stood still. It now
 * shows at most the real time since the run began.
 */
@Timeout(30)
class DetEventActorTimeWaitingTest {

    @Test
    void anActorThatJustRanDoesNotShowTheTimeTheCoarseClockStoodStill() throws Exception {
        // No normal runtime runs in this test: the coarse clock stands still from here on.
        try (Verdant normal = Verdant.start(Config.builder().workers(1).build())) {
            normal.run(() -> null);
        }
        Thread.sleep(1_000); // the precondition: the clock a ticker left behind is now a second old
        try (Verdant rt = Verdant.deterministic(DetRuns.QUIET, Determinism.seed(1).natural())) {
            long t0 = System.nanoTime();
            Duration waited = rt.run(() -> {
                GreenHandle<Integer> actor = Actors.spawn(0, (Integer n, Object m) -> n + 1);
                Green.send(actor.pid(), "tick");
                Green.settle(); // the actor has run its turn and is idle
                GreenThreadInfo info = rt.snapshot().threads().stream()
                        .filter(i -> i.pid().equals(actor.pid())).findFirst().orElseThrow();
                actor.cancel();
                return info.timeWaiting();
            });
            long elapsed = System.nanoTime() - t0;
            // Its turn ended after t0; the stamp's resolution is 2^20 ns, so two units of slack.
            assertThat(waited.toNanos()).isLessThanOrEqualTo(elapsed + 2L * (1L << 20));
        }
    }
}
