package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A parent spawning in a loop while another thread cancels it (CancelNode, "One
 * fence per spawn": the own-slot registration's Dekker pair with cancel shares
 * the pid table's fence): every child spawned is either born cancelled or found
 * by the cancel's walk, so every one ends, and the live count returns to where
 * it was. A child that escaped would sleep for a day: the wait for the live
 * count fails the test instead.
 */
@Timeout(120)
class SpawnCancelRaceTest {
    private static final Duration FOREVER = Duration.ofDays(1);

    @Test
    void everyChildOfAParentCancelledWhileSpawningEnds() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("spawn-cancel-race").build())) {
            long before = rt.liveThreads();
            for (int round = 0; round < 200; round++) {
                AtomicInteger spawned = new AtomicInteger();
                CountDownLatch spawning = new CountDownLatch(1);
                int cancelAfter = 1 + (round * 37) % 300;
                GreenHandle<Void> parent = rt.spawn(() -> {
                    while (!Green.cancelled()) {
                        Green.spawn(() -> Green.sleep(FOREVER));
                        if (spawned.incrementAndGet() == cancelAfter) {
                            spawning.countDown();
                        }
                    }
                });
                assertThat(spawning.await(60, TimeUnit.SECONDS)).isTrue();
                parent.cancel();
                try {
                    parent.join(Duration.ofSeconds(60));
                } catch (RuntimeException expected) {
                    // cancelled (or failed by its cancellation): either way it ended
                }
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (rt.liveThreads() > before && System.nanoTime() - deadline < 0) {
                Thread.sleep(5);
            }
            assertThat(rt.liveThreads()).as("threads still alive after every parent was cancelled").isEqualTo(before);
        }
    }
}
