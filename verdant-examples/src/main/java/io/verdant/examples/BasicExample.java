package io.verdant.examples;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;

import java.util.ArrayList;
import java.util.List;

/** Spawn green threads, join their results. */
public final class BasicExample {
    public static void main(String[] args) {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("basic").build())) {
            long total = rt.run(() -> {
                List<GreenHandle<Long>> parts = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    long from = i * 1_000_000L;
                    parts.add(Green.spawn(() -> sum(from, from + 1_000_000L)));
                }
                long t = 0;
                for (GreenHandle<Long> h : parts) {
                    t += h.join();
                }
                return t;
            });
            System.out.println("10 green threads summed 0..9,999,999 = " + total);
        }
    }

    private static long sum(long from, long to) {
        long s = 0;
        for (long i = from; i < to; i++) {
            s += i;
        }
        return s;
    }
}
