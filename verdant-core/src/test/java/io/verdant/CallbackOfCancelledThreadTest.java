package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An onComplete callback (and so a dependent stage of toCompletableFuture)
 * of a thread that ended by cancellation runs on that ended thread and may
 * block, as the contract says: the cancellation that ended the thread does not
 * make the callback's own Verdant waits throw (they threw CancelledException at
 * once, the token still read as cancelled).
 */
@Timeout(30)
class CallbackOfCancelledThreadTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("cb-cancelled").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    private GreenHandle<String> sleeper(CountDownLatch started) {
        return rt.spawn(() -> {
            started.countDown();
            Green.sleep(Duration.ofMinutes(5));
            return "never";
        });
    }

    @Test
    void aCallbackOfACancelledThreadMaySleepAndJoin() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        GreenHandle<String> h = sleeper(started);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        CountDownLatch release = new CountDownLatch(1);
        GreenHandle<String> other = rt.spawn(() -> {
            release.await();
            return "other";
        });
        AtomicReference<Object> got = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        h.onComplete((v, e) -> {
            try {
                Green.sleep(Duration.ofMillis(1));
                release.countDown();
                got.set(other.join(Duration.ofSeconds(10)));
            } catch (Throwable t) {
                got.set(t);
            } finally {
                release.countDown();
                done.countDown();
            }
        });
        h.cancel();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(got.get()).isEqualTo("other");
    }

    @Test
    void aDependentStageOfACancelledThreadMayBlock() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        GreenHandle<String> h = sleeper(started);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Object> after = h.toCompletableFuture().handle((v, e) -> {
            Green.sleep(Duration.ofMillis(1));
            return e instanceof CancelledException ? "slept after the cancellation" : e;
        });
        h.cancel();
        assertThat(after.get(10, TimeUnit.SECONDS)).isEqualTo("slept after the cancellation");
    }
}
