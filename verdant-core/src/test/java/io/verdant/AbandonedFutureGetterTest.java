package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
 * or of a long-running executor task's future (timed get, whose end did not
 * clear them either; untimed get, in FutureTask's own queue until the task
 * ended), for as long as the future lived, its thread and stack with it.
 */
@Timeout(60)
class AbandonedFutureGetterTest {
    private static final int GETTERS = 200;

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

    @Test
    void anExecutorFutureDoesNotKeepUntimedGetCallersTheirRuntimeAbandoned() throws Exception {
        check((b, end) -> b.executor().submit(() -> {
            end.await();
            return "done";
        }), view -> view::get);
    }

    /** A future of runtime b that completes with "done" once end opens, and how its callers get it. */
    private static void check(BiFunction<Verdant, CountDownLatch, Future<String>> future,
                              Function<Future<String>, Callable<String>> get) throws Exception {
        Verdant b = Verdant.start(Config.builder().workers(1).name("long-lived").build());
        CountDownLatch end = new CountDownLatch(1);
        try {
            Future<String> view = future.apply(b, end);
            AbandonedWaiters.assertCollected(AbandonedWaiters.abandon("abandoned-getters", GETTERS, get.apply(view)),
                    "abandoned get callers still reachable while the future lives");
            assertThat(view.isDone()).isFalse();
            end.countDown();
            assertThat(view.get(20, TimeUnit.SECONDS)).isEqualTo("done");
        } finally {
            end.countDown();
            b.close();
        }
    }
}
