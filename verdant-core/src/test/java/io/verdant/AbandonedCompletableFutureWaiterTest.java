package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Green threads waiting in {@code get} or {@code join} of a JDK
 * {@link CompletableFuture}, abandoned by their own runtime's close (its only
 * carrier held, so they never run again): the future, whose wait stack Verdant
 * cannot reach, holds them until it completes; once a green thread of another
 * runtime completes it, nothing holds them, and completing it does not harm
 * that thread or its runtime (the wake-up of an abandoned thread is dropped).
 * The future of {@link GreenHandle#toCompletableFuture()}, Verdant's own, does
 * not hold them even before it completes. Before, it held them, as the JDK's
 * does, until the green thread behind it ended.
 */
@Timeout(60)
class AbandonedCompletableFutureWaiterTest {
    private static final int WAITERS = 50;

    @Test
    void joinCallersTheirRuntimeAbandonedAreReleasedOnceAnotherRuntimeCompletesTheFuture() throws Exception {
        check(f -> f::join);
    }

    @Test
    void getCallersTheirRuntimeAbandonedAreReleasedOnceAnotherRuntimeCompletesTheFuture() throws Exception {
        check(f -> f::get);
    }

    @Test
    void aHandlesCompletableFutureDoesNotKeepJoinCallersTheirRuntimeAbandoned() throws Exception {
        checkHandleFuture(f -> f::join);
    }

    @Test
    void aHandlesCompletableFutureDoesNotKeepGetCallersTheirRuntimeAbandoned() throws Exception {
        checkHandleFuture(f -> f::get);
    }

    @Test
    void aHandlesCompletableFutureDoesNotKeepTimedGetCallersTheirRuntimeAbandoned() throws Exception {
        checkHandleFuture(f -> () -> f.get(50, TimeUnit.SECONDS));
    }

    private static void checkHandleFuture(Function<CompletableFuture<String>, Callable<String>> wait)
            throws Exception {
        CountDownLatch end = new CountDownLatch(1);
        try (Verdant b = Verdant.start(Config.builder().workers(1).name("long-lived").build())) {
            try {
                CompletableFuture<String> future = b.spawn(() -> {
                    end.await();
                    return "done";
                }).toCompletableFuture();
                AbandonedWaiters.assertCollected(AbandonedWaiters.abandon("abandoned-cf-waiters", WAITERS,
                        wait.apply(future)), "abandoned waiters still reachable while the future is incomplete");
                assertThat(future.isDone()).isFalse();
                end.countDown();
                assertThat(future.get(20, TimeUnit.SECONDS)).isEqualTo("done");
            } finally {
                end.countDown();
            }
        }
    }

    private static void check(Function<CompletableFuture<String>, Callable<String>> wait) throws Exception {
        CompletableFuture<String> future = new CompletableFuture<>();
        try (Verdant b = Verdant.start(Config.builder().workers(1).name("completer").build())) {
            List<WeakReference<Thread>> threads = AbandonedWaiters.abandon("abandoned-cf-waiters", WAITERS,
                    wait.apply(future));
            System.gc();
            assertThat(threads.stream().filter(r -> r.get() != null).count())
                    .as("abandoned waiters the incomplete future still holds").isEqualTo(WAITERS);
            assertThat(b.spawn(() -> future.complete("done")).join()).isTrue();
            AbandonedWaiters.assertCollected(threads, "abandoned waiters still reachable after the future completed");
            assertThat(future.join()).isEqualTo("done");
            assertThat(b.spawn(() -> "still runs").join()).isEqualTo("still runs");
        }
    }
}
