package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Verdant#executor()}: the lifecycle of the JDK's per-task virtual-thread executor, on green threads. */
@Timeout(60)
class ExecutorTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("exec").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void tasksRunAsGreenThreadsOfTheRuntime() throws Exception {
        try (ExecutorService ex = rt.executor()) {
            Future<String> f = ex.submit(() -> Green.isGreen() + " " + Green.runtime().name());
            assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("true exec");
            CountDownLatch ran = new CountDownLatch(1);
            AtomicReference<Boolean> green = new AtomicReference<>();
            ex.execute(() -> {
                green.set(Green.isGreen());
                ran.countDown();
            });
            assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(green.get()).isTrue();
        }
    }

    /**
     * A task given to execute that throws ends its green thread with that failure, which the
     * runtime's failure handler sees; a submitted task's exception stays in its Future (as in the
     * JDK) and its thread ends normally (the docs said every task that throws reached the handler).
     */
    @Test
    void onlyAnExecutedTasksFailureReachesTheFailureHandler() throws Exception {
        java.util.Queue<Throwable> handled = new java.util.concurrent.ConcurrentLinkedQueue<>();
        CountDownLatch executedFailed = new CountDownLatch(1);
        try (Verdant own = Verdant.start(Config.builder().workers(2).name("exec-failures")
                .failureHandler((pid, failure) -> {
                    handled.add(failure);
                    executedFailed.countDown();
                }).build())) {
            ExecutorService ex = own.executor();
            Future<Object> submitted = ex.submit(() -> {
                throw new java.io.IOException("submitted");
            });
            assertThatThrownBy(() -> submitted.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(java.io.IOException.class);
            ex.execute(() -> {
                throw new IllegalStateException("executed");
            });
            assertThat(executedFailed.await(10, TimeUnit.SECONDS)).isTrue();
            ex.shutdown();
            assertThat(ex.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(handled).singleElement().isInstanceOf(IllegalStateException.class)
                .extracting(Throwable::getMessage).isEqualTo("executed");
    }

    @Test
    void completableFutureSupplyAsyncRunsOnAGreenThread() {
        try (ExecutorService ex = rt.executor()) {
            CompletableFuture<Boolean> f = CompletableFuture.supplyAsync(Green::isGreen, ex)
                    .thenApplyAsync(g -> g && Green.isGreen(), ex);
            assertThat(f.join()).isTrue();
        }
    }

    @Test
    void spawnerSettingsNameAndPrioritiseTheTasks() throws Exception {
        try (ExecutorService ex = rt.spawner().name("worker-", 7).priority(Priority.HIGH).executor()) {
            Callable<String> who = () -> Thread.currentThread().getName() + "/" + Green.priority();
            List<Future<String>> fs = ex.invokeAll(List.of(who, who, who));
            List<String> names = fs.stream().map(Future::resultNow).sorted().toList();
            assertThat(names).containsExactly("worker-7/HIGH", "worker-8/HIGH", "worker-9/HIGH");
        }
    }

    @Test
    void shutdownRejectsNewTasksLetsRunningOnesFinishAndTerminates() throws Exception {
        ExecutorService ex = rt.executor();
        CountDownLatch release = new CountDownLatch(1);
        Future<String> running = ex.submit(() -> {
            release.await();
            return "finished";
        });
        ex.shutdown();
        assertThat(ex.isShutdown()).isTrue();
        assertThatThrownBy(() -> ex.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> ex.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class);
        assertThat(ex.awaitTermination(50, TimeUnit.MILLISECONDS)).as("a task still runs").isFalse();
        assertThat(ex.isTerminated()).isFalse();
        release.countDown();
        assertThat(ex.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ex.isTerminated()).isTrue();
        assertThat(running.get()).isEqualTo("finished");
        ex.close(); // idempotent after termination
    }

    @Test
    void shutdownNowCancelsTheTasksAndWhatTheySpawned() throws Exception {
        ExecutorService ex = rt.executor();
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Throwable> childSaw = new AtomicReference<>();
        Future<Object> task = ex.submit(() -> {
            GreenHandle<Void> child = Green.spawn(() -> {
                try {
                    Green.sleep(Duration.ofMinutes(5));
                } catch (CancelledException e) {
                    childSaw.set(e);
                    throw e;
                }
            });
            started.countDown();
            Green.sleep(Duration.ofMinutes(5));
            return child;
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ex.shutdownNow()).isEmpty();
        assertThat(ex.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(task::get).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(CancelledException.class);
        // the child is not a task, so termination does not wait for it: it is cancelled all the same
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (childSaw.get() == null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(childSaw.get()).isInstanceOf(CancelledException.class);
        assertThatThrownBy(() -> ex.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void futureCancelCancelsTheGreenThread() throws Exception {
        try (ExecutorService ex = rt.executor()) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch sawCancel = new CountDownLatch(1);
            Future<Object> f = ex.submit(() -> {
                started.countDown();
                try {
                    Green.sleep(Duration.ofMinutes(5));
                } catch (CancelledException e) {
                    sawCancel.countDown();
                }
                return null;
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(f.cancel(true)).isTrue();
            assertThat(f.isCancelled()).isTrue();
            assertThatThrownBy(f::get).isInstanceOf(CancellationException.class);
            assertThat(sawCancel.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void invokeAnyReturnsTheFirstSuccessAndCancelsTheRest() throws Exception {
        try (ExecutorService ex = rt.executor()) {
            CountDownLatch loserCancelled = new CountDownLatch(1);
            // The winner waits until the loser runs: a task cancelled before it starts
            // never runs at all (FutureTask), which would prove nothing here.
            CountDownLatch loserRunning = new CountDownLatch(1);
            String winner = ex.invokeAny(List.of(
                    () -> {
                        loserRunning.countDown();
                        try {
                            Green.sleep(Duration.ofMinutes(5));
                        } catch (CancelledException e) {
                            loserCancelled.countDown();
                            throw e;
                        }
                        return "slow";
                    },
                    () -> {
                        throw new IllegalStateException("broken");
                    },
                    () -> {
                        loserRunning.await();
                        return "fast";
                    }));
            assertThat(winner).isEqualTo("fast");
            assertThat(loserCancelled.await(10, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> ex.invokeAny(List.<Callable<String>>of(() -> {
                throw new IllegalStateException("all fail");
            }))).isInstanceOf(ExecutionException.class);
        }
    }

    @Test
    void invokeAllWithATimeoutCancelsTheThreadsOfTheUnfinishedTasks() throws Exception {
        // The quick task must end within the timeout, which a loaded machine can delay past a
        // short one (300 ms was): a round where it did not is tried again with a longer one.
        long[] timeoutsMillis = {300, 2_000, 20_000};
        for (int round = 0; round < timeoutsMillis.length; round++) {
            try (ExecutorService ex = rt.executor()) {
                CountDownLatch slowRunning = new CountDownLatch(1);
                CountDownLatch slowCancelled = new CountDownLatch(1);
                List<Future<String>> fs = ex.invokeAll(List.of(
                        () -> "quick",
                        () -> {
                            slowRunning.countDown();
                            try {
                                Green.sleep(Duration.ofMinutes(5));
                            } catch (CancelledException e) {
                                slowCancelled.countDown();
                                throw e;
                            }
                            return "slow";
                        }), timeoutsMillis[round], TimeUnit.MILLISECONDS);
                assertThat(fs.get(1).isCancelled()).isTrue();
                assertThatThrownBy(() -> fs.get(1).get()).isInstanceOf(CancellationException.class);
                if (slowRunning.getCount() == 0) {
                    // it had started: its green thread was cancelled, not only its Future
                    assertThat(slowCancelled.await(10, TimeUnit.SECONDS)).isTrue();
                }
                if (fs.get(0).isCancelled() && round < timeoutsMillis.length - 1) {
                    continue; // the quick task had not ended within the timeout: a longer one
                }
                assertThat(fs.get(0).resultNow()).isEqualTo("quick");
                return;
            }
        }
    }

    @Test
    void closeWaitsForTheTasks() {
        AtomicReference<String> done = new AtomicReference<>();
        try (ExecutorService ex = rt.executor()) {
            ex.execute(() -> {
                Green.sleep(Duration.ofMillis(100));
                done.set("done");
            });
        }
        assertThat(done.get()).isEqualTo("done");
    }

    @Test
    void awaitTerminationInAGreenThreadParksAndIsInterruptedByCancellation() throws Exception {
        ExecutorService ex = rt.executor();
        CountDownLatch release = new CountDownLatch(1);
        ex.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ex.shutdown();
        GreenHandle<Object> waiter = rt.spawn(() -> {
            try {
                return ex.awaitTermination(5, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                return e;
            }
        });
        while (waiter.state() != GreenState.WAITING) {
            Thread.sleep(1);
        }
        waiter.cancel();
        assertThat(waiter.join(Duration.ofSeconds(10))).isInstanceOf(InterruptedException.class);
        release.countDown();
        assertThat(rt.run(() -> ex.awaitTermination(10, TimeUnit.SECONDS))).isTrue();
    }

    @Test
    void tasksAreRejectedOnceTheRuntimeIsClosed() {
        ExecutorService ex = rt.executor();
        rt.close();
        assertThatThrownBy(() -> ex.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
        ex.shutdown();
        assertThat(ex.isTerminated()).isTrue();
    }

    @Test
    void tasksAreCancelledWithTheSpawnersTokenButNotWithTheirSubmitter() throws Exception {
        CancelToken token = CancelToken.create();
        try (ExecutorService ex = rt.spawner().cancelWith(token).executor()) {
            CountDownLatch started = new CountDownLatch(2);
            Future<Object> viaToken = ex.submit(() -> {
                started.countDown();
                Green.sleep(Duration.ofMinutes(5));
                return "never";
            });
            // submitted by a green thread that is then cancelled: the task is not its child
            CountDownLatch release = new CountDownLatch(1);
            AtomicReference<Future<String>> outliving = new AtomicReference<>();
            GreenHandle<Object> submitter = rt.spawn(() -> {
                outliving.set(ex.submit(() -> {
                    started.countDown();
                    release.await();
                    return "outlived its submitter";
                }));
                Green.sleep(Duration.ofMinutes(5));
                return null;
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            submitter.cancel();
            assertThatThrownBy(submitter::join).isInstanceOf(GreenFailedException.class);
            release.countDown();
            assertThat(outliving.get().get(10, TimeUnit.SECONDS)).isEqualTo("outlived its submitter");
            token.cancel();
            assertThatThrownBy(() -> viaToken.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(CancelledException.class);
        }
    }

    @Test
    void badInput() {
        try (ExecutorService ex = rt.executor()) {
            assertThatThrownBy(() -> ex.execute(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> ex.submit((Callable<Object>) null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> ex.awaitTermination(1, null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> rt.spawner().name(null, 0)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> rt.spawner().name("w-", -1)).isInstanceOf(IllegalArgumentException.class);
        }
        rt.run(() -> {
            assertThatThrownBy(() -> Green.spawner().link().executor()).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> Green.spawner().link().threadFactory()).isInstanceOf(IllegalStateException.class);
        });
    }
}
