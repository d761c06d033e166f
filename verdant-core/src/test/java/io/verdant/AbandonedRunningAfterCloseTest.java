package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a green thread abandoned by close while it ran with no safepoint does
 * once close has returned (close withdrew its yield request; its carrier was
 * reported stuck): safepoints no longer stop it, a Verdant wait throws
 * CancelledException, and a JDK blocking call (here Thread.sleep) leaves the
 * carrier for good, which then ends: no carrier thread is left alive.
 * The documentation said it left its carrier at its next safepoint.
 */
@Timeout(60)
class AbandonedRunningAfterCloseTest {
    private static final int CHECKPOINTS = 10_000;

    @Test
    void anAbandonedThreadRunningOnAfterCloseThrowsAtAVerdantWaitAndLeavesItsCarrierAtAJdkBlock() throws Exception {
        String name = "abandoned-running-after-close";
        AtomicBoolean go = new AtomicBoolean();
        AtomicInteger checkpoints = new AtomicInteger();
        AtomicBoolean cancelledAtWait = new AtomicBoolean();
        AtomicBoolean resumedAfterJdkBlock = new AtomicBoolean();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch waited = new CountDownLatch(1);
        try {
            Verdant rt = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name(name)
                    .shutdownTimeout(Duration.ofMillis(100)).failureHandler((h, t) -> { }).build());
            GreenHandle<?> g;
            try {
                g = rt.spawn(() -> {
                    running.countDown();
                    while (!go.get()) {
                        Thread.onSpinWait(); // no safepoint: close cannot take the carrier back
                    }
                    Thread.interrupted(); // ignores close's cancellation
                    for (int i = 0; i < CHECKPOINTS; i++) {
                        Green.checkpoint();
                        checkpoints.incrementAndGet();
                    }
                    try {
                        Green.sleep(Duration.ofSeconds(30));
                    } catch (CancelledException e) {
                        cancelledAtWait.set(true);
                    }
                    waited.countDown();
                    Thread.sleep(100);
                    resumedAfterJdkBlock.set(true);
                    return null;
                });
                assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            } finally {
                rt.close();
            }
            assertThatThrownBy(g::join).isInstanceOf(CancelledException.class);
            go.set(true);
            assertThat(waited.await(10, TimeUnit.SECONDS)).as("ran on after close returned").isTrue();
            assertThat(checkpoints.get()).as("checkpoints passed after close returned").isEqualTo(CHECKPOINTS);
            assertThat(cancelledAtWait).as("a Verdant wait after close threw CancelledException").isTrue();
            for (Thread t : StallTest.threads(name)) {
                t.join(TimeUnit.SECONDS.toMillis(10));
                assertThat(t.isAlive()).as("%s alive after the abandoned thread blocked", t.getName()).isFalse();
            }
            assertThat(resumedAfterJdkBlock).as("ran again after a JDK blocking call").isFalse();
        } finally {
            go.set(true);
            for (Thread t : StallTest.threads(name)) {
                t.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
    }
}
