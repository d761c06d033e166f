package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An untimed wait from outside a deterministic runtime through a handle's
 * futures ({@code asFuture().get()}, {@code toCompletableFuture().join()} and
 * {@code get()}) reports the run's failure as {@code join()} does
 * (DetOutsideJoinTest), in the futures' own shape: an
 * {@link ExecutionException} or a {@link CompletionException} around the
 * {@link DeadlockException}. Before, they waited on the handle alone: with
 * nobody in {@code rt.run} or a join, roots that all wait were taken to wait
 * for a body still to come, the deadlock was never reported, and the caller
 * hung.
 */
@Timeout(300)
class DetOutsideFutureTest {
    /** Generous: each wait should end within milliseconds. */
    private static final long BOUND_SECONDS = 30;

    private static Object callBounded(Determinism d, Function<Verdant, Object> call) throws Exception {
        return DetRuns.callFromOutsideBounded(d, BOUND_SECONDS, "the future's wait", call);
    }

    /** A thread of {@code rt} that waits for ever on a channel nobody sends on. */
    private static GreenHandle<Integer> deadlocked(Verdant rt) {
        Channel<Integer> never = Channel.rendezvous();
        return rt.spawn(() -> never.receive());
    }

    private static void assertDeadlockIn(Object r, Class<? extends Throwable> wrapper) {
        assertThat(r).isInstanceOf(wrapper);
        Throwable cause = ((Throwable) r).getCause();
        assertThat(cause).isInstanceOf(DeadlockException.class);
        assertThat(cause.getMessage()).startsWith("[replay v1:random:").contains("Channel");
    }

    @Test
    void anAsFutureGetFromOutsideOfADeadlockedThreadGetsTheDeadlock() throws Exception {
        Object r = callBounded(Determinism.seed(1), rt -> {
            try {
                return deadlocked(rt).asFuture().get();
            } catch (InterruptedException | ExecutionException e) {
                return e;
            }
        });
        assertDeadlockIn(r, ExecutionException.class);
    }

    @Test
    void aCompletableFutureJoinFromOutsideOfADeadlockedThreadGetsTheDeadlock() throws Exception {
        Object r = callBounded(Determinism.seed(2), rt -> deadlocked(rt).toCompletableFuture().join());
        assertDeadlockIn(r, CompletionException.class);
    }

    @Test
    void aCompletableFutureGetFromOutsideOfADeadlockedThreadGetsTheDeadlock() throws Exception {
        Object r = callBounded(Determinism.seed(3), rt -> {
            try {
                return deadlocked(rt).toCompletableFuture().get();
            } catch (InterruptedException | ExecutionException e) {
                return e;
            }
        });
        assertDeadlockIn(r, ExecutionException.class);
    }

    @Test
    void theFuturesFromOutsideReturnWhatTheThreadReturnsAfterVirtualTimeWhileAnotherThreadWaits() throws Exception {
        for (int i = 0; i < 5; i++) {
            int round = i;
            Object r = callBounded(Determinism.seed(10 + i), rt -> {
                Channel<Integer> requests = Channel.rendezvous();
                rt.spawn(() -> requests.receive()); // a server: waits until close cancels it
                GreenHandle<Long> h = rt.spawn(() -> {
                    Green.sleep(Duration.ofMinutes(5));
                    return Green.nanoTime();
                });
                try {
                    return switch (round % 3) {
                        case 0 -> h.asFuture().get();
                        case 1 -> h.toCompletableFuture().join();
                        default -> h.toCompletableFuture().get();
                    };
                } catch (InterruptedException | ExecutionException e) {
                    return e;
                }
            });
            assertThat(r).as("round %d", i).isEqualTo(Duration.ofMinutes(5).toNanos());
        }
    }
}
