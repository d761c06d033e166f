package io.verdant.internal.sched;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.GreenState;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A spare carrier that retired keeps no ended thread reachable. A retired spare
 * stays reachable from Task.worker of every task it ran; a task of those that
 * lives on (here a thread parked in a JDK wait) kept the spare's local rings, and
 * so the ended threads left in their popped slots (LocalQueue, "Stale
 * references"), for as long as it lived, where no later push could overwrite
 * them. Now the retiring spare drops those references once it has drained its
 * rings (Worker.drainToInjection).
 */
@Timeout(120)
class RetiredSpareKeepsNoThreadTest {

    @Test
    void anEndedThreadARetiredSpareRanIsNotKeptByALiveThreadItAlsoRan() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).maxSpareCarriers(1).name("retired-spare").build())) {
            AtomicBoolean unstall = new AtomicBoolean();
            CountDownLatch release = new CountDownLatch(1);
            try {
                // Holds the only core carrier without a safepoint: the work spawned next waits,
                // so the ticker starts a spare for it (after the stall threshold, 100 ms).
                CountDownLatch holding = new CountDownLatch(1);
                rt.spawn(() -> {
                    holding.countDown();
                    while (!unstall.get()) {
                        Thread.onSpinWait();
                    }
                });
                assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
                AtomicReference<GreenHandle<Void>> ended = new AtomicReference<>();
                AtomicBoolean onSpares = new AtomicBoolean(true);
                // The live thread spawns the one that ends into its carrier's ring, joins it,
                // then waits (a JDK wait) until released: both ran on the spare. It keeps no
                // local of the ended one's (its parked frame would keep it).
                CountDownLatch joined = new CountDownLatch(1);
                GreenHandle<Object> live = rt.spawn(() -> {
                    onSpares.compareAndSet(true, Worker.ofCaller().spare);
                    ended.set(Green.spawn(() -> {
                        onSpares.compareAndSet(true, Worker.ofCaller().spare);
                    }));
                    ended.get().join();
                    joined.countDown();
                    release.await();
                    return null;
                });
                assertThat(joined.await(30, TimeUnit.SECONDS)).isTrue();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (live.state() != GreenState.WAITING && System.nanoTime() < until) {
                    Thread.sleep(1);
                }
                assertThat(live.state()).isEqualTo(GreenState.WAITING);
                GreenHandle<Void> e = ended.getAndSet(null);
                e.join(Duration.ofSeconds(30));
                assertThat(onSpares).as("both ran on the spare").isTrue();
                WeakReference<Object> endedRef = new WeakReference<>(e);
                e = null;

                unstall.set(true); // the core carrier runs again: the ticker retires the spare
                until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (rt.metrics().sparesAlive() > 0 && System.nanoTime() < until) {
                    Thread.sleep(5);
                }
                assertThat(rt.metrics().sparesAlive()).as("the spare retired").isZero();
                assertThat(rt.metrics().sparesStarted()).isEqualTo(1);
                // The ended thread was never in the core carrier's rings (held by the spinner
                // until it had ended): only the retired spare's held it.
                until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (endedRef.get() != null && System.nanoTime() < until) {
                    System.gc();
                    Thread.sleep(10);
                }
                assertThat(endedRef.get()).as("the ended thread, while the live one the retired spare also ran lives")
                        .isNull();
                assertThat(live.isDone()).isFalse();
                release.countDown();
                live.join(Duration.ofSeconds(30));
            } finally {
                unstall.set(true);
                release.countDown();
            }
        }
    }
}
