package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A green thread of runtime A closes runtime B, and A's close abandons that
 * green thread while B's close still waits for a thread of B that ignores its
 * cancellation. B's close must still finish. Before, the abandoned green thread
 * never ran again and kept B's close (and its monitor) for good: B stayed
 * closing, its carrier and ticker ran on, and every later {@code close()} of B
 * hung.
 */
@Timeout(60)
class CloseFromAbandonedGreenThreadTest {

    @Test
    void anotherRuntimesCloseFinishesWhenItsGreenCallerIsAbandoned() throws Exception {
        Verdant b = Verdant.start(Config.builder().workers(1).name("closed-by-green")
                .shutdownTimeout(Duration.ofMillis(1500)).build());
        Verdant a = Verdant.start(Config.builder().workers(1).name("closing-green")
                .shutdownTimeout(Duration.ofMillis(100)).build());
        CountDownLatch stubbornUp = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread laterClose = null;
        try {
            // Ignores its cancellation until released: B's close waits its whole shutdown timeout for it.
            b.spawn(() -> {
                stubbornUp.countDown();
                for (long end = System.nanoTime() + 10_000_000_000L; System.nanoTime() < end; ) {
                    try {
                        if (release.await(20, TimeUnit.MILLISECONDS)) {
                            return;
                        }
                    } catch (InterruptedException ignored) {
                        // deaf to the cancellation
                    }
                }
            });
            assertThat(stubbornUp.await(10, TimeUnit.SECONDS)).isTrue();
            GreenHandle<Void> closer = a.spawn(b::close);
            // The green thread is inside B's close once B says it is closing and the thread waits.
            for (long end = System.nanoTime() + 10_000_000_000L;
                    !(b.isClosed() && closer.state() == GreenState.WAITING) && System.nanoTime() < end; ) {
                Thread.onSpinWait();
            }
            assertThat(b.isClosed()).isTrue();
            a.close(); // abandons the green thread still in B's close (B's timeout is longer than A's)
            assertThat(closer.isDone()).isTrue();

            laterClose = Thread.ofPlatform().daemon().start(b::close);
            laterClose.join(TimeUnit.SECONDS.toMillis(15));
            assertThat(laterClose.isAlive()).as("a later close() of B returned").isFalse();
            assertThat(Thread.getAllStackTraces().keySet()).as("B's carriers and ticker")
                    .noneMatch(t -> t.getName().startsWith("closed-by-green-") && t.isAlive()
                            && !t.getName().endsWith("-closer"));
        } finally {
            release.countDown();
            a.close();
            if (laterClose == null || !laterClose.isAlive()) {
                b.close();
            }
        }
    }
}
