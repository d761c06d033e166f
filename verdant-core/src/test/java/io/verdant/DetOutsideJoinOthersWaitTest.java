package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An untimed {@code join()} from outside a deterministic runtime of a thread
 * that ends returns its result although other green threads of the runtime
 * still wait (a server left for close to cancel, not a deadlock: the thread
 * joined has ended). The join's wait counts as rt.run's caller's does, so
 * once the joined thread had ended the carrier took the joiner, not yet gone,
 * for one waiting on the threads still waiting, and failed the run with a
 * DeadlockException, which the join then threw.
 */
@Timeout(300)
class DetOutsideJoinOthersWaitTest {
    private static final long BOUND_SECONDS = 30;
    private static final int ROUNDS = 20;

    private static Object joinBounded(Determinism d, Function<Verdant, Object> call) throws Exception {
        return DetRuns.callFromOutsideBounded(d, BOUND_SECONDS, "the join", call);
    }

    @Test
    void aJoinFromOutsideOfAThreadThatEndsWhileAnotherSpawnedThreadWaitsReturnsItsResult() throws Exception {
        for (int i = 0; i < ROUNDS; i++) {
            Object r = joinBounded(Determinism.seed(100 + i), rt -> {
                Channel<Integer> requests = Channel.rendezvous();
                rt.spawn(() -> requests.receive()); // a server: waits until close cancels it
                return rt.spawn(() -> {
                    Green.sleep(Duration.ofMillis(10));
                    return 42;
                }).join();
            });
            assertThat(r).as("round %d", i).isEqualTo(42);
        }
    }

    @Test
    void aJoinFromOutsideOfAThreadThatEndsWhileOneTheBodyLeftWaitsReturnsItsResult() throws Exception {
        for (int i = 0; i < ROUNDS; i++) {
            Object r = joinBounded(Determinism.seed(200 + i), rt -> {
                Channel<Integer> requests = Channel.rendezvous();
                GreenHandle<Integer> h = rt.run(() -> {
                    Green.spawn(() -> requests.receive()); // left waiting: close cancels it (no failOnLeak)
                    return Green.spawn(() -> {
                        Green.sleep(Duration.ofMillis(10));
                        return 42;
                    });
                });
                return h.join();
            });
            assertThat(r).as("round %d", i).isEqualTo(42);
        }
    }
}
