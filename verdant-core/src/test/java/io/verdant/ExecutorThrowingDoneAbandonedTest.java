package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A user FutureTask whose done() throws, given to {@code execute} and abandoned
 * by the runtime's close (it ignored its cancellation): the executor still
 * terminates. Before, cancelling the abandoned task threw out of done() before
 * the task was counted as ended, and awaitTermination never returned true.
 */
@Timeout(30)
class ExecutorThrowingDoneAbandonedTest {

    @Test
    void executorTerminatesAfterAbandonedTaskWhoseDoneThrows() throws Exception {
        Verdant rt = Verdant.start(Config.builder().workers(1).name("ex-throwing-done")
                .shutdownTimeout(Duration.ofMillis(200)).build());
        ExecutorService ex;
        FutureTask<Object> task;
        try {
            ex = rt.executor();
            CountDownLatch started = new CountDownLatch(1);
            task = new FutureTask<>(() -> {
                started.countDown();
                for (;;) {
                    try {
                        Green.sleep(Duration.ofMinutes(5));
                    } catch (CancelledException deaf) {
                        Thread.interrupted();
                        LockSupport.park(); // never woken: the runtime abandons it
                    }
                }
            }) {
                @Override
                protected void done() {
                    throw new IllegalStateException("done() of a user task threw");
                }
            };
            ex.execute(task);
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            rt.close();
        }
        assertThat(task.isCancelled()).isTrue();
        assertThat(ex.isShutdown()).isTrue();
        assertThat(ex.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        assertThat(ex.isTerminated()).isTrue();
    }
}
