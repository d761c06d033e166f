package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An idle event actor cancelled from a platform thread ends on that thread, which
 * then runs its onComplete callbacks and the failureHandler (the cancellation is its
 * failure). A close called from one of them must not wait for the callback it is
 * called from: before, close counted that callback as one still to finish and waited
 * the whole shutdown timeout for it; and a close another thread had begun waited the
 * same for the callback, whose own close waited for that close's monitor.
 */
@Timeout(60)
class EventActorCallbackClosesTest {

    /**
     * Waited out only when the close waits for the callback (the bug); the closes asserted
     * take milliseconds, so half of it is a limit no loaded machine reaches (2 s, half of
     * 4 s, was within its delays).
     */
    private static final Duration SHUTDOWN = Duration.ofSeconds(20);

    @Test
    void onCompleteOfAnActorCancelledHereClosesWithoutWaitingForItself() throws Exception {
        Verdant rt = Verdant.start(Config.builder().workers(1).name("ev-callback-closes")
                .shutdownTimeout(SHUTDOWN).build());
        AtomicLong nestedNanos = new AtomicLong(-1);
        AtomicReference<Throwable> nestedFailure = new AtomicReference<>();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        try {
            GreenHandle<Object> a = Actors.spawner(rt).spawn(null, (s, m) -> s);
            a.onComplete((v, e) -> {
                ranOn.set(Thread.currentThread());
                long t0 = System.nanoTime();
                try {
                    rt.close();
                } catch (Throwable t) {
                    nestedFailure.set(t);
                }
                nestedNanos.set(System.nanoTime() - t0);
            });
            a.cancel();
        } finally {
            rt.close();
        }
        assertThat(ranOn.get()).as("the callback ran on the canceller").isSameAs(Thread.currentThread());
        assertThat(nestedFailure.get()).isNull();
        assertThat(rt.isClosed()).isTrue();
        assertThat(Duration.ofNanos(nestedNanos.get())).as("the callback's close did not wait for the callback")
                .isLessThan(SHUTDOWN.dividedBy(2));
    }

    @Test
    void failureHandlerOfAnActorCancelledHereClosesWithoutWaitingForItself() throws Exception {
        AtomicReference<Verdant> runtime = new AtomicReference<>();
        AtomicLong nestedNanos = new AtomicLong(-1);
        AtomicReference<Throwable> nestedFailure = new AtomicReference<>();
        Verdant rt = Verdant.start(Config.builder().workers(1).name("ev-handler-closes")
                .shutdownTimeout(SHUTDOWN).failureHandler((h, failure) -> {
                    long t0 = System.nanoTime();
                    try {
                        runtime.get().close();
                    } catch (Throwable t) {
                        nestedFailure.set(t);
                    }
                    nestedNanos.set(System.nanoTime() - t0);
                }).build());
        runtime.set(rt);
        try {
            GreenHandle<Object> a = Actors.spawner(rt).spawn(null, (s, m) -> s);
            a.cancel();
        } finally {
            rt.close();
        }
        assertThat(nestedNanos.get()).as("the handler ran").isNotNegative();
        assertThat(nestedFailure.get()).isNull();
        assertThat(Duration.ofNanos(nestedNanos.get())).as("the handler's close did not wait for the handler")
                .isLessThan(SHUTDOWN.dividedBy(2));
    }

    @Test
    void aCloseUnderWayDoesNotWaitForACallbackThatClosesToo() throws Exception {
        Verdant rt = Verdant.start(Config.builder().workers(1).name("ev-callback-closes-too")
                .shutdownTimeout(SHUTDOWN).build());
        CountDownLatch closing = new CountDownLatch(1);
        CountDownLatch inCallback = new CountDownLatch(1);
        AtomicReference<Throwable> nestedFailure = new AtomicReference<>();
        Thread canceller = null;
        long closeNanos;
        try {
            rt.core().addClosingListener(closing::countDown);
            GreenHandle<Object> a = Actors.spawner(rt).spawn(null, (s, m) -> s);
            a.onComplete((v, e) -> {
                inCallback.countDown();
                try {
                    if (closing.await(30, TimeUnit.SECONDS)) {
                        rt.close();
                    }
                } catch (Throwable t) {
                    nestedFailure.set(t);
                }
            });
            canceller = Thread.ofPlatform().daemon().start(a::cancel);
            assertThat(inCallback.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            long t0 = System.nanoTime();
            rt.close();
            closeNanos = System.nanoTime() - t0;
            if (canceller != null) {
                canceller.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
        assertThat(canceller.isAlive()).as("the callback's close returned").isFalse();
        assertThat(nestedFailure.get()).isNull();
        assertThat(Duration.ofNanos(closeNanos)).as("close did not wait for the callback that closes too")
                .isLessThan(SHUTDOWN.dividedBy(2));
    }
}
