package io.verdant.test;

import io.verdant.Config;
import io.verdant.Determinism;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 13's virtual-time acceptance: long sleeps cost no real time, many sleeps are cheap. */
@Timeout(120)
class VirtualTimeTest {
    /** The timer wheel's tick (Ticker.TICK_NANOS, internal): a timer fires within one tick of its deadline. */
    private static final long TICK_NANOS = Duration.ofMillis(1).toNanos();

    @Test
    void sleepingAnHourReturnsAtOnceWithTheClockAnHourLater() {
        long hour = Duration.ofHours(1).toNanos();
        try (Verdant rt = Verdant.deterministic(Config.defaults(), Determinism.seed(0))) {
            long t0 = System.nanoTime();
            long slept = rt.run(() -> {
                long before = Green.nanoTime();
                Green.sleep(Duration.ofHours(1));
                return Green.nanoTime() - before;
            });
            long realMillis = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("Green.sleep(1 h): " + slept + " virtual ns in " + realMillis + " ms real (target < 50 ms)");
            assertThat(slept).isBetween(hour, hour + TICK_NANOS);
            assertThat(realMillis).as("real ms for a virtual hour (target 50; generous under load)").isLessThan(2_000);
        }
    }

    @Test
    void aHundredThousandSleepsOverAThousandThreadsRunQuickly() {
        int threads = 1_000;
        int sleepsEach = 100;
        try (Verdant rt = Verdant.deterministic(Config.defaults(), Determinism.seed(1))) {
            long t0 = System.nanoTime();
            long total = rt.run(() -> {
                List<GreenHandle<Long>> hs = new ArrayList<>(threads);
                for (int t = 0; t < threads; t++) {
                    hs.add(Green.spawn(() -> {
                        long woke = 0;
                        for (int i = 0; i < sleepsEach; i++) {
                            Green.sleep(Duration.ofMillis(1 + Green.random().nextInt(1_000)));
                            woke++;
                        }
                        return woke;
                    }));
                }
                long sum = 0;
                for (long w : Green.joinAll(hs)) {
                    sum += w;
                }
                return sum;
            });
            long realMillis = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("100,000 sleeps over 1,000 threads: " + realMillis + " ms real, "
                    + rt.trace().virtualNanos() / 1_000_000 + " ms virtual, " + rt.trace().steps()
                    + " steps (target <= 1 s real)");
            assertThat(total).isEqualTo((long) threads * sleepsEach);
            // 100 sleeps of up to 1 s each: at most 100 s virtual, at least 100 ms.
            assertThat(rt.trace().virtualNanos()).isBetween(Duration.ofMillis(100).toNanos(), Duration.ofSeconds(101).toNanos());
            assertThat(realMillis).as("real ms (target 1,000; generous under load)").isLessThan(20_000);
        }
    }
}
