package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * close() called by user code that close itself runs on its closing thread (an
 * onCancel action, run by close's cancel; an abandoned thread's onComplete
 * callback, run by close's abandon) is a second call: it returns at once, as
 * the javadoc says. Before, the closing thread held close's monitor already,
 * so the call entered it again and ran every step a second time inside the
 * first: the closing listeners ran twice, and it waited the whole shutdown
 * timeout again for the threads the first close had not yet abandoned.
 */
@Timeout(60)
class CloseWithinCloseTest {

    /**
     * A second close that ran close's steps again waited all of it for the stubborn thread, so a
     * nested close shorter than it returned at once; half of it (1 s) left a loaded machine
     * too little room.
     */
    private static final Duration SHUTDOWN = Duration.ofSeconds(2);

    /** A green thread that ignores its cancellation and stays parked (no spinning) until abandoned. */
    private static GreenHandle<Void> stubborn(Verdant rt, CountDownLatch started) {
        return rt.spawn(() -> {
            started.countDown();
            for (;;) {
                Thread.interrupted();
                LockSupport.park();
            }
        });
    }

    @Test
    void closeInAnAbandonedThreadsCallbackReturnsAtOnceAndCloseRunsOnce() throws Exception {
        Verdant rt = Verdant.start(Config.builder().workers(1).name("close-in-abandoned-callback")
                .shutdownTimeout(SHUTDOWN).build());
        AtomicInteger closingRuns = new AtomicInteger();
        AtomicLong nestedNanos = new AtomicLong(-1);
        AtomicReference<Throwable> nestedFailure = new AtomicReference<>();
        try {
            rt.core().addClosingListener(closingRuns::incrementAndGet);
            CountDownLatch started = new CountDownLatch(2);
            GreenHandle<Void> first = stubborn(rt, started);
            stubborn(rt, started);
            first.onComplete((v, e) -> {
                long t0 = System.nanoTime();
                try {
                    rt.close();
                } catch (Throwable t) {
                    nestedFailure.set(t);
                }
                nestedNanos.set(System.nanoTime() - t0);
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            rt.close();
        }
        assertThat(nestedNanos.get()).as("the callback ran").isNotNegative();
        assertThat(nestedFailure.get()).isNull();
        assertThat(closingRuns.get()).as("close's steps ran once").isEqualTo(1);
        assertThat(Duration.ofNanos(nestedNanos.get())).as("the second close returned at once")
                .isLessThan(SHUTDOWN);
    }

    @Test
    void closeInAnOnCancelActionReturnsAtOnceAndCloseRunsOnce() throws Exception {
        Verdant rt = Verdant.start(Config.builder().workers(1).name("close-in-on-cancel")
                .shutdownTimeout(SHUTDOWN).build());
        AtomicInteger closingRuns = new AtomicInteger();
        AtomicLong nestedNanos = new AtomicLong(-1);
        AtomicReference<Throwable> nestedFailure = new AtomicReference<>();
        try {
            rt.core().addClosingListener(closingRuns::incrementAndGet);
            CountDownLatch registered = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            rt.spawn(() -> {
                Green.cancelToken().onCancel(() -> {
                    long t0 = System.nanoTime();
                    try {
                        rt.close();
                    } catch (Throwable t) {
                        nestedFailure.set(t);
                    }
                    nestedNanos.set(System.nanoTime() - t0);
                });
                registered.countDown();
                Green.receive(); // ends on close's cancel
            });
            assertThat(registered.await(10, TimeUnit.SECONDS)).isTrue();
            stubborn(rt, started);
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            rt.close();
        }
        assertThat(nestedNanos.get()).as("the action ran").isNotNegative();
        assertThat(nestedFailure.get()).isNull();
        assertThat(closingRuns.get()).as("close's steps ran once").isEqualTo(1);
        assertThat(Duration.ofNanos(nestedNanos.get())).as("the second close returned at once")
                .isLessThan(SHUTDOWN);
    }
}
