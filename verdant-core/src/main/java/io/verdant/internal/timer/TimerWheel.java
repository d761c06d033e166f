package io.verdant.internal.timer;

import io.verdant.internal.sched.Ticker;

import java.util.concurrent.locks.LockSupport;

/**
 * A hierarchical timing wheel: the one timer structure of a runtime, behind
 * {@code Green.sleep}, {@code GreenHandle.join(Duration)} and every timed wait
 * of channels, select and the mutex.
 *
 * <pre>
 * Overview (after the hashed hierarchical wheels of Varghese and Lauck, in the
 * form tokio's time driver uses)
 *   Time is counted in ticks of {@link #TICK_NANOS} since the wheel's origin.
 *   LEVELS levels of SLOTS slots; a slot of level l spans 64^l ticks, so level
 *   0 resolves single ticks and level 5 spans 64^6 ticks (2^36 ms, ~795 days).
 *   A timer due at tick d while the wheel has processed up to tick {@code elapsed}
 *   lives at the level of the highest 6-bit group in which d and elapsed
 *   differ, in slot (d >> 6*level) & 63. Each slot is an intrusive doubly linked
 *   list; {@code occupied[level]} has bit s set iff slot s is non-empty.
 *
 * Operations
 *   schedule  O(1): compute level and slot, link at the slot's head.
 *   cancel    O(1): unlink (the node knows its level and slot).
 *   advance   processes slots in deadline order up to now: the earliest
 *             occupied slot over all levels (one rotate + numberOfTrailingZeros
 *             per level) is taken whole; entries due by the slot's start fire,
 *             the others cascade to a lower level relative to the new elapsed.
 *             Each timer cascades at most LEVELS - 1 times.
 *   Timers further out than the top level spans are linked at the last tick it
 *   covers; when that slot comes up they cascade back into the top level
 *   (their deadline is still ahead), so they fire at their true deadline.
 *
 * Invariants (under lock)
 *   every linked node has deadline > elapsed and sits at levelFor(deadline);
 *   the slot holding elapsed at level 0 is empty after advance;
 *   a node is linked iff state == PENDING.
 *
 * Timer states (node.state; changed under lock only)
 *   PENDING -> FIRED      advance took it (its action runs after unlock)
 *   PENDING -> CANCELLED  cancel()
 *
 * Concurrency
 *   One monitor, {@code lock}, guards the whole structure: schedule and cancel
 *   come from any thread (green threads arming and disarming their waits),
 *   advance from the runtime's ticker. Critical sections are a few field
 *   writes; advance unlinks the due timers under the lock and runs their
 *   actions (unparks) after releasing it. A green thread that finds the
 *   monitor held briefly blocks in the JDK's monitor code like any
 *   {@code synchronized}; it is never held across a park or a user callback.
 *
 * Waking the ticker
 *   When every worker is idle the ticker sleeps until {@link #nanosToNextDeadline}.
 *   A schedule() that makes a new earliest deadline while the ticker is asleep
 *   must wake it: schedule links under lock, then calls {@code wakeTicker}
 *   (volatile read of the ticker's sleeping flag); the ticker publishes its
 *   sleeping flag before it computes the next deadline under the lock. Either
 *   the ticker's computation sees the new timer, or schedule sees the flag.
 *
 * Memory
 *   one {@link Timer} node (40 bytes with compressed oops) per armed wait,
 *   allocated when the wait arms and unreachable after it fires or is
 *   cancelled; the wheel itself is LEVELS x SLOTS references (a few KB).
 * </pre>
 */
public final class TimerWheel implements Ticker.Clockwork {
    /** 1 ms, the ticker's period: a timeout fires within about a tick after its
     * deadline (never before it). Finer ticks would cost the ticker CPU while
     * busy; this matches the scheduler's tick (not separately measured). */
    public static final long TICK_NANOS = 1_000_000L;
    static final int LEVEL_BITS = 6;
    static final int SLOTS = 1 << LEVEL_BITS;
    static final int LEVELS = 6;
    /** Largest tick distance representable: one full turn of the top level, minus one. */
    static final long MAX_TICKS = (1L << (LEVEL_BITS * LEVELS)) - 1;

