package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TaskScope policies, deadline, try-with-resources; Green.scope with checked exceptions. */
@Timeout(60)
class TaskScopeTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("taskscope").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    /** A child that sleeps "forever" and counts its cancellation. */
    private static String sleeper(AtomicInteger cancelled) {
        try {
            Green.sleep(Duration.ofMinutes(5));
        } catch (CancelledException e) {
            cancelled.incrementAndGet();
            throw e;
        }
        return "slept";
    }

    @Test
    void allSuccessfulReturnsTheResultsInForkOrder() {
        List<Integer> r = rt.run(() -> {
            try (TaskScope<Integer, List<Integer>> scope = TaskScope.open()) {
                for (int i = 5; i >= 1; i--) {
                    int n = i;
                    scope.fork(() -> {
                        Green.sleep(Duration.ofMillis(n * 5L));
                        return n;
                    });
                }
                return scope.join();
            }
        });
        assertThat(r).containsExactly(5, 4, 3, 2, 1);
    }

    @Test
    void allSuccessfulFailsFastAndCancelsTheOthers() {
        AtomicInteger cancelled = new AtomicInteger();
        IOException boom = new IOException("boom");
        Throwable thrown = rt.run(() -> {
            try (TaskScope<String, List<String>> scope = TaskScope.open(TaskScope.Joiner.allSuccessfulOrThrow())) {
                scope.fork(() -> sleeper(cancelled));
                scope.fork(() -> sleeper(cancelled));
                scope.fork(() -> {
                    throw boom;
                });
                scope.join();
                return null;
            } catch (GreenFailedException e) {
                return e;
            }
        });
        assertThat(thrown).isInstanceOf(GreenFailedException.class).cause().isSameAs(boom);
        assertThat(thrown.getSuppressed()).as("the cancellations it caused are not failures").isEmpty();
        assertThat(cancelled.get()).isEqualTo(2);
    }

    @Test
    void anySuccessfulReturnsTheFirstSuccessAndCancelsTheRest() {
        AtomicInteger cancelled = new AtomicInteger();
        String r = rt.run(() -> {
            try (TaskScope<String, String> scope = TaskScope.open(TaskScope.Joiner.anySuccessfulOrThrow())) {
                scope.fork(() -> sleeper(cancelled));
                scope.fork(() -> {
                    throw new IllegalStateException("a failure does not win");
                });
                scope.fork(() -> {
                    Green.sleep(Duration.ofMillis(20));
                    return "fast";
                });
                scope.fork(() -> sleeper(cancelled));
                return scope.join();
            }
        });
        assertThat(r).isEqualTo("fast");
        assertThat(cancelled.get()).as("join returns once every child ended").isEqualTo(2);
    }

    @Test
    void anySuccessfulWhenAllFailThrowsTheFirstFailureWithTheOthersSuppressed() {
        Throwable thrown = rt.run(() -> {
            try (TaskScope<String, String> scope = TaskScope.open(TaskScope.Joiner.anySuccessfulOrThrow())) {
                // "second" ends only after the scope has seen "first" end: callbacks run
                // in registration order on the ended thread, and both of first's are in
                // place before it may end. (A 50 ms sleep in "second" ordered them by
                // time, and lost on a loaded machine.)
                CountDownLatch registered = new CountDownLatch(1);
                CountDownLatch firstSeen = new CountDownLatch(1);
                GreenHandle<String> first = scope.fork(() -> {
                    registered.await();
                    throw new IllegalStateException("first");
                });
                first.onComplete((v, t) -> firstSeen.countDown()); // after the scope's own callback
                registered.countDown();
                scope.fork(() -> {
                    firstSeen.await();
                    throw new IllegalStateException("second");
                });
                scope.join();
                return null;
            } catch (GreenFailedException e) {
                return e;
            }
        });
        assertThat(thrown.getCause()).hasMessage("first");
        assertThat(thrown.getSuppressed()).hasSize(1);
        assertThat(thrown.getSuppressed()[0].getCause()).hasMessage("second");
        assertThatThrownBy(() -> rt.run(() -> {
            try (TaskScope<String, String> scope = TaskScope.open(TaskScope.Joiner.anySuccessfulOrThrow())) {
                return scope.join();
            }
        })).cause().isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void awaitAllCollectsEveryOutcomeAndCancelsNothing() {
        List<GreenHandle<String>> all = rt.run(() -> {
            try (TaskScope<String, List<GreenHandle<String>>> scope = TaskScope.open(TaskScope.Joiner.awaitAll())) {
                scope.fork(() -> "ok");
                scope.fork(() -> {
                    throw new IllegalStateException("bad");
                });
                scope.fork(() -> {
                    Green.sleep(Duration.ofMillis(50));
                    return "late";
                });
                return scope.join();
            }
        });
        assertThat(all).extracting(GreenHandle::state)
                .containsExactly(GreenState.SUCCEEDED, GreenState.FAILED, GreenState.SUCCEEDED);
        assertThat(all.get(0).resultNow()).isEqualTo("ok");
        assertThat(all.get(1).exceptionNow()).hasMessage("bad");
        assertThat(all.get(2).resultNow()).isEqualTo("late");
    }

    @Test
    void theDeadlineCancelsTheChildrenAndJoinThrowsTimedOut() {
        AtomicInteger cancelled = new AtomicInteger();
        long t0 = System.nanoTime();
        Throwable thrown = rt.run(() -> {
            try (TaskScope<String, List<String>> scope = TaskScope.open(TaskScope.Joiner.allSuccessfulOrThrow(),
                    Duration.ofMillis(100))) {
                scope.fork(() -> sleeper(cancelled));
                scope.fork(() -> sleeper(cancelled));
                scope.join();
                return null;
            } catch (TimedOutException e) {
                return e;
            }
        });
        assertThat(thrown).isInstanceOf(TimedOutException.class);
        assertThat(cancelled.get()).isEqualTo(2);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
    }

    @Test
    void theDeadlineCountsFromOpenEvenBeforeJoin() throws Exception {
        CountDownLatch cancelledBeforeJoin = new CountDownLatch(1);
        Throwable thrown = rt.run(() -> {
            try (TaskScope<String, List<String>> scope = TaskScope.open(TaskScope.Joiner.allSuccessfulOrThrow(),
                    Duration.ofMillis(50))) {
                scope.fork(() -> {
                    try {
                        Green.sleep(Duration.ofMinutes(5));
                    } finally {
                        cancelledBeforeJoin.countDown();
                    }
                    return "never";
                });
                // the owner is busy elsewhere; the deadline still stops the scope
                assertThat(cancelledBeforeJoin.await(10, TimeUnit.SECONDS)).isTrue();
                scope.join();
                return null;
            } catch (TimedOutException e) {
                return e;
            }
        });
        assertThat(thrown).isInstanceOf(TimedOutException.class);
    }

    @Test
    void aScopeThatFinishesInTimeIsNotTimedOut() {
        List<String> r = rt.run(() -> {
            try (TaskScope<String, List<String>> scope = TaskScope.open(TaskScope.Joiner.allSuccessfulOrThrow(),
                    Duration.ofSeconds(30))) {
                scope.fork(() -> "a");
                return scope.join();
            }
        });
        assertThat(r).containsExactly("a");
    }

    @Test
    void closeWithoutJoinCancelsAndWaitsForTheChildren() {
        AtomicInteger cancelled = new AtomicInteger();
        AtomicReference<GreenHandle<String>> child = new AtomicReference<>();
        assertThatThrownBy(() -> rt.run(() -> {
            try (TaskScope<String, List<String>> scope = TaskScope.open()) {
                child.set(scope.fork(() -> sleeper(cancelled)));
                throw new IOException("the block fails before join");
            }
        })).cause().isInstanceOf(IOException.class);
        assertThat(child.get().isDone()).as("no child outlives the block").isTrue();
        assertThat(cancelled.get()).isEqualTo(1);
    }

    @Test
    void cancellingTheOwnerCancelsTheChildren() throws Exception {
        AtomicInteger cancelled = new AtomicInteger();
        CountDownLatch forked = new CountDownLatch(1);
        GreenHandle<Object> owner = rt.spawn(() -> {
            try (TaskScope<String, List<String>> scope = TaskScope.open()) {
                scope.fork(() -> sleeper(cancelled));
                forked.countDown();
                return scope.join();
            }
        });
        assertThat(forked.await(10, TimeUnit.SECONDS)).isTrue();
        owner.cancel();
        assertThatThrownBy(owner::join).isInstanceOf(GreenFailedException.class)
                .hasCauseInstanceOf(CancelledException.class);
        assertThat(cancelled.get()).isEqualTo(1);
    }

    @Test
    void misuse() {
        assertThatThrownBy(TaskScope::open).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("green thread");
        rt.run(() -> {
            assertThatThrownBy(() -> TaskScope.open(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> TaskScope.open(TaskScope.Joiner.awaitAll(), null))
                    .isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> TaskScope.open(TaskScope.Joiner.awaitAll(), Duration.ofMillis(-1)))
                    .isInstanceOf(IllegalArgumentException.class);
            try (TaskScope<Object, List<Object>> scope = TaskScope.open()) {
                assertThatThrownBy(() -> scope.fork(null)).isInstanceOf(NullPointerException.class);
                assertThatThrownBy(() -> Green.spawn(scope::join).join()).isInstanceOf(GreenFailedException.class)
                        .hasCauseInstanceOf(IllegalStateException.class);
                scope.fork(() -> 1);
                assertThat(scope.join()).containsExactly(1);
                assertThatThrownBy(scope::join).isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(() -> scope.fork(() -> 2)).isInstanceOf(IllegalStateException.class);
            }
        });
    }

    @Test
    void greenScopeRethrowsTheBodysCheckedExceptionAsItWas() {
        IOException io = new IOException("checked");
        Object seen = rt.<Object>run(() -> {
            try {
                return Green.<String, IOException>scope(scope -> {
                    scope.spawn(() -> 1);
                    throw io;
                });
            } catch (IOException e) {
                return e;
            }
        });
        assertThat(seen).isSameAs(io);
    }
}
