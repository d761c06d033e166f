package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    private static volatile boolean release;

    @Test
    void anExecutorDoesNotKeepAwaitTerminationCallersTheirRuntimeAbandoned() throws Exception {
        release = false;
        Verdant b = Verdant.start(Config.builder().workers(1).name("long-lived-executor").build());
        try {
            ExecutorService executor = b.executor();
            List<WeakReference<Thread>> waiters = abandonWaiters(executor);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (waiters.stream().anyMatch(r -> r.get() != null) && System.nanoTime() < until) {
                System.gc();
                Thread.sleep(10);
            }
            assertThat(waiters.stream().filter(r -> r.get() != null).count())
                    .as("abandoned awaitTermination callers still reachable while the executor lives").isZero();
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
            release = true;
            b.close();
        }
    }

    /** WAITERS green threads of a runtime closed while they wait in executor.awaitTermination; weakly. */
    private static List<WeakReference<Thread>> abandonWaiters(ExecutorService executor) throws Exception {
        List<WeakReference<Thread>> threads = new ArrayList<>();
        Verdant a = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name("abandoned-awaiters")
                .shutdownTimeout(Duration.ofMillis(100)).failureHandler((h, t) -> { }).build());
        try {
            for (int i = 0; i < WAITERS; i++) {
                GreenHandle<Boolean> g = a.spawn(() -> {
                    synchronized (threads) {
                        threads.add(new WeakReference<>(Thread.currentThread()));
                    }
                    return executor.awaitTermination(50, TimeUnit.SECONDS);
                });
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (g.state() != GreenState.WAITING && System.nanoTime() < until) {
                    Thread.sleep(1);
                }
                assertThat(g.state()).isEqualTo(GreenState.WAITING);
            }
            CountDownLatch holding = new CountDownLatch(1);
            a.spawn(() -> {
                holding.countDown();
                while (!release) {
                    Thread.onSpinWait(); // holds a's only carrier: the cancelled waiters never run
                }
            });
            assertThat(holding.await(20, TimeUnit.SECONDS)).isTrue();
            a.close();
        } finally {
            release = true;
            a.close();
        }
        return threads;
    }
}
