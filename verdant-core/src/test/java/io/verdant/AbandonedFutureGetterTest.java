package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Green threads waiting in {@code get} on a {@link Future} of another runtime,
 * abandoned by their own runtime's close (its only carrier held, so they never
 * run again): the future does not keep them. Before, each stayed among the
 * waiters of the {@code asFuture()} view of a long-lived thread (untimed get),
 * or of a long-running executor task's future (timed get; its end did not clear
 * them either), for as long as the future lived, its thread and stack with it.
 */
@Timeout(60)
class AbandonedFutureGetterTest {
    private static final int GETTERS = 200;
    private static volatile boolean release;

    @Test
    void aFutureViewDoesNotKeepGetCallersTheirRuntimeAbandoned() throws Exception {
        check((b, end) -> b.spawn(() -> {
            end.await();
            return "done";
        }).asFuture(), view -> view::get);
    }

    @Test
    void anExecutorFutureDoesNotKeepTimedGetCallersTheirRuntimeAbandoned() throws Exception {
        check((b, end) -> b.executor().submit(() -> {
            end.await();
            return "done";
        }), view -> () -> view.get(50, TimeUnit.SECONDS));
    }

    /** A future of runtime b that completes with "done" once end opens, and how its callers get it. */
    private static void check(BiFunction<Verdant, CountDownLatch, Future<String>> future,
                              Function<Future<String>, Callable<String>> get) throws Exception {
        release = false;
        Verdant b = Verdant.start(Config.builder().workers(1).name("long-lived").build());
        CountDownLatch end = new CountDownLatch(1);
        try {
            Future<String> view = future.apply(b, end);
            List<WeakReference<Thread>> getters = abandonGetters(get.apply(view));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (getters.stream().anyMatch(r -> r.get() != null) && System.nanoTime() < until) {
                System.gc();
                Thread.sleep(10);
            }
            assertThat(getters.stream().filter(r -> r.get() != null).count())
                    .as("abandoned get callers still reachable while the future lives").isZero();
            assertThat(view.isDone()).isFalse();
            end.countDown();
            assertThat(view.get(20, TimeUnit.SECONDS)).isEqualTo("done");
        } finally {
            release = true;
            end.countDown();
            b.close();
        }
    }

    /** GETTERS green threads of a runtime closed while they wait in get; weakly. */
    private static List<WeakReference<Thread>> abandonGetters(Callable<String> get) throws Exception {
        List<WeakReference<Thread>> threads = new ArrayList<>();
        Verdant a = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name("abandoned-getters")
                .shutdownTimeout(Duration.ofMillis(100)).failureHandler((h, t) -> { }).build());
        try {
            CountDownLatch started = new CountDownLatch(GETTERS);
            for (int i = 0; i < GETTERS; i++) {
                GreenHandle<String> g = a.spawn(() -> {
                    synchronized (threads) {
                        threads.add(new WeakReference<>(Thread.currentThread()));
                    }
                    started.countDown();
                    return get.call();
                });
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (g.state() != GreenState.WAITING && System.nanoTime() < until) {
                    Thread.sleep(1);
                }
                assertThat(g.state()).isEqualTo(GreenState.WAITING);
            }
            assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
            CountDownLatch holding = new CountDownLatch(1);
            a.spawn(() -> {
                holding.countDown();
                while (!release) {
                    Thread.onSpinWait(); // holds a's only carrier: the cancelled getters never run
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
