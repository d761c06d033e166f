package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class CancellationTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("cancel").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void cancelWakesASleeperWithCancelledException() {
        CountDownLatch sleeping = new CountDownLatch(1);
        GreenHandle<Object> h = rt.spawn(() -> {
            sleeping.countDown();
            Green.sleep(Duration.ofDays(1));
            return "slept";
        });
        awaitLatch(sleeping);
        h.cancel();
        assertThatThrownBy(h::join).isInstanceOf(GreenFailedException.class)
                .hasCauseInstanceOf(CancelledException.class);
        assertThat(TestAccess.timers(rt)).isZero();
    }

    @Test
    void cancelReachesEveryDescendantAndOnlyThem() {
        AtomicInteger cancelled = new AtomicInteger();
        CountDownLatch ready = new CountDownLatch(1 + 3 + 9);
        GreenHandle<Object> bystander = rt.spawn(() -> {
            Green.sleep(Duration.ofMillis(300));
            return "ok";
        });
        GreenHandle<Object> root = rt.spawn(() -> {
            for (int i = 0; i < 3; i++) {
                Green.spawn(() -> {
                    for (int j = 0; j < 3; j++) {
                        Green.spawn(() -> sleepForever(ready, cancelled));
                    }
                    sleepForever(ready, cancelled);
                });
            }
            sleepForever(ready, cancelled);
            return null;
        });
        awaitLatch(ready);
        root.cancel();
        assertThatThrownBy(root::join).hasCauseInstanceOf(CancelledException.class);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (cancelled.get() < 13 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(cancelled.get()).isEqualTo(13);
        assertThat(bystander.join()).isEqualTo("ok");
    }

    @Test
    void descendantsOfAFinishedChildAreStillCancelledWithTheirAncestor() {
        AtomicInteger cancelled = new AtomicInteger();
        CountDownLatch ready = new CountDownLatch(4);
        GreenHandle<Object> root = rt.spawn(() -> {
            GreenHandle<Void> middle = Green.spawn(() -> {
                Green.spawn(() -> {
                    // a grandchild that itself spawns and then ends early
                    for (int i = 0; i < 2; i++) {
                        Green.spawn(() -> sleepForever(ready, cancelled));
                    }
                });
                Green.spawn(() -> sleepForever(ready, cancelled));
                sleepForever(ready, cancelled);
            });
            middle.cancel();          // cancelling the middle reaches all three sleepers below it...
            sleepForever(ready, cancelled);
            return null;
        });
        awaitLatch(ready);
        root.cancel();
        assertThatThrownBy(root::join).hasCauseInstanceOf(CancelledException.class);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (cancelled.get() < 5 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(cancelled.get()).isEqualTo(5);
    }

    @Test
    void orphansAreCancelledThroughTheirGrandparent() {
        AtomicInteger cancelled = new AtomicInteger();
        CountDownLatch ready = new CountDownLatch(3);
        GreenHandle<Object> root = rt.spawn(() -> {
            Green.spawn(() -> {
                for (int i = 0; i < 3; i++) {
                    Green.spawn(() -> sleepForever(ready, cancelled));
                }
            }).join(); // the parent of the three sleepers has ended
            Green.sleep(Duration.ofDays(1));
            return null;
        });
        awaitLatch(ready);
        root.cancel();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (cancelled.get() < 3 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(cancelled.get()).isEqualTo(3);
    }

    @Test
    void onCancelRunsOnceAndCanBeRemoved() {
        rt.run(() -> {
            CancelToken t = CancelToken.create();
            AtomicInteger a = new AtomicInteger();
            AtomicInteger b = new AtomicInteger();
            t.onCancel(a::incrementAndGet);
            CancelToken.Registration rb = t.onCancel(b::incrementAndGet);
            assertThat(rb.remove()).isTrue();
            assertThat(rb.remove()).isFalse();
            t.cancel();
            t.cancel();
            assertThat(a.get()).isEqualTo(1);
            assertThat(b.get()).isZero();
            AtomicInteger late = new AtomicInteger();
            t.onCancel(late::incrementAndGet);
            assertThat(late.get()).isEqualTo(1);
            return null;
        });
    }

    @Test
    void greenCancelledAndThrowIfCancelledSeeTheToken() {
        rt.run(() -> {
            assertThat(Green.cancelled()).isFalse();
            Green.throwIfCancelled();
            GreenHandle<Boolean> child = Green.spawn(() -> {
                CancelToken own = Green.cancelToken();
                own.cancel();
                boolean seen = Green.cancelled() && own.isCancelled();
                Thread.interrupted(); // clearing the interrupt does not un-cancel
                assertThatThrownBy(Green::throwIfCancelled).isInstanceOf(CancelledException.class);
                assertThatThrownBy(() -> Green.sleep(Duration.ofMillis(1))).isInstanceOf(CancelledException.class);
                return seen;
            });
            assertThat(child.join()).isTrue();
            assertThat(Green.cancelled()).isFalse();
            return null;
        });
    }

    @Test
    void cancellingAFinishedThreadIsANoOp() {
        GreenHandle<Integer> h = rt.spawn(() -> 7);
        assertThat(h.join()).isEqualTo(7);
        h.cancel();
        assertThat(h.join()).isEqualTo(7);
        assertThat(h.state()).isEqualTo(GreenState.SUCCEEDED);
    }

    @Test
    void aThreadSpawnedUnderACancelledTokenStartsCancelled() {
        CancelToken scope = CancelToken.create();
        scope.cancel();
        GreenHandle<Boolean> h = rt.spawner().cancelWith(scope).spawn(() -> Green.cancelled());
        assertThat(h.join()).isTrue();
    }

    @Test
    void cancelWithTokenCancelsTheScopeButNotTheSpawner() {
        rt.run(() -> {
            CancelToken scope = CancelToken.create();
            CountDownLatch ready = new CountDownLatch(5);
            AtomicInteger cancelled = new AtomicInteger();
            List<GreenHandle<Void>> hs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                hs.add(Green.spawner().cancelWith(scope).spawn(() -> sleepForever(ready, cancelled)));
            }
            ready.await();
            scope.cancel();
            for (GreenHandle<Void> h : hs) {
                assertThatThrownBy(h::join).hasCauseInstanceOf(CancelledException.class);
            }
            assertThat(cancelled.get()).isEqualTo(5);
            assertThat(Green.cancelled()).isFalse();
            return null;
        });
    }

    @Test
    void joinIsCancellable() {
        rt.run(() -> {
            CountDownLatch joining = new CountDownLatch(1);
            GreenHandle<Object> never = Green.spawn(() -> {
                Green.sleep(Duration.ofDays(1));
                return null;
            });
            GreenHandle<Object> joiner = Green.spawn(() -> {
                joining.countDown();
                return never.join(Duration.ofDays(1));
            });
            joining.await();
            joiner.cancel();
            assertThatThrownBy(joiner::join).hasCauseInstanceOf(CancelledException.class);
            never.cancel();
            return null;
        });
    }

    @Test
    void greenOnlyOperationsFailOutsideGreenThreads() {
        assertThatThrownBy(Green::cancelled).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(Green::cancelToken).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(Green::throwIfCancelled).isInstanceOf(IllegalStateException.class);
    }

    private static void sleepForever(CountDownLatch ready, AtomicInteger cancelled) {
        ready.countDown();
        try {
            Green.sleep(Duration.ofDays(1));
        } catch (CancelledException e) {
            cancelled.incrementAndGet();
            throw e;
        }
    }

    static void awaitLatch(CountDownLatch l) {
        try {
            assertThat(l.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
