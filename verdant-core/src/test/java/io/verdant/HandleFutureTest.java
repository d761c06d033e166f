package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** GreenHandle's JDK views: resultNow/exceptionNow, asFuture, toCompletableFuture, onComplete. */
@Timeout(60)
class HandleFutureTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("fut").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    private GreenHandle<String> parked(CountDownLatch release) {
        return rt.spawn(() -> {
            release.await();
            return "released";
        });
    }

    @Test
    void resultNowAndExceptionNow() {
        CountDownLatch release = new CountDownLatch(1);
        GreenHandle<String> h = parked(release);
        assertThatThrownBy(h::resultNow).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(h::exceptionNow).isInstanceOf(IllegalStateException.class);
        release.countDown();
        h.join();
        assertThat(h.resultNow()).isEqualTo("released");
        assertThatThrownBy(h::exceptionNow).isInstanceOf(IllegalStateException.class);

        IllegalArgumentException boom = new IllegalArgumentException("boom");
        GreenHandle<Object> f = rt.spawn(() -> {
            throw boom;
        });
        assertThatThrownBy(f::join).isInstanceOf(GreenFailedException.class);
        assertThat(f.exceptionNow()).isSameAs(boom);
        assertThatThrownBy(f::resultNow).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void futureViewOfASuccessAndAFailure() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Future<String> f = parked(release).asFuture();
        assertThat(f.state()).isEqualTo(Future.State.RUNNING);
        assertThat(f.isDone()).isFalse();
        assertThatThrownBy(() -> f.get(20, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThatThrownBy(() -> f.get(-1, TimeUnit.SECONDS)).as("negative: do not wait")
                .isInstanceOf(TimeoutException.class);
        assertThatThrownBy(f::resultNow).isInstanceOf(IllegalStateException.class);
        release.countDown();
        assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("released");
        assertThat(f.state()).isEqualTo(Future.State.SUCCESS);
        assertThat(f.resultNow()).isEqualTo("released");
        assertThat(f.cancel(true)).as("too late").isFalse();
        assertThat(f.isCancelled()).isFalse();

        IllegalStateException boom = new IllegalStateException("boom");
        Future<Object> failed = rt.spawn(() -> {
            throw boom;
        }).asFuture();
        assertThatThrownBy(failed::get).isInstanceOf(ExecutionException.class).cause().isSameAs(boom);
        assertThat(failed.state()).isEqualTo(Future.State.FAILED);
        assertThat(failed.exceptionNow()).isSameAs(boom);
    }

    @Test
    void cancellingTheFutureViewCancelsTheThread() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        GreenHandle<String> h = rt.spawn(() -> {
            started.countDown();
            Green.sleep(Duration.ofMinutes(5));
            return "never";
        });
        Future<String> f = h.asFuture();
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(f.cancel(false)).isTrue();
        assertThat(f.isCancelled()).isTrue();
        assertThat(f.isDone()).isTrue();
        assertThat(f.state()).isEqualTo(Future.State.CANCELLED);
        assertThat(f.cancel(true)).isFalse();
        assertThatThrownBy(f::get).isInstanceOf(CancellationException.class);
        assertThatThrownBy(h::join).isInstanceOf(GreenFailedException.class).hasCauseInstanceOf(CancelledException.class);
        // another view of the same handle sees a thread that ended by cancellation
        assertThat(h.asFuture().state()).isEqualTo(Future.State.CANCELLED);
        assertThatThrownBy(f::exceptionNow).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void getInAGreenThreadParksAndCancellationIsAnInterruptedException() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Future<String> f = parked(release).asFuture();
        GreenHandle<Object> waiter = rt.spawn(() -> {
            try {
                return f.get();
            } catch (InterruptedException e) {
                return e;
            }
        });
        while (waiter.state() != GreenState.WAITING) {
            Thread.sleep(1);
        }
        waiter.cancel();
        assertThat(waiter.join(Duration.ofSeconds(10))).isInstanceOf(InterruptedException.class);
        assertThat(f.isDone()).isFalse();
        release.countDown();
        assertThat(rt.run(() -> f.get())).isEqualTo("released");
    }

    @Test
    void toCompletableFutureCompletesWithTheOutcome() {
        assertThat(rt.spawn(() -> 21).toCompletableFuture().thenApply(x -> x * 2).join()).isEqualTo(42);

        IllegalStateException boom = new IllegalStateException("boom");
        CompletableFuture<Object> failed = rt.spawn(() -> {
            throw boom;
        }).toCompletableFuture();
        assertThatThrownBy(failed::join).isInstanceOf(CompletionException.class).cause().isSameAs(boom);

        GreenHandle<Object> sleeper = rt.spawn(() -> {
            Green.sleep(Duration.ofMinutes(5));
            return null;
        });
        CompletableFuture<Object> cf = sleeper.toCompletableFuture();
        sleeper.cancel();
        assertThatThrownBy(cf::join).isInstanceOf(CancellationException.class);
        assertThat(cf.isCancelled()).as("a thread ended by CancelledException is a cancelled future").isTrue();
    }

    @Test
    void aGreenCallerOfTheCompletableFutureGetsWhatTheJdksGetAndJoinGive() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> cf = parked(release).toCompletableFuture();
        CompletableFuture<String> failed = rt.<String>spawn(() -> {
            throw new IllegalStateException("boom");
        }).toCompletableFuture();
        rt.run(() -> {
            assertThatThrownBy(() -> cf.get(10, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
            assertThatThrownBy(() -> cf.get(0, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> cf.get(0, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
            assertThat(Thread.currentThread().isInterrupted()).isFalse();
            Thread.currentThread().interrupt();
            assertThatThrownBy(cf::get).isInstanceOf(InterruptedException.class);
            assertThat(Thread.currentThread().isInterrupted()).isFalse();
            assertThatThrownBy(failed::get).isInstanceOf(ExecutionException.class)
                    .hasRootCauseInstanceOf(IllegalStateException.class);
            assertThatThrownBy(failed::join).isInstanceOf(CompletionException.class)
                    .hasRootCauseInstanceOf(IllegalStateException.class);
            // join ignores an interrupt (kept set) and waits for the outcome.
            Thread.currentThread().interrupt();
            rt.spawn(() -> {
                Green.sleep(Duration.ofMillis(20));
                release.countDown();
            });
            assertThat(cf.join()).isEqualTo("released");
            assertThat(Thread.interrupted()).isTrue();
            assertThat(cf.get()).isEqualTo("released");
            assertThat(cf.get(1, TimeUnit.SECONDS)).isEqualTo("released");
            return null;
        });
    }

    @Test
    void cancellingTheCompletableFutureCancelsTheThread() {
        CountDownLatch started = new CountDownLatch(1);
        GreenHandle<Object> h = rt.spawn(() -> {
            started.countDown();
            Green.sleep(Duration.ofMinutes(5));
            return null;
        });
        CompletableFuture<Object> cf = h.toCompletableFuture();
        assertThat(cf.cancel(true)).isTrue();
        assertThatThrownBy(() -> h.join(Duration.ofSeconds(10))).isInstanceOf(GreenFailedException.class)
                .hasCauseInstanceOf(CancelledException.class);
    }

    @Test
    void onCompleteRunsOnTheEndedGreenThreadOrOnTheCallerIfAlreadyDone() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        GreenHandle<String> h = parked(release);
        List<String> calls = new CopyOnWriteArrayList<>();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(2);
        h.onComplete((v, t) -> {
            calls.add("first " + v + " " + t + " " + Green.isGreen());
            ranOn.set(Thread.currentThread());
            done.countDown();
        });
        h.onComplete((v, t) -> {
            throw new IllegalStateException("a failing callback does not stop the others");
        });
        h.onComplete((v, t) -> {
            calls.add("second");
            done.countDown();
        });
        release.countDown();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(calls).containsExactly("first released null true", "second");
        assertThat(ranOn.get().isVirtual()).isTrue();

        AtomicReference<Thread> inline = new AtomicReference<>();
        h.onComplete((v, t) -> inline.set(Thread.currentThread()));
        assertThat(inline.get()).as("already done: runs on the caller").isSameAs(Thread.currentThread());

        IllegalStateException boom = new IllegalStateException("boom");
        GreenHandle<Object> f = rt.spawn(() -> {
            throw boom;
        });
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch failed = new CountDownLatch(1);
        f.onComplete((v, t) -> {
            failure.set(t);
            failed.countDown();
        });
        assertThat(failed.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(failure.get()).isSameAs(boom);
        assertThatThrownBy(() -> h.onComplete(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void aCallbackSurvivesJoinsThatGiveUp() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        GreenHandle<String> h = parked(release);
        CountDownLatch called = new CountDownLatch(1);
        h.onComplete((v, t) -> called.countDown());
        // a timed-out join unlinks abandoned nodes from the stack the callback is in
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> h.join(Duration.ofMillis(5))).isInstanceOf(TimedOutException.class);
        }
        assertThat(rt.run(() -> {
            try {
                return h.join(Duration.ofMillis(5));
            } catch (TimedOutException e) {
                return "timed out";
            }
        })).isEqualTo("timed out");
        release.countDown();
        assertThat(called.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void onCompleteOfAThreadAbandonedByCloseRunsOnAThreadOfClosesBeforeCloseReturns() {
        Verdant small = Verdant.start(Config.builder().workers(1).name("abandon")
                .shutdownTimeout(Duration.ofMillis(200)).build());
        CountDownLatch started = new CountDownLatch(1);
        GreenHandle<Object> stubborn = small.spawn(() -> {
            started.countDown();
            for (;;) {
                try {
                    Green.sleep(Duration.ofMinutes(5));
                } catch (CancelledException ignored) {
                    Thread.interrupted();
                    // deaf to cancellation: the runtime abandons it
                    java.util.concurrent.locks.LockSupport.park();
                }
            }
        });
        AtomicReference<Throwable> seen = new AtomicReference<>();
        AtomicReference<Thread> on = new AtomicReference<>();
        stubborn.onComplete((v, t) -> {
            seen.set(t);
            on.set(Thread.currentThread());
        });
        try {
            started.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        small.close();
        assertThat(seen.get()).isInstanceOf(CancelledException.class);
        // Run by a platform thread of close's (a callback that blocks cannot hold close), and
        // waited for: it ran before close returned.
        assertThat(on.get()).isNotSameAs(Thread.currentThread());
        assertThat(on.get().isVirtual()).isFalse();
        assertThat(on.get().getName()).isEqualTo("abandon-close-abandoned-callbacks");
        assertThat(stubborn.asFuture().state()).isEqualTo(Future.State.CANCELLED);
    }

    @Test
    void cancelledExceptionIsAJdkCancellationException() {
        assertThat(new CancelledException("x")).isInstanceOf(CancellationException.class);
    }
    /**
     * A body that lets a plain JDK CancellationException escape (a cancelled
     * upstream future it joined) failed; nobody cancelled the thread. Its views
     * reported it cancelled (Future.isCancelled, get() throwing
     * CancellationException, CompletableFuture.isCancelled), unlike the JDK's
     * FutureTask and supplyAsync and unlike the documented contract, which
     * names CancelledException.
     */
    @Test
    void aPlainCancellationExceptionThrownByTheBodyIsAFailureNotACancellation() {
        CancellationException upstream = new CancellationException("an upstream future was cancelled");
        GreenHandle<Object> h = rt.spawn(() -> {
            throw upstream;
        });
        assertThatThrownBy(h::join).isInstanceOf(GreenFailedException.class).cause().isSameAs(upstream);

        Future<Object> f = h.asFuture();
        assertThat(f.state()).isEqualTo(Future.State.FAILED);
        assertThat(f.isCancelled()).isFalse();
        assertThat(f.exceptionNow()).isSameAs(upstream);
        assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class).cause().isSameAs(upstream);

        CompletableFuture<Object> cf = h.toCompletableFuture();
        assertThat(cf.isCompletedExceptionally()).isTrue();
        assertThat(cf.isCancelled()).isFalse();
        assertThat(cf.exceptionNow()).isSameAs(upstream);
        assertThatThrownBy(cf::join).isInstanceOf(CompletionException.class).cause().isSameAs(upstream);
        assertThatThrownBy(cf::get).isInstanceOf(ExecutionException.class).cause().isSameAs(upstream);
    }
}
