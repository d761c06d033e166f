package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Determinism.startTime: the virtual wall clock reads startTime plus the virtual time, up to
 * Long.MAX_VALUE nanoseconds (about 292 years). A start time later than Instant.MAX minus that
 * was accepted, and the clock then threw DateTimeException in the body once virtual time moved.
 */
@Timeout(60)
class DeterminismArgumentsTest {
    private static final Instant LATEST = Instant.MAX.minusNanos(Long.MAX_VALUE);

    @Test
    void aStartTimeTheVirtualClockCannotCountFromIsRefused() {
        assertThatThrownBy(() -> Determinism.seed(1).startTime(Instant.MAX))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("startTime");
        assertThatThrownBy(() -> Determinism.seed(1).startTime(LATEST.plusNanos(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("startTime");
        assertThatThrownBy(() -> Determinism.replay("v1:random:0x1:startTime=" + Instant.MAX.getEpochSecond()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replayKey");
    }

    @Test
    void theLatestStartTimeReadsToTheEndOfVirtualTime() {
        Determinism d = Determinism.seed(1).startTime(LATEST);
        assertThat(Determinism.replay(d.replayKey()).startTimeValue()).isEqualTo(LATEST);
        try (Verdant rt = Verdant.deterministic(DetRuns.QUIET, d)) {
            List<Instant> seen = rt.run(() -> {
                Instant a = Green.clock().instant();
                Green.sleep(Duration.ofHours(2));
                return List.of(a, Green.clock().instant());
            });
            assertThat(seen).containsExactly(LATEST, LATEST.plus(Duration.ofHours(2)));
        }
    }
}
