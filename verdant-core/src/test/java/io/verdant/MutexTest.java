package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class MutexTest {
    private static final Duration LONG = Duration.ofSeconds(30);
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("mutex").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void guardsTheValueAcrossManyGreenThreads() {
        Mutex<long[]> m = new Mutex<>(new long[1]);
        rt.run(() -> {
            List<GreenHandle<Void>> hs = new ArrayList<>();
            for (int t = 0; t < 50; t++) {
                hs.add(Green.spawn(() -> {
                    for (int i = 0; i < 200; i++) {
                        try (Mutex.Guard<long[]> g = m.lock(LONG)) {
                            long v = g.get()[0];
                            if (i % 16 == 0) {
                                Green.yield();
                            }
                            g.get()[0] = v + 1;
                        }
                    }
                }));
            }
            for (GreenHandle<Void> h : hs) {
                h.join();
            }
            return null;
        });
        assertThat(m.tryLock().orElseThrow().get()[0]).isEqualTo(10_000);
    }

    @Test
    void waitersGetTheLockInArrivalOrder() {
        Mutex<List<Integer>> m = new Mutex<>(new ArrayList<>());
        rt.run(() -> {
            Mutex.Guard<List<Integer>> held = m.lock(LONG);
            List<GreenHandle<Void>> hs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int id = i;
                hs.add(Green.spawn(() -> {
                    try (Mutex.Guard<List<Integer>> g = m.lock(LONG)) {
                        g.get().add(id);
                    }
                }));
                while (m.waiters() < i + 1) {
                    Green.sleep(Duration.ofMillis(1));
                }
            }
            // A newcomer with tryLock cannot barge.
            assertThat(Green.spawn(() -> m.tryLock().isEmpty()).join()).isTrue();
            held.close();
            for (GreenHandle<Void> h : hs) {
                h.join();
            }
            return null;
        });
        try (Mutex.Guard<List<Integer>> g = m.tryLock().orElseThrow()) {
            assertThat(g.get()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
        }
    }

    @Test
    void aTimeoutIsPreciseAndLeavesTheQueueIntact() {
        Mutex<List<String>> m = new Mutex<>(new ArrayList<>());
        rt.run(() -> {
            Mutex.Guard<List<String>> held = m.lock(LONG);
            GreenHandle<Void> first = Green.spawn(() -> {
                try (var g = m.lock(LONG)) {
                    g.get().add("first");
                }
            });
            while (m.waiters() < 1) {
                Green.sleep(Duration.ofMillis(1));
            }
            GreenHandle<Long> impatient = Green.spawn(() -> {
                long s = System.nanoTime();
                try {
                    m.lock(Duration.ofMillis(50)).close();
                    return -1L;
                } catch (TimedOutException e) {
                    return System.nanoTime() - s;
                }
            });
            assertThat(impatient.join()).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
            GreenHandle<Void> last = Green.spawn(() -> {
                try (var g = m.lock(LONG)) {
                    g.get().add("last");
                }
            });
            while (m.waiters() < 2) {
                Green.sleep(Duration.ofMillis(1));
            }
            assertThatThrownBy(() -> m.lock(Duration.ZERO)).isInstanceOf(IllegalStateException.class);
            held.close();
            first.join();
            last.join();
            return null;
        });
        assertThat(m.tryLock().orElseThrow().get()).containsExactly("first", "last");
        assertThat(TestAccess.timers(rt)).isZero();
    }

    @Test
    void relockingByTheOwnerIsAnError() {
        Mutex<String> m = new Mutex<>("v");
        try (Mutex.Guard<String> g = m.lock(Duration.ofSeconds(1))) {
            assertThatThrownBy(() -> m.lock(Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already holds");
            assertThatThrownBy(m::tryLock).isInstanceOf(IllegalStateException.class);
            assertThat(g.get()).isEqualTo("v");
        }
        assertThat(m.isLocked()).isFalse();
    }

    @Test
    void aThreadDyingWithTheLockPoisonsItAndHandsItOn() {
        Mutex<Integer> m = new Mutex<>(0);
        rt.run(() -> {
            CountDownLatch locked = new CountDownLatch(1);
            CountDownLatch die = new CountDownLatch(1);
            GreenHandle<Void> victim = Green.spawn(() -> {
                Mutex.Guard<Integer> g = m.lock(LONG);
                g.set(1);
                locked.countDown();
                die.await();
                throw new IllegalStateException("died holding the lock");
            });
            locked.await();
            GreenHandle<Boolean> next = Green.spawn(() -> {
                try (Mutex.Guard<Integer> g = m.lock(LONG)) {
                    boolean p = g.poisoned();
                    assertThat(g.get()).isEqualTo(1);
                    g.clearPoison();
                    return p;
                }
            });
            while (m.waiters() < 1) {
                Green.sleep(Duration.ofMillis(1));
            }
            die.countDown();
            assertThatThrownBy(victim::join).isInstanceOf(GreenFailedException.class);
            assertThat(next.join()).isTrue();
            return null;
        });
        assertThat(m.isPoisoned()).isFalse();
        assertThat(m.isLocked()).isFalse();
    }

    @Test
    void aCancelledWaiterLeavesTheQueue() {
        Mutex<Integer> m = new Mutex<>(0);
        rt.run(() -> {
            Mutex.Guard<Integer> held = m.lock(LONG);
            GreenHandle<Void> w = Green.spawn(() -> {
                m.lock(LONG).close();
            });
            while (m.waiters() < 1) {
                Green.sleep(Duration.ofMillis(1));
            }
            w.cancel();
            assertThatThrownBy(w::join).hasCauseInstanceOf(CancelledException.class);
            assertThat(m.waiters()).isZero();
            held.close();
            return null;
        });
        assertThat(m.isLocked()).isFalse();
    }

    @Test
    void worksFromPlatformThreadsAndGuardsAreOwnerOnly() throws Exception {
        Mutex<Integer> m = new Mutex<>(0);
        Mutex.Guard<Integer> g = m.lock(Duration.ofSeconds(1));
        Thread other = Thread.ofPlatform().start(() -> {
            assertThatThrownBy(g::close).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> m.lock(Duration.ofMillis(20))).isInstanceOf(TimedOutException.class);
        });
        other.join();
        g.close();
        g.close();
        assertThatThrownBy(g::get).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> m.lock(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("timeout");
    }
}
