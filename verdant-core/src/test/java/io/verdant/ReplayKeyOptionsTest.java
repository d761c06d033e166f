package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A replay key names the options a replay needs to run as the recorded run
 * did (the step limit, the leak check, the virtual clock's origin, the
 * unobserved-failure check), as Exploration.replay carries them; keys without
 * them (written before, or with default options) still parse.
 */
@Timeout(60)
class ReplayKeyOptionsTest {
    @Test
    void aKeyRoundTripsTheOptionsAReplayNeeds() {
        Instant start = Instant.parse("2031-05-06T07:08:09.123456789Z");
        Determinism d = Determinism.seed(0x2A).pct(3).maxSteps(5_000).failOnLeak(true).startTime(start)
                .failOnUnjoinedFailure(false).lenient();
        Determinism back = Determinism.replay(d.replayKey());
        assertThat(back.maxStepsValue()).isEqualTo(5_000);
        assertThat(back.isFailOnLeak()).isTrue();
        assertThat(back.startTimeValue()).isEqualTo(start);
        assertThat(back.isFailOnUnjoinedFailure()).isFalse();
        assertThat(back.isLenient()).isTrue();
        assertThat(back).isEqualTo(d);
        assertThat(back.replayKey()).isEqualTo(d.replayKey());
    }

    @Test
    void aStartTimeBeforeTheEpochAndWholeSecondsRoundTrip() {
        for (Instant t : new Instant[] {Instant.parse("1969-12-31T23:59:59.5Z"), Instant.parse("2020-01-01T00:00:00Z"),
                Instant.EPOCH}) {
            Determinism d = Determinism.seed(1).startTime(t);
            assertThat(Determinism.replay(d.replayKey()).startTimeValue()).as(d.replayKey()).isEqualTo(t);
        }
    }

    @Test
    void defaultOptionsKeepTheShortKeyAndOlderKeysStillParse() {
        assertThat(Determinism.seed(0x2A).replayKey()).isEqualTo("v1:random:0x2A");
        Determinism old = Determinism.replay("v1:pct3:0x5DEECE66D:k=412:lenient");
        assertThat(old.maxStepsValue()).isEqualTo(Determinism.DEFAULT_MAX_STEPS);
        assertThat(old.isFailOnLeak()).isFalse();
        assertThat(old.startTimeValue()).isEqualTo(Determinism.DEFAULT_START_TIME);
        assertThat(old.isFailOnUnjoinedFailure()).isTrue();
        assertThatThrownBy(() -> Determinism.replay("v1:random:0x2A:maxSteps=0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Determinism.replay("v1:random:0x2A:startTime=x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Determinism.replay("v1:random:0x2A:bogus")).isInstanceOf(IllegalArgumentException.class);
    }

    /** A failure's key alone replays it: here a step limit the default would not reach. */
    @Test
    void aFailureReplayedFromItsKeyAloneRunsUnderTheSameOptions() {
        Determinism d = Determinism.seed(3).maxSteps(50);
        ScheduleFailedException first = catchThrowableOfType(ScheduleFailedException.class, () -> {
            try (Verdant rt = Verdant.deterministic(DetRuns.QUIET, d)) {
                rt.run(() -> {
                    for (int i = 0; i < 1_000; i++) {
                        Green.yield();
                    }
                    return null;
                });
            }
        });
        assertThat(first).hasMessageContaining("more than 50 steps");
        ScheduleFailedException again = catchThrowableOfType(ScheduleFailedException.class, () -> {
            try (Verdant rt = Verdant.deterministic(DetRuns.QUIET, Determinism.replay(first.replayKey()))) {
                rt.run(() -> {
                    for (int i = 0; i < 1_000; i++) {
                        Green.yield();
                    }
                    return null;
                });
            }
        });
        assertThat(again).isNotNull().hasMessageContaining("more than 50 steps");
        assertThat(again.replayKey()).isEqualTo(first.replayKey());
    }
}
