package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
