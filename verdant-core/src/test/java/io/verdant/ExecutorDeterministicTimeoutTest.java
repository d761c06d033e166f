package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static io.verdant.DetRuns.runDet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The timed waits on an executor's futures ({@code Future.get(timeout)}, the
 * timed {@code invokeAll}) in a deterministic runtime: they wait in virtual
 * time, as every Verdant timeout does, instead of being refused as a JDK timed
 * wait.
 */
@Timeout(60)
class ExecutorDeterministicTimeoutTest {
    private static final Duration HOUR = Duration.ofHours(1);

    /** Runs {@code body} twice with one seed; returns its result, after checking both runs took the same schedule. */
    private static <T> T twice(long seed, Callable<T> body) {
        List<ScheduleTrace> traces = new ArrayList<>();
        long realStart = System.nanoTime();
        T first = runDet(Determinism.seed(seed), body, traces);
        T second = runDet(Determinism.seed(seed), body, traces);
        assertThat((System.nanoTime() - realStart) / 1_000_000).as("real ms for virtual hours").isLessThan(20_000);
        assertThat(second).isEqualTo(first);
        assertThat(traces.get(1)).isEqualTo(traces.get(0));
        return first;
    }

    @Test
    void timedGetOfATaskThatOutlivesItTimesOutAtTheVirtualDeadline() {
        long waited = twice(11, () -> {
            try (ExecutorService ex = Green.spawner().executor()) {
                Future<Integer> f = ex.submit(() -> {
                    Green.sleep(Duration.ofDays(1));
                    return 1;
                });
                long t0 = Green.nanoTime();
                assertThatThrownBy(() -> f.get(1, TimeUnit.HOURS)).isInstanceOf(TimeoutException.class);
                long w = Green.nanoTime() - t0;
                ex.shutdownNow();
                return w;
            }
        });
        assertThat(waited).isEqualTo(HOUR.toNanos());
    }

    @Test
    void timedGetReturnsTheResultWhenTheTaskEndsFirst() {
        long[] seen = twice(12, () -> {
            try (ExecutorService ex = Green.spawner().executor()) {
                Future<Integer> f = ex.submit(() -> {
                    Green.sleep(Duration.ofMinutes(10));
                    return 42;
                });
                long t0 = Green.nanoTime();
                int v = f.get(1, TimeUnit.HOURS);
                return new long[] {v, Green.nanoTime() - t0};
            }
        });
        assertThat(seen).containsExactly(42, Duration.ofMinutes(10).toNanos());
    }

    @Test
    void aCancelledWaiterInTimedGetGetsInterruptedException() {
        String outcome = twice(13, () -> {
            try (ExecutorService ex = Green.spawner().executor()) {
                Future<Integer> f = ex.submit(() -> {
                    Green.sleep(Duration.ofDays(1));
                    return 1;
                });
                GreenHandle<String> waiter = Green.spawn(() -> {
                    try {
                        return "got " + f.get(2, TimeUnit.HOURS);
                    } catch (InterruptedException e) {
                        return "interrupted at " + Green.nanoTime();
                    }
                });
                Green.sleep(Duration.ofMinutes(5));
                waiter.cancel();
                String s = waiter.join();
                ex.shutdownNow();
                return s;
            }
        });
        assertThat(outcome).isEqualTo("interrupted at " + Duration.ofMinutes(5).toNanos());
    }

    @Test
    void timedInvokeAllCancelsTheLateTaskAtTheVirtualDeadline() {
        List<String> seen = twice(14, () -> {
            try (ExecutorService ex = Green.spawner().executor()) {
                long t0 = Green.nanoTime();
                List<Future<Integer>> fs = ex.invokeAll(List.<Callable<Integer>>of(
                        () -> {
                            Green.sleep(Duration.ofDays(1));
                            return 1;
                        },
                        () -> {
                            Green.sleep(Duration.ofMinutes(20));
                            return 2;
                        }), 1, TimeUnit.HOURS);
                long waited = Green.nanoTime() - t0;
                List<String> out = new ArrayList<>();
                out.add("waited=" + waited);
                for (Future<Integer> f : fs) {
                    out.add(f.state() == Future.State.SUCCESS ? "ok " + f.resultNow() : f.state().toString());
                }
                return out;
            }
        });
        assertThat(seen).containsExactly("waited=" + HOUR.toNanos(), "CANCELLED", "ok 2");
    }

    @Test
    void timedInvokeAnyReturnsTheFirstSuccessInVirtualTime() {
        String seen = twice(15, () -> {
            try (ExecutorService ex = Green.spawner().executor()) {
                long t0 = Green.nanoTime();
                String r = ex.invokeAny(List.<Callable<String>>of(
                        () -> {
                            Green.sleep(Duration.ofDays(1));
                            return "slow";
                        },
                        () -> {
                            Green.sleep(Duration.ofMinutes(20));
                            throw new IllegalStateException("failed");
                        },
                        () -> {
                            Green.sleep(Duration.ofMinutes(30));
                            return "fast";
                        }), 1, TimeUnit.HOURS);
                return r + " after " + (Green.nanoTime() - t0);
            }
        });
        assertThat(seen).isEqualTo("fast after " + Duration.ofMinutes(30).toNanos());
    }

    @Test
    void timedInvokeAnyTimesOutAtTheVirtualDeadline() {
        long waited = twice(16, () -> {
            try (ExecutorService ex = Green.spawner().executor()) {
                long t0 = Green.nanoTime();
                assertThatThrownBy(() -> ex.invokeAny(List.<Callable<String>>of(() -> {
                    Green.sleep(Duration.ofDays(1));
                    return "slow";
                }), 1, TimeUnit.HOURS)).isInstanceOf(TimeoutException.class);
                return Green.nanoTime() - t0;
            }
        });
        assertThat(waited).isEqualTo(HOUR.toNanos());
    }

    @Test
    void timedInvokeAnyOfFailingTasksThrowsExecutionException() {
        String seen = twice(17, () -> {
            try (ExecutorService ex = Green.spawner().executor()) {
                try {
                    ex.invokeAny(List.<Callable<String>>of(() -> {
                        Green.sleep(Duration.ofMinutes(3));
                        throw new IllegalStateException("failed");
                    }), 1, TimeUnit.HOURS);
                    return "returned";
                } catch (java.util.concurrent.ExecutionException e) {
                    return e.getCause().getMessage() + " at " + Green.nanoTime();
                }
            }
        });
        assertThat(seen).isEqualTo("failed at " + Duration.ofMinutes(3).toNanos());
    }

    @Test
    void inANormalRuntimeAGreenCallersTimedWaitsBehaveTheSame() {
        List<String> seen = Verdant.run(DetRuns.QUIET, () -> {
            try (ExecutorService ex = Green.spawner().executor()) {
                List<String> out = new ArrayList<>();
                Future<String> slow = ex.submit(() -> {
                    Green.sleep(Duration.ofMinutes(5));
                    return "slow";
                });
                try {
                    slow.get(50, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    out.add("get timed out");
                }
                out.add(ex.submit(() -> "quick").get(10, TimeUnit.SECONDS));
                out.add(ex.invokeAny(List.<Callable<String>>of(() -> {
                    Green.sleep(Duration.ofMinutes(5));
                    return "slow";
                }, () -> "any"), 10, TimeUnit.SECONDS));
                slow.cancel(true);
                return out;
            }
        });
        assertThat(seen).containsExactly("get timed out", "quick", "any");
    }
}
