package io.verdant.internal;

import io.verdant.internal.timer.Clock;

import java.time.Duration;

/**
 * How long a blocking operation may wait: {@link #NOW} (do not wait at all: the
 * {@code tryX} forms), {@link #FOREVER}, or until a point on the caller's clock
 * ({@link #after}). The one way Verdant expresses "how long"; it replaces the
 * sentinels (-1 forever, 0 try, 1 ns for a zero timeout) the operations used
 * to encode it with.
 *
 * <pre>
 * Clock
 *   A timed deadline remembers the clock it was read from: the runtime's clock
 *   (its timer wheel's) for a green thread, Clock.SYSTEM for a platform thread,
 *   which belongs to no runtime. Only that clock is read again (remaining,
 *   expired), so a deadline is meaningful on any thread, and in deterministic
 *   mode a green thread's timeout follows virtual time. Nothing in Verdant
 *   reads System.nanoTime except through a Clock: waits through the
 *   deadline's, the ticker, Sysmon and close through the runtime's (Clock.SYSTEM
 *   unless a test supplies one), diagnostics stamps through Clock.SYSTEM.
 *
 * Values
 *   NOW      never waits; operations that take it do not run the Waits.enter
 *            step (a try never blocks, so it is no cancellation point).
 *   FOREVER  never expires; parks untimed.
 *   after(n) expires when the clock reaches its start + n (saturating: a
 *            timeout too long to represent behaves as FOREVER). after(0) is
 *            already expired but, unlike NOW, is a blocking call: it enters
 *            (safepoint, cancellation check) and reports a timeout.
 *   Immutable; safe to share between threads.
 * </pre>
 */
public final class Deadline {
    /** Do not wait: the operation completes now or reports that it could not. */
    public static final Deadline NOW = new Deadline(Long.MIN_VALUE, 0, null);
    /** Wait without a time limit. */
    public static final Deadline FOREVER = new Deadline(Long.MAX_VALUE, Long.MAX_VALUE, null);

    /** The instant on {@link #clock}; Long.MAX_VALUE: never. */
    private final long at;
    /** The timeout as given, for messages. */
    private final long timeoutNanos;
    /** Null for NOW and FOREVER (never read). */
    private final Clock clock;

    private Deadline(long at, long timeoutNanos, Clock clock) {
        this.at = at;
        this.timeoutNanos = timeoutNanos;
        this.clock = clock;
    }

    /**
     * The deadline {@code nanos} from now on the calling thread's clock (its
     * runtime's for a green thread, {@link Clock#SYSTEM} otherwise). Any thread.
     *
     * @param nanos the timeout, at least 0; Long.MAX_VALUE means forever
     * @return the deadline
     */
    public static Deadline after(long nanos) {
        return after(nanos, callerClock());
    }

    /**
     * The deadline {@code nanos} from now on {@code clock}. Any thread.
     *
     * @param nanos the timeout, at least 0; Long.MAX_VALUE means forever
     * @param clock the clock the deadline is measured on
     * @return the deadline
     */
    public static Deadline after(long nanos, Clock clock) {
        if (nanos == Long.MAX_VALUE) {
            return FOREVER;
        }
        long now = clock.nanoTime();
        long d = now + nanos;
        return new Deadline(d < now ? Long.MAX_VALUE : d, nanos, clock);
    }

    /**
     * The deadline {@code timeout} from now on the caller's clock, after the
     * usual argument checks.
     *
     * @param timeout the timeout
     * @param what the argument's name, for the exception message
     * @return the deadline
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public static Deadline after(Duration timeout, String what) {
        return after(RuntimeCore.toNanos(timeout, what));
    }

    /**
     * The clock of the calling thread: its runtime's for a green thread, or for
     * a virtual thread a green thread of a deterministic runtime started (which
     * runs on that runtime's carrier: Waits.wheelOfCaller), else the system's.
     */
    static Clock callerClock() {
        GreenThread<?> g = GreenThread.current();
        if (g != null) {
            return g.runtime.timers.clock();
        }
        io.verdant.internal.timer.TimerWheel det = Waits.foreignDetWheel();
        return det != null ? det.clock() : Clock.SYSTEM;
    }

    /** @return true for {@link #NOW}: the operation must not wait */
    public boolean isNow() {
        return this == NOW;
    }

    /** @return true if this deadline never expires */
    public boolean isForever() {
        return at == Long.MAX_VALUE;
    }

    /** @return nanoseconds left (at most 0 once passed; Long.MAX_VALUE if never) */
    public long remaining() {
        if (at == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        if (clock == null) {
            return 0;
        }
        return at - clock.nanoTime();
    }

    /** @return true once the deadline has passed (always for NOW, never for FOREVER) */
    public boolean expired() {
        return remaining() <= 0;
    }

    /** @return the instant on this deadline's clock (Long.MAX_VALUE: never) */
    long at() {
        return at;
    }

    /** @return the clock this deadline is measured on; null for NOW and FOREVER */
    Clock clock() {
        return clock;
    }

    /** @return the timeout this deadline was made from, for messages ("timed out after ...") */
    public Duration timeout() {
        return Duration.ofNanos(Math.max(0, timeoutNanos));
    }

    @Override
    public String toString() {
        return this == NOW ? "Deadline[now]" : isForever() ? "Deadline[forever]" : "Deadline[" + timeout() + "]";
    }
}
