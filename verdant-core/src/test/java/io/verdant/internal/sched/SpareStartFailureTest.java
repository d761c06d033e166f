package io.verdant.internal.sched;

import io.verdant.Config;
import io.verdant.GreenHandle;
import io.verdant.GreenState;
import io.verdant.Verdant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A spare carrier whose Thread.start fails (the JVM cannot create the native thread:
 * an OutOfMemoryError, injected at the fault site CARRIER_STARTING) gives its slot
 * back, so the next look at the stall starts a spare: before the fix the slot stayed
 * taken by the carrier that never ran, and with maxSpareCarriers(1) no spare was
 * started again for the life of the runtime.
 * Needs -Dio.verdant.internal.faults=true (verdant-core's test build sets it).
 */
@Timeout(60)
class SpareStartFailureTest {

    @AfterEach
    void removeHook() {
        Faults.install(null);
    }

    @Test
    void aSpareThatCannotStartLeavesItsSlotForTheNextOne() throws Exception {
        AtomicBoolean failNext = new AtomicBoolean(true);
        CountDownLatch refused = new CountDownLatch(1);
        Faults.install((w, site) -> {
            // The hook is JVM-wide: only this runtime's spares, not those of any other runtime alive.
            if (site == Faults.Site.CARRIER_STARTING && w.spare && w.getName().startsWith("spare-start-fails-spare-")
                    && failNext.compareAndSet(true, false)) {
                refused.countDown();
                throw new OutOfMemoryError("injected: unable to create native thread");
            }
        });
        AtomicBoolean stop = new AtomicBoolean();
        try (Verdant rt = Verdant.start(Config.builder().workers(1).maxSpareCarriers(1).name("spare-start-fails")
                .stallThreshold(Duration.ofMillis(50)).build())) {
            GreenHandle<Long> looper = rt.spawn(() -> spinWithoutSafepoint(stop));
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (looper.state() != GreenState.RUNNING && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertThat(looper.state()).isEqualTo(GreenState.RUNNING);
                CountDownLatch ran = new CountDownLatch(1);
                rt.spawn(ran::countDown); // queued behind the looper: only a spare can run it
                assertThat(refused.await(20, TimeUnit.SECONDS)).as("a spare's start was refused").isTrue();
                assertThat(ran.await(20, TimeUnit.SECONDS))
                        .as("work queued behind a stalled carrier ran on a spare started after the refused one")
                        .isTrue();
            } finally {
                stop.set(true);
            }
            looper.join(Duration.ofSeconds(20));
        }
    }

    /** Never reaches a safepoint: no checkpoint, no park, only a volatile read. */
    private static long spinWithoutSafepoint(AtomicBoolean stop) {
        long n = 0;
        while (!stop.get()) {
            n++;
        }
        return n;
    }
}
