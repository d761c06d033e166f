package io.verdant.internal.timer;

/**
 * The time source of a runtime: a monotonic nanosecond counter. The runtime's
 * timer wheel, its ticker and Sysmon (time slices, stalls), close's bounded
 * wait and every {@code Deadline} of a green thread read time from the
 * runtime's clock and from nothing else; {@link #SYSTEM} is the only place
 * Verdant reads {@link System#nanoTime()}. A deterministic mode supplies a
 * virtual clock that it advances itself (the wheel only ever reads the clock,
 * it never sleeps on it); tests may supply their own.
 */
@FunctionalInterface
public interface Clock {
    /**
     * Monotonic nanoseconds; only differences are meaningful. Any thread.
     *
     * @return the clock's time now, in nanoseconds
     */
    long nanoTime();

    /** Real time: {@link System#nanoTime()}. Also the clock of JVM-wide diagnostics stamps (Ticker.coarseNanos). */
    Clock SYSTEM = System::nanoTime;
}
