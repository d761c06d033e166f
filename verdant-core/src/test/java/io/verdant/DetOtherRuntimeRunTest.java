package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@code rt.run} of another runtime (deterministic or not, an
 * {@code Exploration} too) called from a green thread of a deterministic
 * runtime: the other runtime's threads end that wait in real time, so a strict
 * run is refused, naming the call and the other runtime. Before, the refusal
 * named a JDK timed wait "(at ?)" (the deterministic runtime's wait for its
 * body) or a wake-up from outside, and neither the call nor the runtime.
 */
@Timeout(60)
class DetOtherRuntimeRunTest {
    private static Throwable outerRun(Determinism d, Callable<?> body) {
        try (Verdant outer = Verdant.deterministic(DetRuns.QUIET, d)) {
            return catchThrowable(() -> outer.run(body));
        }
    }

    @Test
    void anotherDeterministicRuntimesRunIsRefusedNamingTheCall() {
        Throwable t = outerRun(Determinism.seed(1), () -> {
            try (Verdant inner = Verdant.deterministic(DetRuns.QUIET, Determinism.seed(2))) {
                return inner.run(() -> 4);
            }
        });
        assertThat(t).isInstanceOf(ScheduleFailedException.class);
        assertThat(t.getMessage()).startsWith("[replay v1:random:0x1]").contains("Verdant.run on runtime '")
                .contains("test thread").doesNotContain("JDK timed wait");
    }

    @Test
    void aNormalRuntimesRunIsRefusedNamingTheCall() {
        Throwable t = outerRun(Determinism.seed(3), () -> {
            try (Verdant inner = Verdant.start(Config.builder().workers(1).name("plain").build())) {
                return inner.run(() -> 4);
            }
        });
        assertThat(t).isInstanceOf(ScheduleFailedException.class);
        assertThat(t.getMessage()).contains("Verdant.run on runtime 'plain'").doesNotContain("JDK timed wait");
    }

    @Test
    void underTheLenientPolicyTheRunGoesOnNotReplayable() {
        try (Verdant outer = Verdant.deterministic(DetRuns.QUIET, Determinism.seed(5).lenient())) {
            int r = outer.run(() -> {
                try (Verdant inner = Verdant.deterministic(DetRuns.QUIET, Determinism.seed(6))) {
                    return inner.run(() -> 4);
                }
            });
            assertThat(r).isEqualTo(4);
            assertThat(outer.trace().replayable()).isFalse();
        }
    }

    @Test
    void anExplorationInsideABodyIsRefusedNamingTheCall() {
        Throwable t = outerRun(Determinism.seed(4), () -> Exploration.of(() -> 5).schedules(2).run());
        assertThat(t).isInstanceOf(ScheduleFailedException.class);
        assertThat(t.getMessage()).startsWith("[replay v1:random:0x4]").contains("Verdant.run on runtime '")
                .doesNotContain("JDK timed wait");
    }
}
