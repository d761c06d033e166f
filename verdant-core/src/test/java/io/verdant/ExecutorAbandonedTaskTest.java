package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CancellationException;
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
 * it. Before, the Future stayed incomplete for ever and {@code get()} hung.
 */
@Timeout(30)
class ExecutorAbandonedTaskTest {

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
        assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThatThrownBy(f::get).isInstanceOf(CancellationException.class));
    }
}
