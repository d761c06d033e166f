package io.verdant;

import io.verdant.internal.OwnedLock;
import io.verdant.internal.RuntimeCore;
import io.verdant.internal.Waits;
import io.verdant.internal.timer.TimerWheel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * A mutual-exclusion lock that guards a value, with mandatory timeouts and
 * strict FIFO hand-off.
 *
 * <pre>{@code
 * Mutex<List<String>> names = new Mutex<>(new ArrayList<>());
 * try (Mutex.Guard<List<String>> g = names.lock(Duration.ofMillis(100))) {
 *     g.get().add("ada");
 * }
 * }</pre>
 *
 * <h2>Contract</h2>
 * <ul>
 * <li>{@link #lock(Duration)} is the only way to wait: there is no lock without a
 *     timeout. It throws {@link TimedOutException} when the time is up; the
 *     caller then holds nothing and the other waiters keep their places.
 * <li>{@link #tryLock()} never waits: an empty {@code Optional} if the mutex is held or has waiters.
 * <li>Strict FIFO: waiters get the lock in arrival order; an unlock hands it
 *     directly to the longest waiter, and a newcomer never barges past a waiter.
 * <li>Locking a mutex the caller already holds throws {@link IllegalStateException}
 *     (an error, not a deadlock). The guard must be closed by the thread that
 *     locked; closing it twice is harmless.
 * <li>Poisoning: if a green thread ends (returns or throws) while holding the
 *     mutex, the mutex is released to the next waiter and marked poisoned: every
 *     later guard reports {@link Guard#poisoned()} until a holder calls
 *     {@link Guard#clearPoison()} after repairing the value. A platform thread that
 *     dies holding it leaves it held (the JVM gives no hook); waiters then time out.
 * <li>Cancellation: a cancelled or interrupted caller of {@code lock} gets
 *     {@link CancelledException} (on entry or while waiting) and holds nothing.
 * </ul>
 * Works from green threads (parks the green thread, never the carrier) and
 * platform threads.
 *
 * <pre>
 * Design
 *   A spin lock (state word {@code spin}) guards owner, poisoned and the FIFO queue
 *   of waiter nodes; sections are a few field writes and never park.
 *   lock:    owner == null (then the queue is empty: unlock never leaves the
 *            mutex free while someone waits) -> take it; else append a node,
 *            park until node.state == GRANTED, or until timeout/cancellation:
 *            then, under the spin lock, remove the node unless it was granted
 *            meanwhile (then the lock is ours: kept on timeout, passed on and
 *            reported on cancellation).
 *   unlock:  under the spin lock, pop the first node, make its thread the owner,
 *            set GRANTED (volatile); unpark it after releasing the spin lock.
 *   The guarded value is only touched by the owner; ownership passes through
 *   the spin lock and the volatile node state, which orders the previous
 *   owner's writes before the next owner's reads.
 * </pre>
 *
 * @param <T> the guarded value's type
 */
public final class Mutex<T> {
    /** Spins before yielding on the internal spin lock (as in channels). Chosen, not measured. */
    private static final int SPINS = 64;
    private static final Object BLOCKER = "Mutex.lock";

    private T value;
    private final Core core = new Core();

    /** A mutex guarding {@code value} (may be null). */
    public Mutex(T value) {
        this.value = value;
    }

    /**
     * Acquires the mutex, waiting at most {@code timeout} behind the threads
     * already waiting.
     *
     * @return the guard; close it to unlock
     * @throws TimedOutException if the time ran out (nothing is held; the queue is unchanged)
     * @throws IllegalStateException if the caller already holds this mutex
     * @throws CancelledException if the caller is cancelled or interrupted
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws NullPointerException if {@code timeout} is null
     */
    public Guard<T> lock(Duration timeout) {
        long nanos = RuntimeCore.toNanos(timeout, "timeout");
        Waits.enter("Mutex.lock");
        Thread me = Thread.currentThread();
        Waiter node;
        core.spinLock();
        try {
            if (core.owner == me) {
                throw new IllegalStateException("Mutex.lock: the calling thread already holds this mutex (" + me + ")");
            }
            if (core.owner == null) {
                core.owner = me;
                node = null;
            } else if (nanos == 0) {
                throw timedOut(timeout);
            } else {
                node = new Waiter(me);
                core.append(node);
            }
        } finally {
            core.spinUnlock();
        }
        if (node == null) {
            return acquired();
        }
        long deadline = Waits.deadline(nanos);
        TimerWheel.Timer timer = null;
        try {
            for (;;) {
                if (node.granted) {
                    return acquired();
                }
                boolean cancelled = Waits.cancelled();
                if (cancelled || Waits.remaining(deadline) <= 0) {
                    boolean granted;
                    core.spinLock();
                    try {
                        granted = node.granted;
                        if (!granted) {
                            core.remove(node);
                        }
                    } finally {
                        core.spinUnlock();
                    }
                    if (!granted) {
                        throw cancelled ? Waits.cancelledException("Mutex.lock") : timedOut(timeout);
                    }
                    if (cancelled) {
                        core.release(me, false);
                        throw Waits.cancelledException("Mutex.lock");
                    }
                    return acquired();
                }
                timer = Waits.park(BLOCKER, deadline, timer);
            }
        } finally {
            Waits.disarm(timer);
        }
    }

    /**
     * Acquires the mutex if it is free and nobody waits; never waits.
     *
     * <pre>{@code
     * try (Mutex.Guard<T> g = m.tryLock().orElse(null)) {   // a null resource is skipped
     *     if (g != null) { ... }
     * }
     * }</pre>
     *
     * @return the guard, or empty if the mutex is held or has waiters
     * @throws IllegalStateException if the caller already holds this mutex
     */
    public Optional<Guard<T>> tryLock() {
        Thread me = Thread.currentThread();
        core.spinLock();
        try {
            if (core.owner == me) {
                throw new IllegalStateException("Mutex.tryLock: the calling thread already holds this mutex (" + me + ")");
            }
            if (core.owner != null) {
                return Optional.empty();
            }
            core.owner = me;
        } finally {
            core.spinUnlock();
        }
        return Optional.of(acquired());
    }

    /** True if some thread holds the mutex; a snapshot. */
    public boolean isLocked() {
        return core.owner != null;
    }

    /** True if a holder ended without unlocking and no holder has cleared it since; a snapshot. */
    public boolean isPoisoned() {
        return core.poisoned;
    }

    /** Threads waiting in {@link #lock(Duration)}; a snapshot. */
    public int waiters() {
        core.spinLock();
        try {
            return core.waiting;
        } finally {
            core.spinUnlock();
        }
    }

    @Override
    public String toString() {
        Thread o = core.owner;
        return "Mutex[" + (o == null ? "free" : "held by " + o) + (core.poisoned ? ", poisoned]" : "]");
    }

    private Guard<T> acquired() {
        OwnedLock.recordHeld(core);
        return new Held();
    }

    private static TimedOutException timedOut(Duration timeout) {
        return new TimedOutException("Mutex.lock timed out after " + timeout);
    }

    /**
     * Proof of holding the mutex: access to the value, and {@link #close()} to
     * unlock. Owner thread only.
     */
    public interface Guard<T> extends AutoCloseable {
        /** The guarded value. */
        T get();

        /** Replaces the guarded value. */
        void set(T value);

        /** True if an earlier holder ended while holding the mutex (the value may be inconsistent). */
        boolean poisoned();

        /** Clears the poisoned mark (after the value has been checked or repaired). */
        void clearPoison();

        /**
         * Unlocks, handing the mutex to the longest waiter. Idempotent.
         *
         * @throws IllegalStateException if called by a thread other than the holder
         */
        @Override
        void close();
    }

    private final class Held implements Guard<T> {
        private boolean closed;

        @Override
        public T get() {
            check();
            return value;
        }

        @Override
        public void set(T v) {
            check();
            value = v;
        }

        @Override
        public boolean poisoned() {
            check();
            return core.poisoned;
        }

        @Override
        public void clearPoison() {
            check();
            core.poisoned = false;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            if (core.owner != Thread.currentThread()) {
                throw new IllegalStateException("a Mutex guard must be closed by the thread that locked it");
            }
            closed = true;
            OwnedLock.recordReleased(core);
            core.release(Thread.currentThread(), false);
        }

        private void check() {
            if (closed || core.owner != Thread.currentThread()) {
                throw new IllegalStateException("this guard is closed or belongs to another thread");
            }
        }
    }

    private static final class Waiter {
        final Thread thread;
        volatile boolean granted;
        Waiter prev;
        Waiter next;
        boolean queued;

        Waiter(Thread thread) {
            this.thread = thread;
        }
    }

    /** The lock state; an {@link OwnedLock} so a dying green holder releases and poisons it. */
    private static final class Core extends OwnedLock {
        @SuppressWarnings("unused") private volatile int spin;
        /** Written under the spin lock; volatile for the snapshot readers. */
        volatile Thread owner;
        volatile boolean poisoned;
        private Waiter head;
        private Waiter tail;
        int waiting;

        @Override
        protected void releaseByDeadOwner(Thread ownerThread) {
            release(ownerThread, true);
        }

        /** The owner: passes the mutex to the first waiter, or frees it. */
        void release(Thread me, boolean poison) {
            Waiter next;
            spinLock();
            try {
                if (owner != me) {
                    return;
                }
                if (poison) {
                    poisoned = true;
                }
                next = head;
                if (next != null) {
                    remove(next);
                    owner = next.thread;
                    next.granted = true;
                } else {
                    owner = null;
                }
            } finally {
                spinUnlock();
            }
            if (next != null) {
                LockSupport.unpark(next.thread);
            }
        }

        void append(Waiter w) {
            w.queued = true;
            w.prev = tail;
            if (tail == null) {
                head = w;
            } else {
                tail.next = w;
            }
            tail = w;
            waiting++;
        }

        void remove(Waiter w) {
            if (!w.queued) {
                return;
            }
            w.queued = false;
            if (w.prev == null) {
                head = w.next;
            } else {
                w.prev.next = w.next;
            }
            if (w.next == null) {
                tail = w.prev;
            } else {
                w.next.prev = w.prev;
            }
            w.prev = null;
            w.next = null;
            waiting--;
        }

        void spinLock() {
            if (!SPIN.compareAndSet(this, 0, 1)) {
                int spins = 0;
                for (;;) {
                    if ((int) SPIN.getOpaque(this) == 0 && SPIN.compareAndSet(this, 0, 1)) {
                        return;
                    }
                    if (++spins < SPINS) {
                        Thread.onSpinWait();
                    } else {
                        Thread.yield();
                    }
                }
            }
        }

        void spinUnlock() {
            SPIN.setRelease(this, 0);
        }
    }

    private static final VarHandle SPIN;
    static {
        try {
            SPIN = MethodHandles.privateLookupIn(Core.class, MethodHandles.lookup())
                    .findVarHandle(Core.class, "spin", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
