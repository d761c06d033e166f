package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Config.failureHandler runs on the failing thread after its end (its joiners woken,
 * its live count given back), as onComplete callbacks do, and may park as they may.
 * Close waits for it as for a callback: before, a close that came while the handler
 * was parked saw nothing live, stopped the carriers, and the handler never resumed
 * (the failure it was routing was lost).
 */
@Timeout(30)
class FailureHandlerFinishesBeforeCloseTest {
    @Test
    void aFailureHandlerThatParksAfterItsThreadEndedFinishesBeforeCloseReturns() throws Exception {
        AtomicBoolean handled = new AtomicBoolean();
        CountDownLatch handling = new CountDownLatch(1);
        Verdant rt = Verdant.start(Config.builder().workers(1).name("failure-handler-close")
                .failureHandler((h, failure) -> {
                    handling.countDown();
                    Green.sleep(Duration.ofMillis(300));
                    handled.set(true);
                }).build());
        try {
            GreenHandle<Void> h = rt.spawn(() -> {
                throw new IllegalStateException("boom");
            });
            assertThatThrownBy(h::join).isInstanceOf(GreenFailedException.class);
            assertThat(handling.await(10, TimeUnit.SECONDS)).as("the handler started").isTrue();
        } finally {
            rt.close();
        }
        assertThat(handled).as("the failure handler finished before close returned").isTrue();
    }
}
