package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issue 10 items 10 and 11: every bad setting fails at build(), naming the setting. */
@Timeout(60) // one test starts and closes a runtime whose shutdown timeout is unbounded
class ConfigValidationTest {

    @Test
    void negativeWorkersAreRejectedNotTakenAsUnset() {
        assertThatThrownBy(() -> Config.builder().workers(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("workers").hasMessageContaining("-1");
        assertThatThrownBy(() -> Config.builder().workers(Integer.MIN_VALUE).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("workers");
    }

    @Test
    void negativeSpareCarriersAreRejectedNotTakenAsUnset() {
        assertThatThrownBy(() -> Config.builder().workers(2).maxSpareCarriers(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxSpareCarriers")
                .hasMessageContaining("-1");
    }

    @Test
    void unsetWorkersAndSparesStillGetTheirDefaults() {
        Config c = Config.builder().build();
        assertThat(c.workers()).isEqualTo(Math.min(Runtime.getRuntime().availableProcessors(), Config.MAX_WORKERS));
        assertThat(c.maxSpareCarriers()).isEqualTo(c.workers());
        assertThat(Config.builder().workers(3).build().maxSpareCarriers()).isEqualTo(3);
        assertThat(Config.builder().workers(3).maxSpareCarriers(0).build().maxSpareCarriers()).isZero();
    }

    @Test
    void durationsThatOverflowNanosecondsAreRejectedNamingTheSetting() {
        assertThatThrownBy(() -> Config.builder().shutdownTimeout(Duration.ofDays(146_000)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shutdownTimeout");
        assertThatThrownBy(() -> Config.builder().timeslice(Duration.ofSeconds(Long.MAX_VALUE)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeslice");
        assertThatThrownBy(() -> Config.builder().stallThreshold(Duration.ofSeconds(Long.MAX_VALUE)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stallThreshold");
    }

    @Test
    void theLongestAcceptedDurationsStartAndCloseARuntime() {
        Duration max = Duration.ofNanos(Long.MAX_VALUE);
        Config c = Config.builder().workers(1).shutdownTimeout(max).timeslice(max).stallThreshold(max).build();
        try (Verdant rt = Verdant.start(c)) {
            assertThat(rt.run(() -> 42)).isEqualTo(42);
        }
    }
}
