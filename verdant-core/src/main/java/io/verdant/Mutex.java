package io.verdant;

import io.verdant.internal.Deadline;
import io.verdant.internal.RuntimeCore;
import io.verdant.internal.Waits;
import io.verdant.internal.sync.MutexCore;

import java.time.Duration;
import java.util.Optional;

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
 *     So does a green thread its runtime abandoned at close (still running when
 *     {@code close()} gave up waiting for it): it never ended, so it still holds
 *     the mutex, and waiters from elsewhere time out. A green thread abandoned
 *     while it waited in {@code lock} leaves the queue (the mutex is never passed
 *     to it).
 * <li>Cancellation: a cancelled or interrupted caller of {@code lock} gets
 *     {@link CancelledException} (on entry or while waiting) and holds nothing.
 * </ul>
 * Works from green threads (parks the green thread, never the carrier) and
 * platform threads.
 *
 * <h2>Memory consistency effects</h2>
 * As with {@link java.util.concurrent.locks.Lock}: actions of a holder prior to
 * releasing the mutex (closing its {@link Guard}, or ending while holding it)
 * <i>happen-before</i> actions subsequent to the next successful
 * {@link #lock(Duration)} or {@link #tryLock()} in another thread, including a
 * {@code lock} granted just as its timeout passed (it returns the guard). So
 * the guarded value needs no synchronization of its own while it is only
 * reached through guards.
 *
 * @param <T> the guarded value's type
 */
public final class Mutex<T> {
    // The lock itself (spin lock, FIFO waiter queue, hand-off, poisoning) is
    // io.verdant.internal.sync.MutexCore; its design notes are there.

    private T value;
    private final MutexCore core = new MutexCore(this);

    static {
        // Lets wait reasons and dumps see the lock behind a Mutex parked on (its holder, its id).
        io.verdant.internal.obs.WaitReasons.registerMutex(Mutex.class, m -> ((Mutex<?>) m).core);
    }

    /**
     * A mutex guarding {@code value}.
     *
     * @param value the initial guarded value (may be null)
     */
    public Mutex(T value) {
        this.value = value;
    }

    /**
     * Acquires the mutex, waiting at most {@code timeout} behind the threads
     * already waiting.
     *
     * @param timeout how long to wait at most; zero acquires only if free
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
        return switch (core.lock(Deadline.after(nanos))) {
            case ACQUIRED -> new Held();
            case HELD_BY_CALLER -> throw alreadyHeld("Mutex.lock");
            case BUSY, TIMED_OUT -> throw new TimedOutException("Mutex.lock timed out after " + timeout);
            case CANCELLED -> throw Waits.cancelledException("Mutex.lock");
        };
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
        io.verdant.internal.Safepoints.point("Mutex.tryLock");
        return switch (core.lock(Deadline.NOW)) {
            case ACQUIRED -> Optional.of(new Held());
            case HELD_BY_CALLER -> throw alreadyHeld("Mutex.tryLock");
            case BUSY, TIMED_OUT, CANCELLED -> Optional.empty();
        };
    }

    /**
     * Tells whether some thread holds the mutex; a snapshot.
     *
     * @return true if the mutex is held
     */
    public boolean isLocked() {
        return core.owner() != null;
    }

    /**
     * Tells whether a holder ended without unlocking and no holder has cleared it since; a snapshot.
     *
     * @return true if the mutex is poisoned
     */
    public boolean isPoisoned() {
        return core.poisoned();
    }

    /**
     * Threads waiting in {@link #lock(Duration)}; a snapshot.
     *
     * @return the number of waiting threads
     */
    public int waiters() {
        return core.waiters();
    }

    @Override
    public String toString() {
        Thread o = core.owner();
        return "Mutex[" + (o == null ? "free" : "held by " + o) + (core.poisoned() ? ", poisoned]" : "]");
    }

    private static IllegalStateException alreadyHeld(String op) {
        return new IllegalStateException(op + ": the calling thread already holds this mutex ("
                + Thread.currentThread() + ")");
    }

    /**
     * Proof of holding the mutex: access to the value, and {@link #close()} to
     * unlock. Owner thread only.
     *
     * @param <T> the guarded value's type
     */
    public interface Guard<T> extends AutoCloseable {
        /**
         * The guarded value.
         *
         * @return the value
         * @throws IllegalStateException if the guard is closed or used by another thread
         */
        T get();

        /**
         * Replaces the guarded value.
         *
         * @param value the new value (may be null)
         * @throws IllegalStateException if the guard is closed or used by another thread
         */
        void set(T value);

        /**
         * Tells whether an earlier holder ended while holding the mutex (the value may be inconsistent).
         *
         * @return true if the mutex is poisoned
         * @throws IllegalStateException if the guard is closed or used by another thread
         */
        boolean poisoned();

        /**
         * Clears the poisoned mark (after the value has been checked or repaired).
         *
         * @throws IllegalStateException if the guard is closed or used by another thread
         */
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
            return core.poisoned();
        }

        @Override
        public void clearPoison() {
            check();
            core.clearPoison();
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            if (!core.heldByCaller()) {
                throw new IllegalStateException("a Mutex guard must be closed by the thread that locked it");
            }
            closed = true;
            core.unlock();
            // A scheduling point after the release: a waiter handed the lock may run first.
            io.verdant.internal.Safepoints.point("Mutex.unlock");
        }

        private void check() {
            if (closed || !core.heldByCaller()) {
                throw new IllegalStateException("this guard is closed or belongs to another thread");
            }
        }
    }
}
