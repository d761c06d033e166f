package io.verdant.internal.sync;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A test-and-CAS spin lock for critical sections of a few dozen instructions
 * that never park, call user code or allocate beyond a node: the lock of a
 * channel (which extends this class, so the lock word sits in the channel
 * object) and of a mutex's queue.
 *
 * <pre>
 * Protocol
 *   lock:   CAS 0 -> 1; on failure spin on an opaque read until it looks free,
 *           then CAS again. After SPINS failed rounds the waiter yields (a green
 *           thread yields its carrier to Verdant's scheduler, a platform thread
 *           to the OS) so a holder that was descheduled can finish.
 *   unlock: setRelease(0).
 * Memory ordering
 *   The successful CAS (volatile semantics) acquires; the release store in
 *   unlock publishes every write of the critical section to the next holder.
 * Not reentrant, not fair. Never park while holding it; wake-ups (unpark)
 * happen after unlock. Any thread.
 * Overflow
 *   Near the end of a stack (an operation deep in a runaway recursion) the call
 *   of unlock() in a critical section's finally can throw StackOverflowError
 *   although the call of lock() from the same frame did not (seen in
 *   ChannelStackOverflowTest: a catch inside unlock() caught nothing in two
 *   failing runs, so the error came at its entry; most likely the overflow in
 *   the critical section's body sent the frame to the interpreter, in a larger
 *   frame). Nothing was stored, so the lock
 *   stayed held for ever and every later operation on the structure spun. A
 *   holder catches that error around unlock() and stores 0 into {@link #lock}
 *   itself: a volatile store makes no call, so it cannot overflow, and it is at
 *   least as strong as the release; only that path pays its fence. The holder
 *   then goes on as if unlock() had returned (its critical section completed).
 * </pre>
 */
public class SpinLock {
    /** Spins before yielding: about the length of one critical section. Chosen, not measured. */
    private static final int SPINS = 64;

    /**
     * 0 free, 1 held. Written directly, by a volatile store, only by a holder whose
     * call of {@link #unlock()} overflowed the stack (see "Overflow"). Public for
     * SelectCore, which holds several channels' locks from its own frame (it is no
     * subclass); this package is not exported.
     */
    public volatile int lock;

    /** An unlocked lock. */
    public SpinLock() {
    }

    /** Acquires the lock, spinning then yielding while another thread holds it. Any thread. */
    public final void lock() {
        if (!casLock(0, 1)) {
            slowLock();
        }
    }

    /**
     * Acquires the lock only if it is free now: never spins, never yields. Any
     * thread; on true the caller holds the lock and must unlock it.
     *
     * @return true if the lock was acquired
     */
    public final boolean tryLock() {
        return lockOpaque() == 0 && casLock(0, 1);
    }

    private void slowLock() {
        int spins = 0;
        for (;;) {
            if (lockOpaque() == 0 && casLock(0, 1)) {
                return;
            }
            if (++spins < SPINS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** Releases the lock. The holder only. */
    public final void unlock() {
        setLockRelease(0);
    }

    // ------------------------------------------------------------------ accessors, named by access mode

    /** Any thread: acquires on success (volatile CAS). */
    private boolean casLock(int expect, int update) {
        return LOCK.compareAndSet(this, expect, update);
    }

    /** Any thread, while spinning: opaque suffices, the CAS that follows is what acquires. */
    private int lockOpaque() {
        return (int) LOCK.getOpaque(this);
    }

    /** The holder: publishes the critical section's writes to the next holder. */
    private void setLockRelease(int v) {
        LOCK.setRelease(this, v);
    }

    private static final VarHandle LOCK;
    static {
        try {
            LOCK = MethodHandles.lookup().findVarHandle(SpinLock.class, "lock", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
