package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;

/** Spawn and join 1,000,000 green threads; Skynet with 1,000,000 leaves. Bounded by @Timeout. */
@Timeout(120)
class MillionThreadsStressTest {
    static final int N = 1_000_000;

    @Test
    void aMillionGreenThreadsSpawnedAndJoined() {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("million").build())) {
            LongAdder ran = new LongAdder();
            long sum = rt.run(() -> {
                // Batches keep the number of live handles (and heap) bounded.
                long s = 0;
                @SuppressWarnings("unchecked")
                GreenHandle<Integer>[] batch = (GreenHandle<Integer>[]) new GreenHandle<?>[10_000];
                for (int base = 0; base < N; base += batch.length) {
                    for (int i = 0; i < batch.length; i++) {
                        int v = base + i;
                        batch[i] = Green.spawn(() -> {
                            ran.increment();
                            return v & 1;
                        });
                    }
                    for (GreenHandle<Integer> h : batch) {
                        s += h.join();
                    }
                }
                return s;
            });
            assertThat(ran.sum()).isEqualTo(N);
            assertThat(sum).isEqualTo(N / 2);
            assertThat(rt.liveThreads()).isZero();
        }
    }

    static long skynet(long num, int size, int div) {
        if (size == 1) {
            return num;
        }
        @SuppressWarnings("unchecked")
        GreenHandle<Long>[] children = (GreenHandle<Long>[]) new GreenHandle<?>[div];
        for (int i = 0; i < div; i++) {
            long subNum = num + (long) i * (size / div);
            children[i] = Green.spawn(() -> skynet(subNum, size / div, div));
        }
        long sum = 0;
        for (GreenHandle<Long> c : children) {
            sum += c.join();
        }
        return sum;
    }

    @Test
    void skynetWithAMillionLeaves() {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("skynet").build())) {
            assertThat(rt.run(() -> skynet(0, N, 10))).isEqualTo(499_999_500_000L);
            assertThat(rt.liveThreads()).isZero();
        }
    }
}
