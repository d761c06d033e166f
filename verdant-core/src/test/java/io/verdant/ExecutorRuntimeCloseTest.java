package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Closing the runtime shuts its executors down: as documented, the executor
 * then terminates (before, one nobody had shut down stayed RUNNING for ever:
 * isShutdown and isTerminated false although it rejected every task, and a
 * thread in awaitTermination waited out its whole timeout).
 */
@Timeout(60)
class ExecutorRuntimeCloseTest {

    /** Waits in awaitTermination on a platform thread; the future says what it returned. */
    private static CompletableFuture<Boolean> awaitOnPlatformThread(ExecutorService ex, Thread[] holder)
            throws InterruptedException {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().name("awaiter").start(() -> {
            try {
                result.complete(ex.awaitTermination(20, TimeUnit.SECONDS));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        holder[0] = t;
        while (t.getState() != Thread.State.TIMED_WAITING && !result.isDone()) {
            Thread.onSpinWait();
        }
        return result;
    }

    private static void stop(Thread[] holder) throws InterruptedException {
        if (holder[0] != null) {
            holder[0].interrupt();
            holder[0].join();
        }
    }

    @Test
    void closingTheRuntimeTerminatesAnExecutorWhoseTasksItCancelled() throws Exception {
        Thread[] awaiter = new Thread[1];
        Verdant rt = Verdant.start(Config.builder().workers(2).name("ex-close-1").build());
        try {
            ExecutorService ex = rt.executor();
            CountDownLatch started = new CountDownLatch(1);
            ex.submit(() -> {
                started.countDown();
                Green.sleep(Duration.ofMinutes(5));
                return null;
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Boolean> awaited = awaitOnPlatformThread(ex, awaiter);
            rt.close();
            assertThat(awaited.get(20, TimeUnit.SECONDS)).as("awaitTermination returned true").isTrue();
            assertThat(ex.isShutdown()).isTrue();
            assertThat(ex.isTerminated()).isTrue();
        } finally {
            rt.close();
            stop(awaiter);
        }
    }

    @Test
    void closingTheRuntimeTerminatesAnIdleExecutorAndWakesItsWaiter() throws Exception {
        Thread[] awaiter = new Thread[1];
        Verdant rt = Verdant.start(Config.builder().workers(2).name("ex-close-2").build());
        try {
            ExecutorService ex = rt.executor();
            assertThat(ex.submit(() -> 42).get(10, TimeUnit.SECONDS)).isEqualTo(42);
            CompletableFuture<Boolean> awaited = awaitOnPlatformThread(ex, awaiter);
            rt.close();
            assertThat(awaited.get(20, TimeUnit.SECONDS)).as("awaitTermination returned true").isTrue();
            assertThat(ex.isShutdown()).isTrue();
            assertThat(ex.isTerminated()).isTrue();

            ExecutorService later = rt.executor();
            assertThat(later.isShutdown()).as("an executor of a closed runtime").isTrue();
            assertThat(later.isTerminated()).isTrue();
            assertThat(later.awaitTermination(0, TimeUnit.SECONDS)).isTrue();
        } finally {
            rt.close();
            stop(awaiter);
        }
    }
}
