package io.verdant.internal.timer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A deadline near Long.MAX_VALUE on a wheel whose origin is near 0 (a
 * deterministic runtime's VirtualClock starts at 0) never fires early. Before
 * the fix, ceilTick's {@code d + TICK_NANOS - 1} overflowed to a negative tick,
 * which schedule() took for "already due" and fired at once, ~292 years early
 * (SendTimerCore saturates a long delay to exactly Long.MAX_VALUE, so a
 * sendAfter of Duration.ofSeconds(Long.MAX_VALUE), "never", sent at once in
 * deterministic mode). Both cases failed without the fix.
 */
@Timeout(10)
class TimerWheelFarDeadlineTest {
    private final AtomicLong now = new AtomicLong(0);
    /** What the wheel reported an action threw: no action here throws. */
    private final java.util.List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final TimerWheel wheel = new TimerWheel(now::get, deadline -> { }, failures::add);

    @org.junit.jupiter.api.AfterEach
    void noActionThrew() {
        assertThat(failures).as("throwables reported by the wheel").isEmpty();
    }

    @Test
    void aDeadlineAtLongMaxValueNeverFiresEarly() {
        AtomicInteger fired = new AtomicInteger();
        TimerWheel.Timer t = wheel.runAt(Long.MAX_VALUE, fired::incrementAndGet);
        assertThat(fired.get()).as("fired at time 0 for a deadline ~292 years away").isZero();
        assertThat(wheel.isFired(t)).isFalse();
        now.addAndGet(1_000_000_000L);
        wheel.advance();
        assertThat(fired.get()).isZero();
    }

    @Test
    void aWakeUpJustBelowLongMaxValueNeverFiresEarly() {
        // Deadline.after(Long.MAX_VALUE - 1) at virtual time 0: not saturated to FOREVER.
        TimerWheel.Timer t = wheel.wakeAt(Long.MAX_VALUE - 1, Thread.currentThread());
        assertThat(wheel.isFired(t)).as("fired at once for a deadline ~292 years away").isFalse();
        Thread.interrupted();
    }
}
