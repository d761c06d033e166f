package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A wake-up left in a carrier's LIFO slot while the waker keeps its carrier
 * (issue 10, item 1; the LifoStrand reproducer). H parks; the green thread G
 * unparks H, which puts H in G's carrier's LIFO slot, then spins until H has
 * run. The slot must count as waiting work: an idle carrier steals it (two
 * workers), G's time slice ends at its next checkpoint (one worker), or a spare
 * carrier takes it when G never reaches a safepoint (one worker).
 */
@Timeout(60)
class LifoSlotTest {
    /** How long G waits for H before giving up: the test fails instead of hanging. */
    private static final long LIMIT_NANOS = Duration.ofSeconds(20).toNanos();

    private static volatile Thread hThread;
    private static volatile boolean hRan;

    /** Returns whether H ran before G gave up. */
    private static boolean strand(int workers, boolean checkpoints) {
        hThread = null;
        hRan = false;
        try (Verdant rt = Verdant.start(Config.builder().workers(workers).name("lifo-" + workers + "-" + checkpoints)
                .shutdownTimeout(Duration.ofMillis(500)).build())) {
            return rt.run(() -> {
                GreenHandle<Void> h = Green.spawn(() -> {
                    hThread = Thread.currentThread();
                    while (!hRan) {
                        LockSupport.park();
                        hRan = true;
                    }
                });
                while (hThread == null || hThread.getState() != Thread.State.WAITING) {
                    Green.sleep(Duration.ofMillis(1));
                }
                // Let the other carrier (if any) finish searching and park.
                long s0 = System.nanoTime();
                while (System.nanoTime() - s0 < 50_000_000L) {
                    Thread.onSpinWait();
                }
                long t0 = System.nanoTime();
                LockSupport.unpark(hThread); // H -> this carrier's LIFO slot
                while (!hRan && System.nanoTime() - t0 < LIMIT_NANOS) {
                    if (checkpoints) {
                        Green.checkpoint();
                    } else {
                        Thread.onSpinWait();
                    }
                }
                boolean ran = hRan;
                h.join(Duration.ofSeconds(20));
                return ran;
            });
        }
    }

    @Test
    void anIdleCarrierStealsAWakeUpStrandedInTheLifoSlot() {
        assertThat(strand(2, false)).isTrue();
    }

    @Test
    void theWakersTimeSliceEndsWhenItsLifoSlotHoldsWork() {
        assertThat(strand(1, true)).isTrue();
    }

    @Test
    void aSpareCarrierTakesTheLifoSlotOfAStalledCarrier() {
        assertThat(strand(1, false)).isTrue();
    }
}
