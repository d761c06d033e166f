package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Once {@code cancel} of a {@link GreenHandle#asFuture()} view returned true,
 * the view is done and cancelled, so its {@code get} throws
 * {@link CancellationException} at once, as {@code FutureTask}'s and
 * {@code CompletableFuture}'s do, even while the green thread is still
 * winding down. Before, {@code get(0, unit)} threw TimeoutException and
 * {@code get()} (also one already waiting when the view was cancelled)
 * blocked until the thread ended.
 */
@Timeout(60)
class HandleFutureCancelTest {

    /** A thread that takes its time to end once cancelled: it waits for {@code release}. */
    private static GreenHandle<String> slowToEnd(Verdant rt, CountDownLatch started, CountDownLatch release) {
        return rt.spawn(() -> {
            started.countDown();
            try {
                Green.sleep(Duration.ofMinutes(5));
            } catch (CancelledException e) {
                Thread.interrupted();
            }
            release.await();
            return "late";
        });
    }

    @Test
    void getOfACancelledViewThrowsAtOnce() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("fcancel-1").build())) {
            try {
                GreenHandle<String> h = slowToEnd(rt, started, release);
                Future<String> f = h.asFuture();
                assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(f.cancel(true)).isTrue();
                assertThat(f.isDone()).isTrue();
                assertThat(f.isCancelled()).isTrue();
                assertThat(f.state()).isEqualTo(Future.State.CANCELLED);
                assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                    assertThatThrownBy(() -> f.get(0, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
                    assertThatThrownBy(() -> f.get(1, TimeUnit.MINUTES)).isInstanceOf(CancellationException.class);
                    assertThatThrownBy(f::get).isInstanceOf(CancellationException.class);
                    assertThatThrownBy(() -> rt.run(() -> f.get())).isInstanceOf(GreenFailedException.class)
                            .hasCauseInstanceOf(CancellationException.class);
                });
                assertThat(h.isDone()).as("the thread is still winding down").isFalse();
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    void aGetAlreadyWaitingReturnsWhenTheViewIsCancelled() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("fcancel-2").build())) {
            Thread waiter = null;
            try {
                GreenHandle<String> h = slowToEnd(rt, started, release);
                Future<String> f = h.asFuture();
                assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
                CompletableFuture<Throwable> platform = new CompletableFuture<>();
                waiter = Thread.ofPlatform().name("getter").start(() -> {
                    try {
                        platform.complete(new AssertionError("returned " + f.get()));
                    } catch (Throwable t) {
                        platform.complete(t);
                    }
                });
                GreenHandle<Throwable> green = rt.spawn(() -> {
                    try {
                        return new AssertionError("returned " + f.get());
                    } catch (Throwable t) {
                        return t;
                    }
                });
                while (waiter.getState() != Thread.State.WAITING || green.state() != GreenState.WAITING) {
                    Thread.sleep(1);
                }
                assertThat(f.cancel(false)).isTrue();
                assertThat(platform.get(20, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
                assertThat(green.join(Duration.ofSeconds(20))).isInstanceOf(CancellationException.class);
                assertThat(h.isDone()).as("the thread is still winding down").isFalse();
            } finally {
                release.countDown();
                if (waiter != null) {
                    waiter.interrupt();
                    waiter.join();
                }
            }
        }
    }
    /** The wait that cancel() can end still ends on the caller's interrupt, as FutureTask's does. */
    @Test
    void aPlatformGetInterruptedWhileWaitingThrowsInterruptedException() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("fcancel-3").build())) {
            try {
                Future<String> f = rt.spawn(() -> {
                    release.await();
                    return "released";
                }).asFuture();
                for (boolean timed : new boolean[] {false, true}) {
                    CompletableFuture<String> seen = new CompletableFuture<>();
                    Thread getter = Thread.ofPlatform().name("getter").start(() -> {
                        try {
                            seen.complete("returned " + (timed ? f.get(1, TimeUnit.MINUTES) : f.get()));
                        } catch (Throwable t) {
                            seen.complete(t.getClass().getSimpleName() + " interrupted=" + Thread.currentThread().isInterrupted());
                        }
                    });
                    while (getter.getState() != (timed ? Thread.State.TIMED_WAITING : Thread.State.WAITING)) {
                        Thread.sleep(1);
                    }
                    getter.interrupt();
                    assertThat(seen.get(20, TimeUnit.SECONDS)).isEqualTo("InterruptedException interrupted=false");
                    getter.join();
                }
                assertThat(f.state()).isEqualTo(Future.State.RUNNING);
                release.countDown();
                assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("released");
            } finally {
                release.countDown();
            }
        }
    }
    /**
     * Cancel racing the thread's end and a waiting get(): the get always returns,
     * and what it reports agrees with the view (no lost wake-up).
     */
    @Test
    void cancelRacingTheEndAndAWaiterNeverLosesTheWaiter() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("fcancel-4").build())) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            for (int i = 0; i < 300 && System.nanoTime() < end; i++) {
                CountDownLatch go = new CountDownLatch(1);
                Future<Integer> f = rt.spawn(() -> {
                    go.await();
                    Green.yield();
                    return 1;
                }).asFuture();
                GreenHandle<String> waiter = rt.spawn(() -> {
                    try {
                        return "value " + f.get();
                    } catch (CancellationException e) {
                        return "cancelled";
                    }
                });
                go.countDown();
                boolean cancelled = f.cancel(i % 2 == 0);
                String seen = waiter.join(Duration.ofSeconds(20));
                assertThat(seen).isEqualTo(cancelled ? "cancelled" : "value 1");
                assertThat(f.isCancelled()).isEqualTo(cancelled);
            }
        }
    }
}
