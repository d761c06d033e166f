package io.verdant.examples;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;

/**
 * N green threads at once (default 1,000,000; the first argument overrides N):
 * each yields once and returns its index; all are joined and the results summed.
 */
public final class StressExample {
    public static final int DEFAULT_N = 1_000_000;

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0].replace("_", "").replace(",", "")) : DEFAULT_N;
        if (n < 1) {
            throw new IllegalArgumentException("N must be positive, was " + n);
        }
        try (Verdant rt = Verdant.start(Config.builder().name("stress").build())) {
            long t0 = System.nanoTime();
            long sum = rt.run(() -> {
                @SuppressWarnings("unchecked")
                GreenHandle<Long>[] hs = (GreenHandle<Long>[]) new GreenHandle<?>[n];
                for (int i = 0; i < n; i++) {
                    long value = i;
                    hs[i] = Green.spawn(() -> {
                        Green.yield();
                        return value;
                    });
                }
                long s = 0;
                for (GreenHandle<Long> h : hs) {
                    s += h.join();
                }
                return s;
            });
            long ms = (System.nanoTime() - t0) / 1_000_000;
            long expected = (long) n * (n - 1) / 2;
            System.out.printf("%,d green threads spawned, each yielded once, all joined in %,d ms on %d workers; "
                    + "sum of results %,d (%s)%n", n, ms, rt.config().workers(), sum,
                    sum == expected ? "correct" : "WRONG, expected " + expected);
            if (sum != expected) {
                throw new IllegalStateException("stress sum " + sum + " != " + expected);
            }
        }
    }
}
