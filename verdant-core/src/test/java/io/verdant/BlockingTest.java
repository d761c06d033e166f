package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Green.blocking: work that would pin a carrier runs on a separate pool. */
@Timeout(60)
class BlockingTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        // One worker and no spare carriers: if blocking work ran on the carrier,
        // nothing else could run until it returned.
        rt = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).blockingThreads(2).name("blocking").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void runsOffTheCarrierWhileTheCarrierServesOthers() {
        String result = rt.run(() -> {
            CountDownLatch release = new CountDownLatch(1);
            // Released by another green thread, which can only run if this
            // carrier is free while the blocking work waits.
            GreenHandle<Void> releaser = Green.spawn(release::countDown);
            String where = Green.blocking(() -> {
                assertThat(release.await(20, TimeUnit.SECONDS)).isTrue();
                return Thread.currentThread().getName() + "/virtual=" + Thread.currentThread().isVirtual();
            });
            releaser.join();
            return where;
        });
        assertThat(result).startsWith("blocking-blocking-").endsWith("/virtual=false");
    }

    @Test
    void failuresPropagateAsThemselves() {
        IOException disk = new IOException("disk");
        AtomicReference<Throwable> seen = new AtomicReference<>();
        rt.run(() -> {
            try {
                Green.blocking(() -> {
                    throw disk;
                });
            } catch (IOException e) {
                seen.set(e);
            }
            try {
                Green.blocking(() -> {
                    throw new IllegalStateException("state");
                });
            } catch (IllegalStateException e) {
                assertThat(e).hasMessage("state");
            }
            return null;
        });
        assertThat(seen.get()).isSameAs(disk);
    }

    @Test
    void anInterruptedCallerCancelsTheWorkAndKeepsItsInterruptStatus() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean workInterrupted = new AtomicBoolean();
        CountDownLatch workEnded = new CountDownLatch(1);
        AtomicReference<Thread> callerThread = new AtomicReference<>();
        GreenHandle<Boolean> caller = rt.spawn(() -> {
            callerThread.set(Thread.currentThread());
            try {
                Green.blocking(() -> {
                    started.countDown();
                    try {
                        Thread.sleep(TimeUnit.SECONDS.toMillis(30));
                    } catch (InterruptedException e) {
                        workInterrupted.set(true);
                    } finally {
                        workEnded.countDown();
                    }
                    return null;
                });
                return false;
            } catch (CancelledException e) {
                return Thread.currentThread().isInterrupted();
            }
        });
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
        callerThread.get().interrupt();
        assertThat(caller.join(Duration.ofSeconds(20))).isTrue();
        assertThat(workEnded.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(workInterrupted).isTrue();
    }

    /**
     * A cancelled caller whose interrupt status was cleared (it caught an
     * InterruptedException, say) is refused at once, as by every other Verdant
     * blocking operation. It used to hand the work to the pool and wait for it
     * (the cancellation's only interrupt was spent), so a runtime's close() waited
     * for the work or abandoned the thread.
     */
    @Test
    void aCancelledCallerIsRefusedEvenWithItsInterruptCleared() throws Exception {
        AtomicBoolean ran = new AtomicBoolean();
        AtomicReference<Throwable> seen = new AtomicReference<>();
        CountDownLatch cancelled = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        GreenHandle<Void> h = rt.spawn(() -> {
            started.countDown();
            try {
                cancelled.await();
            } catch (InterruptedException e) {
                // the cancellation's interrupt, consumed
            }
            Thread.interrupted();
            assertThat(Green.cancelled()).isTrue();
            try {
                Green.blocking(() -> {
                    ran.set(true);
                    Thread.sleep(TimeUnit.SECONDS.toMillis(30));
                    return null;
                });
            } catch (Throwable t) {
                seen.set(t);
            }
        });
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
        h.cancel();
        cancelled.countDown();
        Throwable end = catchThrowable(() -> h.join(Duration.ofSeconds(20)));
        assertThat(end instanceof TimedOutException).as("the thread still waits: %s", end).isFalse();
        assertThat(seen.get()).as("what Green.blocking threw; the thread ended with %s", end)
                .isInstanceOf(CancelledException.class);
        assertThat(ran.get()).as("the work ran").isFalse();
    }

    @Test
    void outsideAGreenThreadTheWorkRunsOnTheCaller() throws Exception {
        assertThat(Green.blocking(() -> Thread.currentThread())).isSameAs(Thread.currentThread());
        assertThatThrownBy(() -> Green.blocking(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("work");
    }

    @Test
    void theBlockingPoolIsBoundedAndExtraCallsQueue() {
        int[] peak = new int[1];
        java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();
        rt.run(() -> {
            java.util.List<GreenHandle<Void>> hs = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                hs.add(Green.spawn(() -> {
                    try {
                        Green.blocking(() -> {
                            int now = inside.incrementAndGet();
                            synchronized (peak) {
                                peak[0] = Math.max(peak[0], now);
                            }
                            Thread.sleep(20);
                            inside.decrementAndGet();
                            return null;
                        });
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }));
            }
            hs.forEach(GreenHandle::join);
            return null;
        });
        assertThat(peak[0]).isBetween(1, 2);
    }
}
