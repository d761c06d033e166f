package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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
        GreenHandle<Void> holder = rt.spawn(() -> {
            Mutex.Guard<Integer> g = mutex.lock(Duration.ofSeconds(10));
            try {
                held.countDown();
                release.await();
            } finally {
                g.close();
            }
            return null;
        });
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        int[] overflows = new int[1];
        rt.run(() -> {
            new Object() {
                int deepest = -1;

                void dive(int depth) {
                    try {
                        dive(depth + 1);
                    } catch (StackOverflowError e) {
                        deepest = Math.max(deepest, depth);
                    }
                    // Near the end of the stack the park overflows, not the mutex's own code.
                    if (depth > deepest - 100 || depth < deepest - 2000 || (deepest - depth) % 20 != 0) {
                        return;
                    }
                    try {
                        mutex.lock(Duration.ofMillis(1)).close();
                        throw new AssertionError("the holder still holds it");
                    } catch (StackOverflowError e) {
                        overflows[0]++;
                    } catch (TimedOutException expected) {
                        // the normal end: the holder keeps it
                    }
                }
            }.dive(0);
            return null;
        });
        assertThat(overflows[0]).as("lock waits that overflowed").isPositive();
        assertThat(mutex.waiters()).as("waiters left queued").isZero();
        release.countDown();
        holder.join(Duration.ofSeconds(10));
        int got = rt.run(() -> {
            try (Mutex.Guard<Integer> g = mutex.lock(Duration.ofSeconds(5))) {
                g.set(g.get() + 1);
                return g.get();
            }
        });
        assertThat(got).isEqualTo(1);
        assertThat(mutex.isLocked()).isFalse();
    }
}