    static final int PENDING = 0;
    static final int FIRED = 1;
    static final int CANCELLED = 2;

    private final Clock clock;
    private final long origin;
    private final Runnable wakeTicker;
    private final Object lock = new Object();
    private final Timer[][] slots = new Timer[LEVELS][SLOTS];
    private final long[] occupied = new long[LEVELS];
    /** Last tick processed; guarded by lock. */
    private long elapsed;
    /** Number of linked timers; guarded by lock, read racily for diagnostics. */
    private int size;

    /**
     * @param clock      the time source
     * @param wakeTicker called (outside the lock) after a schedule; wakes the
     *                   ticker if it is asleep so it re-reads the next deadline
     */
    public TimerWheel(Clock clock, Runnable wakeTicker) {
        this.clock = clock;
        this.origin = clock.nanoTime();
        this.wakeTicker = wakeTicker;
    }

    public Clock clock() {
        return clock;
    }

    /** A timer node: fires by unparking {@code thread}, or by running {@code action}. */
    public static final class Timer {
        final long deadlineTick;
        final Object target;
        Timer prev;
        Timer next;
        byte level;
        byte slot;
        /** Written under the wheel's lock; volatile so isFired needs no lock. */
        volatile byte state;

        Timer(long deadlineTick, Object target) {
            this.deadlineTick = deadlineTick;
            this.target = target;
        }

        void fire() {
            if (target instanceof Thread t) {
                LockSupport.unpark(t);
            } else {
                ((Runnable) target).run();
            }
        }
    }

    // ------------------------------------------------------------------ schedule / cancel

    /**
     * Any thread. Arms a timer that unparks {@code thread} at or after
     * {@code deadlineNanos} (this wheel's clock). A deadline already reached
     * unparks at once (and returns a fired node).
     */
    public Timer wakeAt(long deadlineNanos, Thread thread) {
        return schedule(deadlineNanos, thread);
    }

    /**
     * Any thread. Arms a timer that runs {@code action} on the ticker thread at
     * or after {@code deadlineNanos}. The action must be short and must not block.
     */
    public Timer runAt(long deadlineNanos, Runnable action) {
        return schedule(deadlineNanos, action);
    }

    private Timer schedule(long deadlineNanos, Object target) {
        long tick = ceilTick(deadlineNanos);
        Timer t = new Timer(tick, target);
        boolean linked;
        synchronized (lock) {
            linked = tick > elapsed;
            if (linked) {
                link(t);
            } else {
                t.state = FIRED;
            }
        }
        if (linked) {
            wakeTicker.run();
        } else {
            t.fire();
        }
        return t;
    }

    /** Any thread. Disarms {@code t}; true if it had not fired. Idempotent; null is ignored. */
    public boolean cancel(Timer t) {
        if (t == null) {
            return false;
        }
        synchronized (lock) {
            if (t.state != PENDING) {
                return false;
            }
            unlink(t);
            t.state = CANCELLED;
            return true;
        }
    }

    /** Any thread: true once {@code t} has fired. */
    public boolean isFired(Timer t) {
        return t.state == FIRED;
    }

    /** Timers armed and neither fired nor cancelled; a snapshot. */
    public int size() {
        synchronized (lock) {
            return size;
        }
    }

    // ------------------------------------------------------------------ advance (ticker)

