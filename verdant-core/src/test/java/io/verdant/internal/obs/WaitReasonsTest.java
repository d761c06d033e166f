package io.verdant.internal.obs;

import io.verdant.internal.Deadline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** How a sleep's park blocker (its {@link Deadline}) reads as a wait reason (end to end: SnapshotTest). */
@Timeout(60)
class WaitReasonsTest {
    @Test
    void durationsReadAsTheirLargestWholeUnitOrTenthsBelowTenSeconds() {
        assertThat(WaitReasons.duration(Duration.ofNanos(40_500))).isEqualTo("40 us");
        assertThat(WaitReasons.duration(Duration.ofMillis(1))).isEqualTo("1 ms");
        assertThat(WaitReasons.duration(Duration.ofMillis(250))).isEqualTo("250 ms");
        assertThat(WaitReasons.duration(Duration.ofMillis(1_500))).isEqualTo("1.5 s");
        assertThat(WaitReasons.duration(Duration.ofSeconds(3))).isEqualTo("3 s");
        assertThat(WaitReasons.duration(Duration.ofMillis(12_700))).isEqualTo("12 s");
        assertThat(WaitReasons.duration(Duration.ofHours(2))).isEqualTo("7200 s");
    }

    @Test
    void aDeadlineReadsAsASleep() {
        assertThat(WaitReasons.render(Deadline.after(TimeUnit.MILLISECONDS.toNanos(250)))).isEqualTo("sleep 250 ms");
        assertThat(WaitReasons.render(Deadline.FOREVER)).isEqualTo("sleep forever");
    }
}
