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

    /**
     * Near the end of the clock, a deadline after the start of the last whole
     * tick can never be reached: nothing is due, so the ticker (or a
     * deterministic runtime, which moves its clock to the next deadline) must
     * not be told to come back in a nanosecond. Before the fix the tick's start
     * overflowed and nanosToNextDeadline() answered 1 for ever.
     */
    @Test
    void aDeadlineTheClockCannotReachIsNeverDue() {
        now.set(Long.MAX_VALUE - 2_000_000L);
        wheel.advance();
        AtomicInteger fired = new AtomicInteger();
        wheel.runAt(Long.MAX_VALUE - 1, fired::incrementAndGet);
        assertThat(wheel.nanosToNextDeadline()).as("nanoseconds to the next deadline (-1: none)").isEqualTo(-1);
        now.set(Long.MAX_VALUE);
        wheel.advance();
        assertThat(fired.get()).isZero();
    }

    /** A deadline at the start of the last whole tick is reachable: it fires then, not before. */
    @Test
    void aDeadlineInTheLastTickStillFiresOnTime() {
        long lastTickStart = Long.MAX_VALUE / TimerWheel.TICK_NANOS * TimerWheel.TICK_NANOS;
        now.set(lastTickStart - 2_000_000L);
        wheel.advance();
        AtomicInteger fired = new AtomicInteger();
        wheel.runAt(lastTickStart, fired::incrementAndGet);
        assertThat(wheel.nanosToNextDeadline()).isEqualTo(2_000_000L);
        now.set(lastTickStart - 1);
        wheel.advance();
        assertThat(fired.get()).isZero();
        now.set(lastTickStart);
        wheel.advance();
        assertThat(fired.get()).isEqualTo(1);
    }
}
