package io.verdant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A builder may build several configurations: a default filled in by one build() must not stick to the next. */
class ConfigBuilderReuseTest {

    @Test
    void sparesFollowTheWorkersOfEachBuild() {
        Config.Builder b = Config.builder().workers(1);
        Config one = b.build();
        Config three = b.workers(3).build();
        assertThat(one.maxSpareCarriers()).isEqualTo(1);
        assertThat(three.workers()).isEqualTo(3);
        assertThat(three.maxSpareCarriers()).isEqualTo(3);
    }

    @Test
    void anExplicitSettingIsKeptAndAnUnsetOneStaysUnset() {
        Config.Builder b = Config.builder();
        Config defaults = b.build();
        assertThat(defaults.workers()).isEqualTo(Math.min(Runtime.getRuntime().availableProcessors(), Config.MAX_WORKERS));
        Config two = b.workers(2).build();
        assertThat(two.maxSpareCarriers()).isEqualTo(2);
        Config zeroSpares = b.maxSpareCarriers(0).workers(4).build();
        assertThat(zeroSpares.maxSpareCarriers()).isZero();
        assertThat(zeroSpares.workers()).isEqualTo(4);
    }
}
