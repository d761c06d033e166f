package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code Green.withTimeout} by a caller already interrupted or cancelled: it
 * throws CancelledException before the body is spawned (the interrupt or
 * cancellation left set), as rt.run and rt.call refuse such a caller. Before,
 * the body was spawned first and its side effects happened before the cancel
 * reached it.
 */
@Timeout(60)
class WithTimeoutCancelledCallerTest {
    private static final int RUNS = 20;

    @Test
    void anInterruptedCallerRunsNoBody() {
        AtomicInteger ran = new AtomicInteger();
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("withtimeout-interrupted").build())) {
            int refused = rt.run(() -> {
                int n = 0;
                for (int i = 0; i < RUNS; i++) {
                    Thread.currentThread().interrupt();
                    try {
                        Green.withTimeout(Duration.ofSeconds(10), ran::incrementAndGet);
                    } catch (CancelledException expected) {
                        n++;
                    } finally {
                        assertThat(Thread.interrupted()).as("the interrupt status stays set").isTrue();
                    }
                }
                return n;
            });
            assertThat(refused).isEqualTo(RUNS);
            assertThat(rt.run(() -> Green.withTimeout(Duration.ofSeconds(10), () -> "after"))).isEqualTo("after");
        }
        assertThat(ran.get()).as("bodies run").isZero();
    }

    @Test
    void aCancelledCallerRunsNoBody() {
        AtomicInteger ran = new AtomicInteger();
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("withtimeout-cancelled").build())) {
            for (int i = 0; i < RUNS; i++) {
                GreenHandle<Boolean> caller = rt.spawn(() -> {
                    Green.cancelToken().cancel();
                    try {
                        Green.withTimeout(Duration.ofSeconds(10), ran::incrementAndGet);
                        return false;
                    } catch (CancelledException expected) {
                        return Green.cancelled();
                    }
                });
                assertThat(caller.join(Duration.ofSeconds(20))).as("refused, the cancellation kept").isTrue();
            }
        }
        assertThat(ran.get()).as("bodies run").isZero();
    }
}
