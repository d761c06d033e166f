package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * An event actor's handler that parks (here: joins an event actor it spawned
 * and sent to) in a deterministic runtime. The deterministic carrier runs each
 * slice itself, and did not do what a normal carrier does when a dispatcher's
 * handler parks (move the actor its dispatcher's next slot holds to the shared
 * queue, start or wake another dispatcher): the child stayed in the parked
 * dispatcher's slot, never ran, and rt.run hung with no report. The child now
 * runs, and a seed gives the same trace twice.
 */
@Timeout(60)
class DetEventActorBlockingHandlerTest {

    /** A parent actor whose handler, for each "t", spawns a child actor, sends to it and joins it. */
    private static Callable<Integer> body(int ticks, boolean sleep) {
        return () -> {
            GreenHandle<Integer> parent = Actors.spawn(0, (Integer n, Object m) -> {
                if (m.equals("stop")) {
                    Actors.stop();
                    return n;
                }
                GreenHandle<Integer> child = Actors.spawn(0, (Integer x, Object mm) -> {
                    Actors.stop();
                    return x + 1;
                });
                Green.send(child.pid(), "go");
                return n + child.join();
            });
            for (int k = 0; k < ticks; k++) {
                Green.send(parent.pid(), "t");
                if (sleep) {
                    Green.sleep(Duration.ofSeconds(1));
                }
            }
            Green.send(parent.pid(), "stop");
            return parent.join();
        };
    }

    private static ScheduleTrace run(long seed, int ticks, boolean sleep) {
        try (Verdant rt = Verdant.deterministic(DetRuns.QUIET, Determinism.seed(seed))) {
            int r = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> rt.run(body(ticks, sleep)));
            assertThat(r).isEqualTo(ticks);
            return rt.trace();
        }
    }

    @Test
    void aHandlerJoiningAChildActorItSentToCompletes() {
        run(9, 1, false);
    }

    @Test
    void handlersThatParkRepeatedlyCompleteAndReplayTheSameSchedule() {
        for (long seed = 1; seed <= 3; seed++) {
            List<ScheduleTrace> traces = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                traces.add(run(seed, 5, seed % 2 == 1));
            }
            assertThat(traces.get(1)).isEqualTo(traces.get(0));
        }
    }
}
