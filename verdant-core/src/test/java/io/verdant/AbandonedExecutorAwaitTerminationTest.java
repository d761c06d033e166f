package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Green threads waiting in {@code awaitTermination} of another runtime's
 * long-lived executor, abandoned by their own runtime's close (its only
 * carrier held, so they never run again): the executor and its runtime do not
 * keep them. Before, each stayed among the executor's waiters and left a
 * closing listener on the executor's runtime until the executor terminated.
 */
@Timeout(60)
class AbandonedExecutorAwaitTerminationTest {
    private static final int WAITERS = 200;

    @Test
    void anExecutorDoesNotKeepAwaitTerminationCallersTheirRuntimeAbandoned() throws Exception {
        Verdant b = Verdant.start(Config.builder().workers(1).name("long-lived-executor").build());
        try {
            ExecutorService executor = b.executor();
            AbandonedWaiters.assertCollected(AbandonedWaiters.abandon("abandoned-awaiters", WAITERS,
                            () -> executor.awaitTermination(50, TimeUnit.SECONDS)),
                    "abandoned awaitTermination callers still reachable while the executor lives");
            assertThat(executor.isTerminated()).isFalse();
            // A waiter still alive is woken by the close of the executor's runtime as before.
            CountDownLatch waiting = new CountDownLatch(1);
            Thread live = Thread.ofPlatform().start(() -> {
                waiting.countDown();
                try {
                    executor.awaitTermination(50, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
            b.close();
            live.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(live.isAlive()).isFalse();
            assertThat(executor.isTerminated()).isTrue();
        } finally {
            b.close();
        }
    }
}
