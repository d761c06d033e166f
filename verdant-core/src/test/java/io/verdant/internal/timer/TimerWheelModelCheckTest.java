package io.verdant.internal.timer;

import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.verdant.internal.ModelCheck.check;
import static io.verdant.internal.ModelCheck.race;

/**
 * Lincheck's model checker on the wheel, on a manual clock: schedule and
 * cancel (any thread, lock-free) racing the ticker's drain, advance and
 * cascade. Whatever the interleaving, a timer fires iff its cancel lost, at
 * most once, and a cancelled timer leaves the wheel at the next drain (size
 * counts it no more) instead of staying linked until its deadline. Checks are
 * plain throws: Lincheck compares objects with equals, which AssertJ's
 * assertions refuse.
 */
@Timeout(600)
class TimerWheelModelCheckTest {
    private static final int INVOCATIONS = 300;
    private static final long MS = TimerWheel.TICK_NANOS;
    private static final long START = 1_000_000_000_000L;

    @Test
    void aTimerFiresIffItsCancelLostRacingTheTicker() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            AtomicLong now = new AtomicLong(START);
            TimerWheel wheel = new TimerWheel(now::get, d -> { }, e -> { throw new AssertionError(e); });
            AtomicInteger fired = new AtomicInteger();
            AtomicBoolean cancelled = new AtomicBoolean();
            race(() -> {
                TimerWheel.Timer t = wheel.runAt(START + 2 * MS, fired::incrementAndGet);
                cancelled.set(wheel.cancel(t));
            }, () -> {
                now.set(START + 3 * MS);
                wheel.advance();
            });
            wheel.advance();
            check(fired.get() == (cancelled.get() ? 0 : 1),
                    "cancel answered " + cancelled.get() + " and the timer fired " + fired.get() + " times");
            check(wheel.size() == 0, "a timer stayed in the wheel");
        });
    }

    @Test
    void aTimerCancelledWhileTheDrainLinksItLeavesAtTheNextDrain() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            AtomicLong now = new AtomicLong(START);
            TimerWheel wheel = new TimerWheel(now::get, d -> { }, e -> { throw new AssertionError(e); });
            AtomicInteger fired = new AtomicInteger();
            TimerWheel.Timer t = wheel.runAt(START + 10 * MS, fired::incrementAndGet);
            AtomicBoolean cancelled = new AtomicBoolean();
            race(() -> cancelled.set(wheel.cancel(t)), wheel::size, wheel::advance);
            check(cancelled.get(), "cancel of a pending timer answered false");
            check(wheel.size() == 0, "a cancelled timer stayed linked");
            now.set(START + 20 * MS);
            wheel.advance();
            check(fired.get() == 0, "a cancelled timer fired");
        });
    }

    @Test
    void aTimerCancelledDuringACascadeLeavesAtTheNextDrain() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            AtomicLong now = new AtomicLong(START);
            TimerWheel wheel = new TimerWheel(now::get, d -> { }, e -> { throw new AssertionError(e); });
            AtomicInteger fired = new AtomicInteger();
            // 100 ticks out: level 1, whose slot starts at tick 64 and cascades then.
            TimerWheel.Timer t = wheel.runAt(START + 100 * MS, fired::incrementAndGet);
            wheel.advance();
            AtomicBoolean cancelled = new AtomicBoolean();
            now.set(START + 70 * MS);
            race(() -> cancelled.set(wheel.cancel(t)), wheel::advance);
            check(cancelled.get(), "cancel of a pending timer answered false");
            check(wheel.size() == 0, "a timer cancelled during its cascade stayed linked");
            now.set(START + 200 * MS);
            wheel.advance();
            check(fired.get() == 0, "a cancelled timer fired");
        });
    }

    @Test
    void timersScheduledFromTwoThreadsDuringAdvanceEachFireOnce() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            AtomicLong now = new AtomicLong(START);
            TimerWheel wheel = new TimerWheel(now::get, d -> { }, e -> { throw new AssertionError(e); });
            AtomicInteger a = new AtomicInteger();
            AtomicInteger b = new AtomicInteger();
            race(() -> wheel.runAt(START + MS, a::incrementAndGet),
                    () -> wheel.runAt(START + 70 * MS, b::incrementAndGet),
                    () -> {
                        now.set(START + 2 * MS);
                        wheel.advance();
                    });
            now.set(START + 100 * MS);
            wheel.advance();
            check(a.get() == 1 && b.get() == 1, "fired " + a.get() + " and " + b.get() + " times");
            check(wheel.size() == 0, "a fired timer stayed in the wheel");
        });
    }
}
