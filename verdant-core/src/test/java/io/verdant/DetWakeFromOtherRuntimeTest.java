package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A green thread of a normal runtime wakes a deterministic runtime's green
 * thread (a channel both use) while the deterministic carrier runs a foreign
 * virtual thread (one a green thread started with {@code Thread.ofVirtual()}):
 * the strict policy refuses the wake-up, as it does at any other moment.
 * Before, any virtual thread counted as the mounted foreign one, so the
 * wake-up was taken as the schedule's own and the run went on with a step
 * whose timing was the other runtime's.
 */
@Timeout(30)
class DetWakeFromOtherRuntimeTest {
    private static volatile boolean done;

    @Test
    void aWakeUpFromAnotherRuntimesGreenThreadDuringAForeignTaskIsRefused() throws Exception {
        done = false;
        Channel<String> ch = Channel.rendezvous();
        CountDownLatch foreignRuns = new CountDownLatch(1);
        try (Verdant normal = Verdant.start(Config.builder().workers(1).name("normal").build());
             Verdant det = Verdant.deterministic(DetRuns.QUIET, Determinism.seed(5))) {
            GreenHandle<Object> sender = normal.spawn(() -> {
                try {
                    assertThat(foreignRuns.await(20, TimeUnit.SECONDS)).isTrue();
                    ch.send("from the normal runtime");
                    return null;
                } finally {
                    done = true;
                }
            });
            Throwable t = catchThrowable(() -> det.run(() -> {
                GreenHandle<String> receiver = Green.spawn(() -> ch.receive());
                while (receiver.state() != GreenState.WAITING) {
                    Green.yield();
                }
                Thread foreign = Thread.ofVirtual().start(() -> {
                    foreignRuns.countDown();
                    while (!done) {
                        Thread.onSpinWait(); // holds the deterministic carrier while the other runtime sends
                    }
                });
                foreign.join();
                return receiver.join();
            }));
            sender.join();
            assertThat(t).isInstanceOf(ScheduleFailedException.class)
                    .hasMessageContaining("a thread outside the deterministic runtime");
        } finally {
            done = true;
        }
    }
}
