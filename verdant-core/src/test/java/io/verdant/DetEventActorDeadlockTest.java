package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Event actors in a deterministic runtime's deadlock and leak checks: an event
 * actor has no virtual thread of its own, and an idle one (waiting for a
 * message) or one whose handler is parked counts as waiting, as a green
 * thread parked in a receive does. Before, it counted as neither waiting nor
 * running, so the carrier waited in real time for a wake-up that could not
 * come: rt.run never returned instead of reporting the deadlock (or, under
 * failOnLeak, the leak).
 */
@Timeout(60)
class DetEventActorDeadlockTest {
    /** Runs {@code body} on a fresh runtime; returns what rt.run threw (null if it returned), failing if it hangs. */
    private static Throwable runExpectingFailure(Determinism d, Callable<?> body) throws InterruptedException {
        Throwable[] thrown = new Throwable[1];
        Thread caller;
        try (Verdant rt = Verdant.deterministic(DetRuns.QUIET, d)) {
            caller = Thread.ofPlatform().name("rt.run caller").start(() -> {
                try {
                    rt.run(body);
                } catch (Throwable t) {
                    thrown[0] = t;
                }
            });
            caller.join(Duration.ofSeconds(10));
            // On failure, the close below ends the caller's wait.
            assertThat(caller.isAlive()).as("rt.run still waiting after 10 s (real time)").isFalse();
        }
        caller.join(Duration.ofSeconds(10));
        return thrown[0];
    }

    @Test
    void joiningAnIdleEventActorIsReportedAsADeadlock() throws InterruptedException {
        for (long seed = 0; seed < 3; seed++) {
            Throwable t = runExpectingFailure(Determinism.seed(seed), () -> {
                GreenHandle<Integer> actor = Actors.spawner().name("idle-actor").spawn(0, (s, m) -> s);
                return actor.join();
            });
            assertThat(t).as("seed %d", seed).isInstanceOf(DeadlockException.class)
                    .hasMessageContaining("idle-actor")
                    .hasMessageContaining("waits for a message");
        }
    }

    @Test
    void anEventActorWhoseHandlerWaitsForEverIsPartOfTheDeadlock() throws InterruptedException {
        Throwable t = runExpectingFailure(Determinism.seed(1), () -> {
            Channel<Integer> never = Channel.rendezvous();
            GreenHandle<Integer> actor = Actors.spawner().name("stuck-actor").spawn(0, (s, m) -> never.receive());
            Green.send(actor.pid(), "go");
            return actor.join();
        });
        assertThat(t).isInstanceOf(DeadlockException.class)
                .hasMessageContaining("stuck-actor")
                .hasMessageContaining("Channel");
    }

    @Test
    void anIdleEventActorLeftAfterTheBodyIsALeakUnderFailOnLeak() throws InterruptedException {
        Throwable t = runExpectingFailure(Determinism.seed(2).failOnLeak(true), () -> {
            Actors.spawner().name("leaked-actor").spawn(0, (s, m) -> s);
            return null;
        });
        assertThat(t).isInstanceOf(ScheduleFailedException.class)
                .hasMessageContaining("leak")
                .hasMessageContaining("leaked-actor");
    }
}
