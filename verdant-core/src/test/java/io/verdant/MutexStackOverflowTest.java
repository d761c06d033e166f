package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A green thread whose stack overflows while it waits for a {@link Mutex} (a
 * lock near the end of a runaway recursion, whose park needs more stack than
 * is left) fails on its own: it leaves the mutex's queue, so the mutex is never
 * granted to it after it is gone, and the next thread gets it.
 */
@Timeout(60)
class MutexStackOverflowTest {

    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("mutex-soe").build());
    }

    @AfterEach
    void close() {
        rt.close();
    }

    @Test
    void aLockWaitThatOverflowsLeavesTheQueueAndTheMutexGoesToTheNextThread() throws Exception {
        Mutex<Integer> mutex = new Mutex<>(0);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        GreenHandle<Void> holder = spawnHolder(rt, mutex, held, release);
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        IntConsumer lock = i -> {
            mutex.lock(Duration.ofMillis(1)).close();
            throw new AssertionError("the holder still holds it");
        };
        NearStackEnd.Counts ends = rt.run(() -> NearStackEnd.call(lock));
        assertThat(ends.overflows).as("lock waits that overflowed").isPositive();
        assertThat(ends.firstOther).isNull();
        assertThat(mutex.waiters()).as("waiters left queued").isZero();
        release.countDown();
        holder.join(Duration.ofSeconds(10));
        int got = rt.run(() -> {
            try (Mutex.Guard<Integer> g = mutex.lock(Duration.ofSeconds(20))) {
                g.set(g.get() + 1);
                return g.get();
            }
        });
        assertThat(got).isEqualTo(1);
        assertThat(mutex.isLocked()).isFalse();
    }

    /**
     * Locks and unlocks of a free mutex that overflow at every depth near the end
     * of the stack leave the mutex's spin lock free and the mutex lockable. The
     * call releasing the spin lock can overflow where the one taking it did not
     * (SpinLock, "Overflow"); the spin lock then stayed held for ever and every
     * later operation on the mutex spun. Ten rounds, each with a new mutex on a
     * new runtime of two carriers.
     */
    @Test
    void locksAndUnlocksThatOverflowAtEveryDepthLeaveTheSpinLockFree() {
        for (int round = 0; round < 10; round++) {
            Mutex<Integer> mutex = new Mutex<>(0);
            try (Verdant two = Verdant.start(Config.builder().workers(2).name("mutex-soe-3").build())) {
                IntConsumer lockUnlock = i -> {
                    try (Mutex.Guard<Integer> g = mutex.lock(Duration.ofMillis(1))) {
                        g.set(i);
                    }
                };
                NearStackEnd.Counts ends = two.run(() -> NearStackEnd.call(1, 1, 2000, lockUnlock));
                assertThat(ends.overflows).as("round %d: locks or unlocks that overflowed", round).isPositive();
                // The thread that made them has ended (run returned): a hold it kept was
                // released at its end. A plain try, which never spins, tells.
                assertThat(TestAccess.mutexSpinLockFree(mutex)).as("round %d: spin lock free", round).isTrue();
                assertThat(mutex.waiters()).as("round %d: wait nodes left queued", round).isZero();
                assertThat(freshThreadLocks(two, mutex)).as("round %d: a fresh thread locks the mutex", round).isTrue();
            }
        }
    }

    /**
     * Lock waits that overflow at every depth near the end of the stack (not
     * every 20th frame) leave no wait node queued, so the holder's release does
     * not grant the mutex to a thread that is gone, and a fresh thread locks it.
     * The overflow can come anywhere between queueing the node and leaving the
     * queue, also at the entry of a call on the abort path. Six rounds, each with
     * a new mutex on a new runtime of two carriers, as the depths at which the
     * calls overflow move with what is compiled.
     */
    @Test
    void lockWaitsThatOverflowAtEveryDepthLeaveNoNodeAndTheMutexFree() throws Exception {
        for (int round = 0; round < 6; round++) {
            Mutex<Integer> mutex = new Mutex<>(0);
            try (Verdant two = Verdant.start(Config.builder().workers(2).name("mutex-soe-2").build())) {
                CountDownLatch held = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                GreenHandle<Void> holder = spawnHolder(two, mutex, held, release);
                assertThat(held.await(20, TimeUnit.SECONDS)).as("round %d: holder locked", round).isTrue();
                IntConsumer lock = i -> {
                    mutex.lock(Duration.ofMillis(1)).close();
                    throw new AssertionError("the holder still holds it");
                };
                NearStackEnd.Counts ends = two.run(() -> NearStackEnd.call(1, 1, 2000, lock));
                assertThat(ends.overflows).as("round %d: lock waits that overflowed", round).isPositive();
                assertThat(ends.firstOther).as("round %d: other failure", round).isNull();
                // Every wait has ended (run returned) and the holder still holds the mutex:
                // the mutex's spin lock must be free (a plain try, which never spins, tells)
                // and no node may be queued.
                assertThat(TestAccess.mutexSpinLockFree(mutex)).as("round %d: spin lock free", round).isTrue();
                assertThat(mutex.waiters()).as("round %d: wait nodes left queued", round).isZero();
                release.countDown();
                holder.join(Duration.ofSeconds(20));
                assertThat(freshThreadLocks(two, mutex)).as("round %d: a fresh thread locks the mutex", round).isTrue();
                assertThat(mutex.isLocked()).as("round %d: locked after all ended", round).isFalse();
            }
        }
    }

    /** Spawns on {@code rt} a thread that locks {@code mutex}, counts {@code held} down and keeps it until {@code release}. */
    private static GreenHandle<Void> spawnHolder(Verdant rt, Mutex<Integer> mutex, CountDownLatch held,
                                                 CountDownLatch release) {
        return rt.spawn(() -> {
            Mutex.Guard<Integer> g = mutex.lock(Duration.ofSeconds(10));
            try {
                held.countDown();
                release.await();
            } finally {
                g.close();
            }
            return null;
        });
    }

    /** Whether a fresh green thread of {@code rt} locks {@code mutex} within 10 s. */
    private static boolean freshThreadLocks(Verdant rt, Mutex<Integer> mutex) {
        return rt.run(() -> {
            try (Mutex.Guard<Integer> _ = mutex.lock(Duration.ofSeconds(10))) {
                return true;
            } catch (TimedOutException e) {
                return false;
            }
        });
    }
}
