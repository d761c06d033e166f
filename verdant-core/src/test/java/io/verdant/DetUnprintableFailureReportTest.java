package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Deterministic mode's failure reports name a failure whose {@code toString()}
 * throws by its class, and keep it as the cause. Before, an exploration whose
 * body failed so threw what that {@code toString()} threw (no replay key, no
 * steps, not a {@link ScheduleFailedException}), and the report of an
 * unobserved failure became "internal error in the deterministic scheduler",
 * without the failure as its cause.
 */
@Timeout(60)
class DetUnprintableFailureReportTest {
    private static final class Unprintable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @Override
        public String toString() {
            throw new IllegalStateException("toString of the body's failure");
        }

        @Override
        public String getMessage() {
            throw new IllegalStateException("getMessage of the body's failure");
        }
    }

    @Test
    void anExplorationWhoseBodyFailsUnprintablyReportsTheSchedule() {
        Throwable e = catchThrowable(() -> Exploration.of(() -> {
            throw new Unprintable();
        }).schedules(2).run());
        assertThat(e).isInstanceOf(ScheduleFailedException.class);
        assertThat(e.getCause()).isInstanceOf(Unprintable.class);
        assertThat(e.getMessage()).startsWith("[replay v1:").contains("schedule 1 of 2 failed")
                .contains(Unprintable.class.getName());
    }

    @Test
    void anUnobservedUnprintableFailureIsReportedAsUnobserved() {
        Throwable e;
        try (Verdant rt = Verdant.deterministic(Config.builder().deadLetterHandler((p, m) -> { }).build(),
                Determinism.seed(3))) {
            e = catchThrowable(() -> rt.run(() -> {
                Green.spawner().name("forgotten").spawn(() -> {
                    throw new Unprintable();
                });
                Green.sleep(Duration.ofSeconds(1)); // the child has failed before the body returns
                return 1;
            }));
        }
        assertThat(e).isInstanceOf(ScheduleFailedException.class);
        assertThat(e.getCause()).isInstanceOf(Unprintable.class);
        assertThat(e.getMessage()).contains("'forgotten'").contains(Unprintable.class.getName())
                .contains("nobody observed it");
    }
}
