package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An actor made runnable by a handler waits in its dispatcher's next slot; a
 * handler that then runs long (with safepoints) must not hold it there while
 * other carriers are idle or the ticker has nothing else to preempt for.
 */
@Timeout(60)
class EventActorNextSlotStarvationTest {

    private static void longHandlerWaitsForTheActorItWoke(Config config) throws Exception {
        try (Verdant rt = Verdant.start(config)) {
            AtomicBoolean otherRan = new AtomicBoolean();
            GreenHandle<Object> other = Actors.spawner(rt).spawn(null, (s, m) -> {
                otherRan.set(true);
                return s;
            });
            GreenHandle<Long> longOne = Actors.spawner(rt).spawn(0L, (Long s, Object m) -> {
                Green.send(other.pid(), "run"); // other becomes runnable from inside this handler
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!otherRan.get()) {
                    if (System.nanoTime() > deadline) {
                        Actors.stop();
                        return -1L; // the actor this handler woke never ran while it ran
                    }
                    Green.checkpoint();
                }
                Actors.stop();
                return 1L;
            });
            Green.send(longOne.pid(), "go");
            assertThat(longOne.join(Duration.ofSeconds(30))).as("the woken actor ran while the handler ran").isEqualTo(1L);
        }
    }

    @Test
    void anActorWokenByALongHandlerRunsOnAnotherCarrier() throws Exception {
        longHandlerWaitsForTheActorItWoke(Config.builder().workers(2).name("next-slot-2").build());
    }

    @Test
    void anActorWokenByALongHandlerRunsWhenTheHandlerIsPreempted() throws Exception {
        longHandlerWaitsForTheActorItWoke(Config.builder().workers(1).maxSpareCarriers(0).name("next-slot-1").build());
    }
}
