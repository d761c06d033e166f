package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code Verdant.run} by a caller already interrupted: it throws
 * CancelledException before the body is spawned, the interrupt status left
 * set, as every Verdant wait refuses a cancelled caller on entry. Before, the
 * body was spawned first and ran on, detached, while run threw: its result
 * and failure (marked observed) reached nobody.
 */
@Timeout(60)
class RunInterruptedCallerTest {
    private static final int RUNS = 20;

    @Test
    void anInterruptedPlatformCallerRunsNoBody() {
        AtomicInteger ran = new AtomicInteger();
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("run-interrupted").build())) {
            for (int i = 0; i < RUNS; i++) {
                Thread.currentThread().interrupt();
                try {
                    assertThatThrownBy(() -> rt.run(ran::incrementAndGet)).isInstanceOf(CancelledException.class);
                } finally {
                    assertThat(Thread.interrupted()).as("the interrupt status stays set").isTrue();
                }
            }
            assertThat(rt.run(() -> "after")).isEqualTo("after");
        }
        assertThat(ran.get()).as("bodies run").isZero();
    }

    @Test
    void anInterruptedGreenCallerRunsNoBody() {
        AtomicInteger ran = new AtomicInteger();
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("run-interrupted-green").build())) {
            int refused = rt.run(() -> {
                int n = 0;
                for (int i = 0; i < RUNS; i++) {
                    Thread.currentThread().interrupt();
                    try {
                        rt.run(ran::incrementAndGet);
                    } catch (CancelledException expected) {
                        n++;
                    } finally {
                        Thread.interrupted();
                    }
                }
                return n;
            });
            assertThat(refused).isEqualTo(RUNS);
        }
        assertThat(ran.get()).as("bodies run").isZero();
    }
}
