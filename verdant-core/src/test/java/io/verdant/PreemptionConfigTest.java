package io.verdant;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PreemptionConfigTest {
    @Test
    void defaults() {
        Config c = Config.builder().workers(3).build();
        assertThat(c.timeslice()).isEqualTo(Duration.ofMillis(10));
        assertThat(c.preemptive()).isTrue();
        assertThat(c.stallThreshold()).isEqualTo(Duration.ofMillis(100));
        assertThat(c.maxSpareCarriers()).isEqualTo(3);
        assertThat(c.blockingThreads()).isEqualTo(Config.DEFAULT_BLOCKING_THREADS);
    }

    @Test
    void zeroTimesliceSwitchesPreemptionOff() {
        assertThat(Config.builder().timeslice(Duration.ZERO).build().preemptive()).isFalse();
    }

    @Test
    void badSettingsAreNamed() {
        assertThatThrownBy(() -> Config.builder().timeslice(Duration.ofNanos(10)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeslice");
        assertThatThrownBy(() -> Config.builder().timeslice(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeslice");
        assertThatThrownBy(() -> Config.builder().timeslice(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("timeslice");
        assertThatThrownBy(() -> Config.builder().stallThreshold(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stallThreshold");
        assertThatThrownBy(() -> Config.builder().maxSpareCarriers(-2).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxSpareCarriers");
        assertThatThrownBy(() -> Config.builder().blockingThreads(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blockingThreads");
    }
}