    /**
     * Ticker thread only (or a deterministic driver). Fires every timer whose
     * deadline tick has been reached, in deadline order.
     */
    @Override
    public void advance() {
        long now = nowTick();
        Timer due = null;
        Timer dueTail = null;
        synchronized (lock) {
            if (size == 0) {
                if (now > elapsed) {
                    elapsed = now;
                }
                return;
            }
            while (true) {
                int level = -1;
                int slot = -1;
                long slotStart = Long.MAX_VALUE;
                for (int l = 0; l < LEVELS; l++) {
                    long occ = occupied[l];
                    if (occ == 0) {
                        continue;
                    }
                    int shift = LEVEL_BITS * l;
                    int nowSlot = (int) ((elapsed >>> shift) & (SLOTS - 1));
                    int s = (Long.numberOfTrailingZeros(Long.rotateRight(occ, nowSlot)) + nowSlot) & (SLOTS - 1);
                    long levelRange = 1L << (shift + LEVEL_BITS);
                    long start = (elapsed & ~(levelRange - 1)) + ((long) s << shift);
                    if (start < elapsed) {
                        // The slot is behind elapsed in this turn: it holds the next turn's timers.
                        start += levelRange;
                    }
                    if (start < slotStart) {
                        slotStart = start;
                        level = l;
                        slot = s;
                    }
                    // Higher levels only hold later slots than any lower level's earliest one,
                    // except at turn boundaries; checking them all is cheap (6 levels).
                }
                if (level < 0 || slotStart > now) {
                    break;
                }
                if (slotStart > elapsed) {
                    elapsed = slotStart;
                }
                Timer head = slots[level][slot];
                slots[level][slot] = null;
                occupied[level] &= ~(1L << slot);
                for (Timer t = head; t != null; ) {
                    Timer next = t.next;
                    t.prev = null;
                    t.next = null;
                    if (t.deadlineTick <= elapsed) {
                        size--;
                        t.state = FIRED;
                        if (dueTail == null) {
                            due = t;
                        } else {
                            dueTail.next = t;
                        }
                        dueTail = t;
                    } else {
                        size--;
                        link(t);
                    }
                    t = next;
                }
            }
            if (now > elapsed) {
                elapsed = now;
            }
        }
        while (due != null) {
            Timer next = due.next;
            due.next = null;
            try {
                due.fire();
            } catch (Throwable ignored) {
                // Actions are Verdant's own (unpark, flag writes); nothing to report to.
            }
            due = next;
        }
    }

    /**
     * Ticker thread. Nanoseconds until the earliest armed timer is due (at
     * least 1), or -1 if none is armed.
     */
    @Override
    public long nanosToNextDeadline() {
        synchronized (lock) {
            if (size == 0) {
                return -1;
            }
            long best = Long.MAX_VALUE;
            for (int l = 0; l < LEVELS; l++) {
                long occ = occupied[l];
                if (occ == 0) {
                    continue;
                }
                int shift = LEVEL_BITS * l;
                int nowSlot = (int) ((elapsed >>> shift) & (SLOTS - 1));
                int s = (Long.numberOfTrailingZeros(Long.rotateRight(occ, nowSlot)) + nowSlot) & (SLOTS - 1);
                long levelRange = 1L << (shift + LEVEL_BITS);
                long start = (elapsed & ~(levelRange - 1)) + ((long) s << shift);
                if (start < elapsed) {
                    start += levelRange;
                }
                best = Math.min(best, start);
            }
            long dueNanos = origin + best * TICK_NANOS;
            return Math.max(1L, dueNanos - clock.nanoTime());
        }
    }

    // ------------------------------------------------------------------ internals (under lock)

    private void link(Timer t) {
        long tick = Math.min(t.deadlineTick, elapsed + MAX_TICKS);
        long masked = (tick ^ elapsed) | (SLOTS - 1);
        int significant = 63 - Long.numberOfLeadingZeros(masked);
        int level = Math.min(significant / LEVEL_BITS, LEVELS - 1);
        int slot = (int) ((tick >>> (LEVEL_BITS * level)) & (SLOTS - 1));
        Timer head = slots[level][slot];
        t.next = head;
        t.prev = null;
        if (head != null) {
            head.prev = t;
        }
        slots[level][slot] = t;
        occupied[level] |= 1L << slot;
        t.level = (byte) level;
        t.slot = (byte) slot;
        size++;
    }

    private void unlink(Timer t) {
        int level = t.level;
        int slot = t.slot;
        if (t.prev != null) {
            t.prev.next = t.next;
        } else {
            slots[level][slot] = t.next;
            if (t.next == null) {
                occupied[level] &= ~(1L << slot);
            }
        }
        if (t.next != null) {
            t.next.prev = t.prev;
        }
        t.prev = null;
        t.next = null;
        size--;
    }

    private long nowTick() {
        return Math.floorDiv(clock.nanoTime() - origin, TICK_NANOS);
    }

    /** The first tick at or after {@code nanos}: a timer never fires early. */
    private long ceilTick(long nanos) {
        long d = nanos - origin;
        return d <= 0 ? 0 : (d + TICK_NANOS - 1) / TICK_NANOS;
    }
}
