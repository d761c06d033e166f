package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A deterministic runtime's {@code run} called from a green thread of another
 * (normal) runtime, as a test running inside a normal runtime does: the run
 * reports a failed schedule as from a platform thread. Before, the caller
 * joined the body and waited for ever when the schedule failed (the body never
 * ends: a deadlock leaves it waiting).
 */
@Timeout(20)
class DetRunFromOtherRuntimeTest {

    @Test
    void aDeadlockedDeterministicRunFailsItsCallerOnAnotherRuntime() {
        try (Verdant normal = Verdant.start(Config.builder().workers(1).name("normal").build())) {
            Throwable t = normal.run(() -> {
                try (Verdant det = Verdant.deterministic(DetRuns.QUIET, Determinism.seed(3))) {
                    return catchThrowable(() -> det.run(() -> Channel.<Integer>rendezvous().receive()));
                }
            });
            assertThat(t).isInstanceOf(DeadlockException.class).hasMessageContaining("Channel");
        }
    }

    @Test
    void aDeterministicRunFromAnotherRuntimeReturnsItsResult() {
        try (Verdant normal = Verdant.start(Config.builder().workers(1).name("normal").build())) {
            int r = normal.run(() -> {
                try (Verdant det = Verdant.deterministic(DetRuns.QUIET, Determinism.seed(3))) {
                    return det.run(() -> Green.spawn(() -> 20).join() + 22);
                }
            });
            assertThat(r).isEqualTo(42);
        }
    }
}
