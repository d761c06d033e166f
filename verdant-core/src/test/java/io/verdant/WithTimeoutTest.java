package io.verdant;

import io.verdant.internal.GreenThread;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Green.withTimeout: the body and everything it spawned are cancelled at the deadline. */
@Timeout(60)
class WithTimeoutTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("wto").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    /** Faults are JVM-global: true on a green thread of this test's runtime only. */
    private static boolean inThisRuntime() {
        GreenThread<?> g = GreenThread.current();
        return g != null && g.runtime().name.equals("wto");
    }

    @Test
    void aBodyThatFinishesInTimeReturnsItsResult() {
        assertThat(rt.run(() -> Green.withTimeout(Duration.ofSeconds(30), () -> "done"))).isEqualTo("done");
    }

    @Test
    void atTheDeadlineTheBodyAndItsDescendantsAreCancelled() {
        AtomicInteger cancelled = new AtomicInteger();
        Object thrown = rt.<Object>run(() -> {
            try {
                return Green.withTimeout(Duration.ofMillis(100), () -> {
                    Green.spawn(() -> {
                        try {
                            Green.sleep(Duration.ofMinutes(5));
                        } catch (CancelledException e) {
                            cancelled.incrementAndGet();
                        }
                    });
                    try {
                        Green.sleep(Duration.ofMinutes(5));
                    } catch (CancelledException e) {
                        cancelled.incrementAndGet();
                        throw e;
                    }
                    return "never";
                });
            } catch (TimedOutException e) {
                // the caller itself is not cancelled: it can go on blocking
                Green.sleep(Duration.ofMillis(1));
                return e;
            }
        });
        assertThat(thrown).isInstanceOf(TimedOutException.class);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (cancelled.get() < 2 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(cancelled.get()).isEqualTo(2);
    }

    /**
     * The body ends by itself right at the deadline: after the caller's join gave
     * up, before its cancel (forced at the fault site TIMEOUT_EXPIRED). Its child,
     * still running, went up to the caller as on any normal end, so the call
     * completes with the body's result. Before, it threw TimedOutException and the
     * child it had been handed kept running, cancelled by nothing.
     */
    @Test
    void aBodyEndingAtTheDeadlineBeforeTheCancelCompletesAndItsChildStaysWithTheCaller() {
        AtomicReference<GreenHandle<?>> body = new AtomicReference<>();
        AtomicReference<GreenHandle<Void>> child = new AtomicReference<>();
        Channel<Integer> release = Channel.unbounded();
        AtomicBoolean armed = new AtomicBoolean(true);
        SchedulerTestAccess.atSites((w, site) -> {
            if (site.equals("TIMEOUT_EXPIRED") && inThisRuntime() && armed.compareAndSet(true, false)) {
                release.send(1); // the body returns now, and the caller waits until it has ended
                body.get().join();
            }
        });
        try {
            Object outcome = rt.<Object>run(() -> {
                try {
                    return Green.withTimeout(Duration.ofMillis(50), () -> {
                        body.set(GreenThread.current());
                        child.set(Green.spawn(() -> Green.sleep(Duration.ofMinutes(5))));
                        release.receive();
                        return "done";
                    });
                } catch (TimedOutException e) {
                    return e;
                }
            });
            assertThat(armed).isFalse();
            GreenHandle<Void> c = child.get();
            if (outcome instanceof TimedOutException) {
                // A timed-out call would have cancelled the child with the body.
                assertThatThrownBy(() -> c.join(Duration.ofSeconds(10))).as("the call timed out: the child must be "
                        + "cancelled").isInstanceOf(GreenFailedException.class).hasCauseInstanceOf(CancelledException.class);
            }
            assertThat(outcome).isEqualTo("done");
            assertThat(c.isDone()).as("the completed body's child goes on").isFalse();
            c.cancel();
            assertThatThrownBy(() -> c.join(Duration.ofSeconds(10))).isInstanceOf(GreenFailedException.class)
                    .hasCauseInstanceOf(CancelledException.class);
        } finally {
            SchedulerTestAccess.atSites(null);
        }
    }

    /** The same race with a body that fails as it ends: its own exception comes out, as on a normal end. */
    @Test
    void aBodyFailingAtTheDeadlineBeforeTheCancelThrowsItsOwnException() {
        AtomicReference<GreenHandle<?>> body = new AtomicReference<>();
        Channel<Integer> release = Channel.unbounded();
        AtomicBoolean armed = new AtomicBoolean(true);
        IllegalStateException own = new IllegalStateException("the body's own");
        SchedulerTestAccess.atSites((w, site) -> {
            if (site.equals("TIMEOUT_EXPIRED") && inThisRuntime() && armed.compareAndSet(true, false)) {
                release.send(1);
                try {
                    body.get().join();
                } catch (GreenFailedException expected) {
                    // the body failed: its failure is the call's
                }
            }
        });
        try {
            Object outcome = rt.<Object>run(() -> {
                try {
                    return Green.withTimeout(Duration.ofMillis(50), () -> {
                        body.set(GreenThread.current());
                        release.receive();
                        throw own;
                    });
                } catch (RuntimeException e) {
                    return e;
                }
            });
            assertThat(armed).isFalse();
            assertThat(outcome).isSameAs(own);
        } finally {
            SchedulerTestAccess.atSites(null);
        }
    }

    @Test
    void theBodysExceptionsComeOutAsTheyWere() {
        IOException io = new IOException("checked");
        Object seen = rt.<Object>run(() -> {
            try {
                return Green.<String, IOException>withTimeout(Duration.ofSeconds(30), () -> {
                    throw io;
                });
            } catch (IOException e) {
                return e;
            }
        });
        assertThat(seen).isSameAs(io);
        IllegalStateException ise = new IllegalStateException("unchecked");
        assertThatThrownBy(() -> rt.run(() -> Green.withTimeout(Duration.ofSeconds(30), () -> {
            throw ise;
        }))).cause().isSameAs(ise);
    }

    @Test
    void cancellingTheCallerCancelsTheBody() throws Exception {
        CountDownLatch inBody = new CountDownLatch(1);
        AtomicInteger cancelled = new AtomicInteger();
        GreenHandle<Object> caller = rt.spawn(() -> Green.withTimeout(Duration.ofMinutes(5), () -> {
            inBody.countDown();
            try {
                Green.sleep(Duration.ofMinutes(5));
            } catch (CancelledException e) {
                cancelled.incrementAndGet();
                throw e;
            }
            return null;
        }));
        assertThat(inBody.await(10, TimeUnit.SECONDS)).isTrue();
        caller.cancel();
        assertThatThrownBy(caller::join).isInstanceOf(GreenFailedException.class)
                .hasCauseInstanceOf(CancelledException.class);
        assertThat(cancelled.get()).isEqualTo(1);
    }

    @Test
    void badInput() {
        assertThatThrownBy(() -> Green.withTimeout(Duration.ofSeconds(1), () -> 1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("green thread");
        rt.run(() -> {
            assertThatThrownBy(() -> Green.withTimeout(null, () -> 1)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> Green.withTimeout(Duration.ofMillis(-1), () -> 1))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Green.withTimeout(Duration.ofSeconds(1), null))
                    .isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> Green.withTimeout(Duration.ZERO, () -> {
                Green.sleep(Duration.ofMinutes(1));
                return 1;
            })).isInstanceOf(TimedOutException.class);
        });
    }
}
