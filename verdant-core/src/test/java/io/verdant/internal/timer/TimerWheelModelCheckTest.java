package io.verdant.internal.timer;

import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static io.verdant.internal.ModelCheck.check;
import static io.verdant.internal.ModelCheck.race;

/**
 * Lincheck's model checker on the wheel, on a manual clock: schedule and
 * cancel (any thread, lock-free) racing the ticker's drain, advance and
 * cascade. Whatever the interleaving, a timer fires iff its cancel lost, at
 * most once, and a cancelled timer leaves the wheel at the next drain (size
 * counts it no more) instead of staying linked until its deadline. With a
 * purge depth of 2 (the package-private constructor), purges on the scheduling
 * threads race the ticker, cancel and each other: a timer due at a purge is
 * still fired once, by the thread driving the wheel, and the nodes awaiting a
 * drain stay bounded. Checks are
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

    /** The purge depth of the purge checks: every second push purges. */
    private static final int PURGE = 2;

    /**
     * A scheduling thread arms a timer due at tick 2, then a far one whose push purges,
     * racing a cancel of the first and the ticker moving the clock past it and advancing.
     * The ticker's advance may come between the first runAt's clock read and its push:
     * the purge then finds that timer due and must leave it pending for the driver.
     * Each timer fires once iff its cancel lost, on the ticker or the final driver,
     * never on the scheduling thread unless runAt found it already due (then at once,
     * inside runAt); none stays in the wheel.
     */
    @Test
    void timersDueAtAPurgeRacingTheTickerAndACancelFireOnceOnTheDriver() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            AtomicLong now = new AtomicLong(START);
            // The scheduling thread's clock reads, so the check knows which runAt found its timer due.
            AtomicReference<Thread> scheduler = new AtomicReference<>();
            AtomicLong schedulerRead = new AtomicLong();
            TimerWheel wheel = new TimerWheel(() -> {
                long v = now.get();
                if (Thread.currentThread() == scheduler.get()) {
                    schedulerRead.set(v);
                }
                return v;
            }, d -> { }, e -> { throw new AssertionError(e); }, PURGE);
            long[] deadlines = {START + 2 * MS, START + 100 * MS};
            int n = deadlines.length;
            AtomicInteger[] fired = new AtomicInteger[n];
            AtomicReferenceArray<Thread> firedOn = new AtomicReferenceArray<>(n);
            boolean[] atOnce = new boolean[n];
            AtomicReference<TimerWheel.Timer> first = new AtomicReference<>();
            AtomicBoolean cancelled = new AtomicBoolean();
            AtomicReference<Thread> ticker = new AtomicReference<>();
            for (int i = 0; i < n; i++) {
                fired[i] = new AtomicInteger();
            }
            race(() -> {
                scheduler.set(Thread.currentThread());
                for (int i = 0; i < n; i++) {
                    int k = i;
                    TimerWheel.Timer t = wheel.runAt(deadlines[k], () -> {
                        fired[k].incrementAndGet();
                        firedOn.set(k, Thread.currentThread());
                    });
                    atOnce[k] = schedulerRead.get() >= deadlines[k];
                    if (k == 0) {
                        first.set(t);
                    }
                }
            }, () -> {
                TimerWheel.Timer t = first.get();
                if (t != null) {
                    cancelled.set(wheel.cancel(t));
                }
            }, () -> {
                ticker.set(Thread.currentThread());
                now.set(START + 3 * MS);
                wheel.advance();
            });
            now.set(START + 200 * MS);
            wheel.advance();
            for (int i = 0; i < n; i++) {
                int expected = i == 0 && cancelled.get() ? 0 : 1;
                check(fired[i].get() == expected, "timer " + i + " fired " + fired[i].get()
                        + " times (cancel answered " + cancelled.get() + ")");
                if (expected == 1) {
                    Thread on = firedOn.get(i);
                    boolean onDriver = on == ticker.get() || on == Thread.currentThread();
                    check(atOnce[i] ? on == scheduler.get() : onDriver, "timer " + i + " fired on " + on
                            + " (runAt found it due: " + atOnce[i] + ")");
                }
            }
            check(wheel.nodesHeld() == 0, "the wheel still holds " + wheel.nodesHeld() + " nodes");
        });
    }

    /**
     * Two threads each arm and at once cancel three far timers (a timed receive answered
     * at once) while the ticker drains once with the clock still: whatever the
     * interleaving, the purges leave fewer than PURGE nodes in the inbox and at most
     * one linked-then-cancelled node per thread, where nothing purged would hold all six;
     * none fires, and the next drain leaves nothing.
     */
    @Test
    void purgesRacingEachOtherAndTheTickerKeepTheCancelledNodesBounded() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            AtomicLong now = new AtomicLong(START);
            TimerWheel wheel = new TimerWheel(now::get, d -> { }, e -> { throw new AssertionError(e); }, PURGE);
            AtomicInteger fired = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            Runnable armAndCancel = () -> {
                for (int i = 0; i < 3; i++) {
                    if (!wheel.cancel(wheel.runAt(START + 1_000 * MS, fired::incrementAndGet))) {
                        refused.incrementAndGet();
                    }
                }
            };
            race(armAndCancel, armAndCancel, wheel::advance);
            int held = wheel.nodesHeld();
            check(held <= PURGE - 1 + 2, "the wheel holds " + held + " nodes after 6 cancelled timers");
            check(refused.get() == 0, refused.get() + " cancels of a pending timer answered false");
            now.set(START + 2_000 * MS);
            wheel.advance();
            check(fired.get() == 0, "a cancelled timer fired " + fired.get() + " times");
            check(wheel.nodesHeld() == 0, "the wheel still holds " + wheel.nodesHeld() + " nodes after a drain");
        });
    }
}
