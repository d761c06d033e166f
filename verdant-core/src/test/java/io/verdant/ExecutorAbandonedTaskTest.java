package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A task of {@code rt.executor()} whose green thread the runtime's close
 * abandoned (it ignored the cancellation past the shutdown timeout) never
 * runs again: its Future is cancelled, as the handle of that thread reports
 * it. Before, the Future stayed incomplete for ever and {@code get()} hung,
 * as did {@code invokeAll} and {@code invokeAny} over such tasks (invokeAny
 * waits on its own wrapper of each task).
 */
@Timeout(60)
class ExecutorAbandonedTaskTest {

    /** A task that ignores its cancellation: close abandons its thread. */
    private static Callable<Object> deaf(CountDownLatch started) {
        return () -> {
            started.countDown();
            for (;;) {
                try {
                    Green.sleep(Duration.ofMinutes(5));
                } catch (CancelledException deaf) {
                    Thread.interrupted();
                    LockSupport.park(); // never woken: the runtime abandons it
                }
            }
        };
    }

    /** invokeAny/invokeAll on a platform thread, over deaf tasks; returns what the call threw. */
    private static Throwable invokeDuringClose(boolean any) throws Exception {
        Verdant rt = Verdant.start(Config.builder().workers(1).name("ex-abandon-invoke")
                .shutdownTimeout(Duration.ofMillis(200)).build());
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread caller = null;
        try {
            ExecutorService ex = rt.executor();
            CountDownLatch started = new CountDownLatch(2);
            List<Callable<Object>> tasks = List.of(deaf(started), deaf(started));
            caller = Thread.ofPlatform().name("invoker").start(() -> {
                try {
                    if (any) {
                        ex.invokeAny(tasks);
                    } else {
                        for (Future<Object> f : ex.invokeAll(tasks)) {
                            f.get();
                        }
                    }
                    outcome.complete(new AssertionError("returned"));
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            rt.close();
        }
        try {
            return outcome.get(20, TimeUnit.SECONDS);
        } finally {
            caller.interrupt();
            caller.join();
        }
    }

    @Test
    void invokeAnyOverTasksAbandonedByCloseReturns() throws Exception {
        assertThat(invokeDuringClose(true)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(CancellationException.class);
    }

    @Test
    void invokeAllOverTasksAbandonedByCloseReturns() throws Exception {
        assertThat(invokeDuringClose(false)).isInstanceOf(CancellationException.class);
    }

    @Test
    void theFutureOfATaskAbandonedByCloseIsCancelled() throws Exception {
        Verdant rt = Verdant.start(Config.builder().workers(1).name("ex-abandon")
                .shutdownTimeout(Duration.ofMillis(200)).build());
        Future<Object> f;
        try {
            ExecutorService ex = rt.executor();
            CountDownLatch started = new CountDownLatch(1);
            f = ex.submit(() -> {
                started.countDown();
                for (;;) {
                    try {
                        Green.sleep(Duration.ofMinutes(5));
                    } catch (CancelledException deaf) {
                        Thread.interrupted();
                        LockSupport.park(); // never woken: the runtime abandons it
                    }
                }
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            rt.close();
        }
        assertThat(f.isDone()).isTrue();
        assertThat(f.isCancelled()).isTrue();
        assertThat(f.state()).isEqualTo(Future.State.CANCELLED);
        assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThatThrownBy(f::get).isInstanceOf(CancellationException.class));
    }
}
