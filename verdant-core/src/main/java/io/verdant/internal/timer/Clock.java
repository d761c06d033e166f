package io.verdant.internal.timer;

/**
 * The time source of a runtime's timers: a monotonic nanosecond counter.
 * {@link #SYSTEM} is {@link System#nanoTime()}; a deterministic mode supplies
 * a virtual clock that it advances itself (the wheel only ever reads the
 * clock, it never sleeps on it).
 */
@FunctionalInterface
public interface Clock {
    /** Monotonic nanoseconds; only differences are meaningful. Any thread. */
    long nanoTime();

    Clock SYSTEM = System::nanoTime;
}
