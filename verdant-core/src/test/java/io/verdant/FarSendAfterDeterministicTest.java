package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static io.verdant.DetRuns.runDet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A deterministic runtime's clock starts at 0, and so does its timer wheel's
 * origin. sendAfter with a delay too long for a long of nanoseconds (here
 * Duration.ofSeconds(Long.MAX_VALUE), a "never") saturates the due time to
 * Long.MAX_VALUE (SendTimerCore.start). Before the fix TimerWheel.ceilTick
 * overflowed ({@code d + TICK_NANOS - 1}) to a negative tick, schedule() saw it
 * as already due and the message was sent at once; both cases failed.
 */
@Timeout(20)
class FarSendAfterDeterministicTest {
    @Test
    void aSendAfterOfCenturiesDoesNotArriveWithinAMinute() {
        runDet(Determinism.seed(1), () -> {
            Green.sendAfter(Green.self(), "too early", Duration.ofSeconds(Long.MAX_VALUE));
            assertThatThrownBy(() -> Green.receive(Duration.ofMinutes(1))).isInstanceOf(TimedOutException.class);
            return null;
        }, null);
    }

    /**
     * The same overflow for a periodic timer: after its first send, the next due
     * time saturates to Long.MAX_VALUE; runAt fired at once, inline, and fire()
     * re-armed from inside itself, sending until the stack overflowed (17,210
     * messages).
     */
    @Test
    void aPeriodOfCenturiesSendsOnceWithinAMinute() {
        int got = runDet(Determinism.seed(1), () -> {
            Green.sendEvery(Green.self(), "tick", Duration.ofMillis(1), Duration.ofSeconds(Long.MAX_VALUE));
            int n = 0;
            try {
                for (;;) {
                    Green.receive(Duration.ofMinutes(1));
                    n++;
                }
            } catch (TimedOutException e) {
                return n;
            }
        }, null);
        assertThat(got).isEqualTo(1);
    }
}
