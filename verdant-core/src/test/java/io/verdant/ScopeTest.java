package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class ScopeTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("scope").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void joinsEveryChildAndReturnsTheBodysResult() {
        List<GreenHandle<?>> seen = new ArrayList<>();
        int total = rt.run(() -> Green.scope(scope -> {
            List<GreenHandle<Integer>> hs = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                int n = i;
                hs.add(scope.spawn(() -> {
                    Green.sleep(Duration.ofMillis(n));
                    return n;
                }));
            }
            seen.addAll(hs);
            return hs.get(0).join(); // the others are joined by the scope on exit
        }));
        assertThat(total).isEqualTo(1);
        assertThat(seen).allMatch(GreenHandle::isDone);
    }

    @Test
    void firstFailureCancelsTheSiblingsAndIsRethrownWithTheRestSuppressed() {
        List<GreenHandle<?>> seen = new ArrayList<>();
        CountDownLatch bothWaiting = new CountDownLatch(2);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        rt.run(() -> {
            try {
                Green.scope(scope -> {
                    for (int i = 0; i < 2; i++) {
                        seen.add(scope.spawn(() -> {
                            bothWaiting.countDown();
                            Green.receive(); // cancelled by the failure
                        }));
                    }
                    // Fails in its cancellation handler too: a real failure, kept as suppressed.
                    seen.add(scope.spawn(() -> {
                        try {
                            Green.receive();
                        } catch (CancelledException e) {
                            throw new IllegalStateException("second");
                        }
                    }));
                    seen.add(scope.spawn(() -> {
                        try {
                            bothWaiting.await();
                        } catch (InterruptedException e) {
                            throw new AssertionError(e);
                        }
                        throw new IllegalArgumentException("first");
                    }));
                    return null;
                });
            } catch (Throwable t) {
                thrown.set(t);
            }
            return null;
        });
        assertThat(thrown.get()).isInstanceOf(GreenFailedException.class)
                .cause().isInstanceOf(IllegalArgumentException.class).hasMessage("first");
        assertThat(thrown.get().getSuppressed()).hasSize(1);
        assertThat(thrown.get().getSuppressed()[0]).hasRootCauseMessage("second");
        assertThat(seen).allMatch(GreenHandle::isDone);
        assertThat(seen.get(0).state()).isEqualTo(GreenState.FAILED);
    }

    @Test
    void bodyFailureCancelsTheChildrenAndIsRethrownAsIs() {
        List<GreenHandle<?>> seen = new ArrayList<>();
        assertThatThrownBy(() -> rt.run(() -> Green.scope(scope -> {
            seen.add(scope.spawn(() -> Green.sleep(Duration.ofDays(1))));
            seen.add(scope.spawn(() -> Green.receive()));
            throw new UnsupportedOperationException("body");
        }))).isInstanceOf(GreenFailedException.class).cause()
                .isInstanceOf(UnsupportedOperationException.class).hasMessage("body");
        assertThat(seen).hasSize(2).allMatch(GreenHandle::isDone);
    }

    @Test
    void aCancelledScopeCancelsItsChildrenAndWaitsForThem() throws Exception {
        List<GreenHandle<?>> seen = new ArrayList<>();
        CountDownLatch started = new CountDownLatch(3);
        GreenHandle<Object> owner = rt.spawn(() -> Green.scope(scope -> {
            for (int i = 0; i < 3; i++) {
                seen.add(scope.spawn(() -> {
                    started.countDown();
                    try {
                        Green.receive();
                    } catch (CancelledException e) {
                        // Slow clean-up: the scope must wait for it, cancelled or not.
                        long until = System.nanoTime() + 20_000_000L;
                        while (System.nanoTime() < until) {
                            Thread.onSpinWait();
                        }
                        throw e;
                    }
                }));
            }
            return Green.receive(); // the owner blocks in its body
        }));
        started.await();
        owner.cancel();
        assertThatThrownBy(owner::join).cause().isInstanceOf(CancelledException.class);
        assertThat(seen).hasSize(3).allMatch(GreenHandle::isDone);
    }

    @Test
    void explicitCancelAndSpawnAfterClose() {
        AtomicReference<Scope> escaped = new AtomicReference<>();
        int result = rt.run(() -> Green.scope(scope -> {
            escaped.set(scope);
            GreenHandle<Void> h = scope.spawn(() -> Green.sleep(Duration.ofDays(1)));
            scope.cancel();
            assertThat(scope.isCancelled()).isTrue();
            assertThatThrownBy(h::join).isInstanceOf(GreenFailedException.class)
                    .cause().isInstanceOf(CancelledException.class);
            return 1;
        }));
        assertThat(result).isEqualTo(1);
        rt.run(() -> {
            assertThatThrownBy(() -> escaped.get().spawn(() -> { }))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
            return null;
        });
    }

    @Test
    void noChildLeaksUnderManyFailingScopes() {
        int scopes = 200;
        List<GreenHandle<?>> all = java.util.Collections.synchronizedList(new ArrayList<>());
        int failures = rt.run(() -> {
            int failed = 0;
            for (int s = 0; s < scopes; s++) {
                int k = s;
                try {
                    Green.scope(scope -> {
                        for (int i = 0; i < 5; i++) {
                            int n = i;
                            all.add(scope.spawn(() -> {
                                if (n == k % 5) {
                                    Green.yield();
                                    throw new IllegalStateException("x");
                                }
                                Green.receive();
                            }));
                        }
                        return null;
                    });
                } catch (GreenFailedException e) {
                    failed++;
                }
            }
            return failed;
        });
        assertThat(failures).isEqualTo(scopes);
        assertThat(all).hasSize(scopes * 5).allMatch(GreenHandle::isDone);
    }

    @Test
    void joinAllReturnsResultsInOrderAndReportsEveryFailure() {
        rt.run(() -> {
            List<GreenHandle<Integer>> ok = List.of(Green.spawn(() -> 1), Green.spawn(() -> 2));
            assertThat(Green.joinAll(ok)).containsExactly(1, 2);
            List<GreenHandle<Integer>> bad = List.of(
                    Green.spawn(() -> 1),
                    Green.spawn(() -> { throw new IllegalStateException("a"); }),
                    Green.spawn(() -> { throw new IllegalStateException("b"); }));
            assertThatThrownBy(() -> Green.joinAll(bad)).isInstanceOf(GreenFailedException.class)
                    .hasRootCauseMessage("a")
                    .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
            assertThat(bad).allMatch(GreenHandle::isDone);
            return null;
        });
    }
}
