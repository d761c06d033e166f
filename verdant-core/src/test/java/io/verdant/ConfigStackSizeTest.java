package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A carrier stack larger than the JVM's own limit (-Xss stops at 1 GiB) is refused
 * at build(), naming the setting, rather than failing Verdant.start with an
 * OutOfMemoryError that names nothing (or not, depending on the machine's memory).
 */
@Timeout(30)
class ConfigStackSizeTest {

    @Test
    void aStackLargerThanTheMaximumIsRefusedAtBuildNamingTheSetting() {
        for (long bytes : new long[] {Config.MAX_STACK_SIZE + 1, 1L << 40, Long.MAX_VALUE}) {
            assertThatThrownBy(() -> Config.builder().stackSize(bytes).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("stackSize").hasMessageContaining(Long.toString(bytes));
        }
    }

    @Test
    void theLargestAcceptedStackStartsARuntime() {
        assertThat(Config.MAX_STACK_SIZE).isEqualTo(1L << 30);
        Config c = Config.builder().workers(1).stackSize(Config.MAX_STACK_SIZE).build();
        try (Verdant rt = Verdant.start(c)) {
            assertThat(rt.run(() -> 42)).isEqualTo(42);
        }
    }
}
