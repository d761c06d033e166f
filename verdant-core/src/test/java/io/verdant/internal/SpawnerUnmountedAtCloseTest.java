package io.verdant.internal;

import io.verdant.CancelledException;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.GreenState;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A green thread that unmounts inside its spawn, before the child is published
 * (InheritableThreadLocal.childValue parks, as user code may; the pid table's
 * spin lock yields), and is still off its carrier when close stops the carriers
 * is never resumed: close abandons it, and nothing else finishes the spawn. The
 * live count must not hold the unpublished child (it held it forever:
 * SlotEmptierCompletesOnceTest saw liveThreads() 1 after close once, under load).
 */
@Timeout(60)
class SpawnerUnmountedAtCloseTest {
    private static final AtomicBoolean HOLD = new AtomicBoolean();
    private static volatile CountDownLatch inside;

    private static final InheritableThreadLocal<Object> INHERITED = new InheritableThreadLocal<>() {
        @Override
        protected Object childValue(Object parentValue) {
            if (HOLD.compareAndSet(true, false)) {
                inside.countDown();
                // Parked until the JVM ends: close's cancel interrupts it once; its later
                // resubmissions are dropped. Never spins.
                for (;;) {
                    LockSupport.park(this);
                    Thread.interrupted();
                }
            }
            return parentValue;
        }
    };

    @Test
    void aSpawnerParkedInsideItsSpawnAtCloseLeavesNothingCounted() throws Exception {
        inside = new CountDownLatch(1);
        Verdant rt = Verdant.start(Config.builder().workers(1).name("spawner-unmounted")
                .shutdownTimeout(Duration.ofMillis(50)).build());
        try {
            GreenHandle<Void> spawner = rt.spawn(() -> {
                INHERITED.set("inherited");
                HOLD.set(true);
                Green.spawn(() -> { });
            });
            assertThat(inside.await(30, TimeUnit.SECONDS)).as("the spawner parked inside its spawn").isTrue();
            rt.close();
            assertThat(spawner.isDone()).as("close abandoned the spawner").isTrue();
            assertThat(spawner.state()).isEqualTo(GreenState.FAILED);
            assertThat(spawner.exceptionNow()).isInstanceOf(CancelledException.class);
            assertThat(rt.liveThreads()).as("live count after close").isZero();
        } finally {
            HOLD.set(false);
            rt.close();
        }
    }
}
