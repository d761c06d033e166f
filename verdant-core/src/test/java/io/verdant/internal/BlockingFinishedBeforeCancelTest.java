package io.verdant.internal;

import io.verdant.CancelledException;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.Verdant;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.ThreadPoolExecutor;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code Green.blocking} caller that read its work as still running, and
 * then (before its cancellation check) saw the work finish and an interrupt
 * arrive, returns the finished work's result, the interrupt left set. Before,
 * it threw CancelledException and the result was dropped. The interleaving is
 * forced at the fault site BLOCKING_CALL_WAITING. Needs
 * -Dio.verdant.internal.faults=true.
 */
@Timeout(30)
class BlockingFinishedBeforeCancelTest {

    @AfterEach
    void removeHook() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aResultFinishedBeforeTheInterruptIsReturned() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch returning = new CountDownLatch(1);
        AtomicBoolean once = new AtomicBoolean();
        SchedulerTestAccess.atSites((w, site) -> {
            // The hook is JVM-wide: only this runtime's caller (on its carrier) takes it.
            if (!site.equals("BLOCKING_CALL_WAITING") || w == null || !w.getName().startsWith("blocking-finished-carrier-")
                    || !once.compareAndSet(false, true)) {
                return;
            }
            release.countDown();
            try {
                assertThat(returning.await(10, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            // The pool thread counts the call completed after it marked it done.
            ThreadPoolExecutor pool = executor(GreenThread.current().runtime().blockingPool);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (pool.getCompletedTaskCount() == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            Thread.currentThread().interrupt();
        });
        try (Verdant rt = Verdant.start(Config.builder().workers(1).blockingThreads(1).name("blocking-finished").build())) {
            Object outcome = rt.spawn(() -> {
                try {
                    return Green.blocking(() -> {
                        release.await();
                        returning.countDown();
                        return "result";
                    });
                } catch (CancelledException e) {
                    return e;
                } finally {
                    assertThat(Thread.interrupted()).as("the interrupt status stays set").isTrue();
                }
            }).join();
            assertThat(outcome).isEqualTo("result");
        } finally {
            release.countDown();
        }
    }

    private static ThreadPoolExecutor executor(BlockingPool pool) {
        try {
            java.lang.reflect.Field f = BlockingPool.class.getDeclaredField("executor");
            f.setAccessible(true);
            return (ThreadPoolExecutor) f.get(pool);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
