package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * rt.run of a deterministic runtime returns its body's result although a
 * thread started with rt.spawn still waits (a server left for close to
 * cancel): when the body has ended and only other threads are left waiting,
 * that is a leak, not a deadlock (docs/testing.md). Before, the carrier took
 * rt.run's caller, not yet gone after the body ended, for one waiting on the
 * run and failed it with a DeadlockException, which rt.run threw.
 */
@Timeout(300)
class DetRunOthersWaitTest {
    private static final long BOUND_SECONDS = 30;
    private static final int ROUNDS = 20;

    private static Object runBounded(Determinism d, Function<Verdant, Object> call) throws Exception {
        return DetRuns.callFromOutsideBounded(d, BOUND_SECONDS, "rt.run", call);
    }

    @Test
    void aRunWhoseBodyEndsWhileASpawnedThreadWaitsReturnsTheBodysResult() throws Exception {
        for (int i = 0; i < ROUNDS; i++) {
            Object r = runBounded(Determinism.seed(300 + i), rt -> {
                Channel<Integer> requests = Channel.rendezvous();
                rt.spawn(() -> requests.receive()); // a server: waits until close cancels it
                return rt.run(() -> {
                    Green.sleep(Duration.ofMillis(10));
                    return 42;
                });
            });
            assertThat(r).as("round %d", i).isEqualTo(42);
        }
    }

    @Test
    void underFailOnLeakASpawnedThreadLeftWaitingStillFailsTheRun() throws Exception {
        Object r = runBounded(Determinism.seed(400).failOnLeak(true), rt -> {
            Channel<Integer> requests = Channel.rendezvous();
            rt.spawn(() -> requests.receive());
            return rt.run(() -> 42);
        });
        assertThat(r).isInstanceOf(ScheduleFailedException.class);
        assertThat(((Throwable) r).getMessage()).contains("Channel");
    }
}
