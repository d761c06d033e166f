package io.verdant.bench;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;

import java.util.List;
import java.util.Map;

/**
 * {@code skynet}: each thread spawns 10 children until 1,000,000 leaves (1,111,111
 * threads in all); each leaf returns its number, parents sum their children's
 * results. The result is checked (499,999,500,000). Metric: ms per run.
 */
final class SkynetComparison extends Harness {
    static final int LEAVES = size(1_000_000);   // a power of 10 (smoke: 100)
    static final long EXPECTED = (long) LEAVES * (LEAVES - 1) / 2;

    @Override
    public String name() {
        return "skynet";
    }

    @Override
    public String description() {
        return "skynet, 1,000,000 leaves (verdant, vt-default)";
    }

    @Override
    protected int defaultWarmups() {
        return 2;
    }

    @Override
    protected int defaultRounds() {
        return 5;
    }

    @Override
    protected List<Entry> entries() {
        String w = "workers=" + Runtime.getRuntime().availableProcessors();
        return List.of(
                local("verdant", "skynet", "verdant", LEAVES, "ms", List.of(w), VerdantSkynet::new),
                local("vt-default", "skynet", "vt-default", LEAVES, "ms", List.of(w), () -> SkynetComparison::vtRun));
    }

    @Override
    protected void summarize(Report report, Map<String, Double> m) {
        ratios(report, "skynet verdant/vt-default", m, "verdant", "vt-default", "<=", 0.7);
    }

    static final class VerdantSkynet implements Trial {
        final Verdant rt = Verdant.start(Config.builder().name("bench-skynet").build());

        @Override
        public double run() {
            long t0 = System.nanoTime();
            long sum = rt.run(() -> green(0, LEAVES));
            long ns = System.nanoTime() - t0;
            check(sum);
            return ns / 1e6;
        }

        static long green(long num, int size) {
            if (size == 1) {
                return num;
            }
            int sub = size / 10;
            @SuppressWarnings("unchecked")
            GreenHandle<Long>[] hs = (GreenHandle<Long>[]) new GreenHandle<?>[10];
            for (int i = 0; i < 10; i++) {
                long n = num + (long) i * sub;
                hs[i] = Green.spawn(() -> green(n, sub));
            }
            long sum = 0;
            for (GreenHandle<Long> h : hs) {
                sum += h.join();
            }
            return sum;
        }

        @Override
        public void close() {
            rt.close();
        }
    }

    static double vtRun() throws InterruptedException {
        long[] out = new long[1];
        long t0 = System.nanoTime();
        Thread root = Thread.startVirtualThread(() -> out[0] = vt(0, LEAVES));
        root.join();
        long ns = System.nanoTime() - t0;
        check(out[0]);
        return ns / 1e6;
    }

    static long vt(long num, int size) {
        if (size == 1) {
            return num;
        }
        int sub = size / 10;
        long[] results = new long[10];
        Thread[] ts = new Thread[10];
        for (int i = 0; i < 10; i++) {
            long n = num + (long) i * sub;
            int slot = i;
            ts[i] = Thread.startVirtualThread(() -> results[slot] = vt(n, sub));
        }
        long sum = 0;
        try {
            for (int i = 0; i < 10; i++) {
                ts[i].join();
                sum += results[i];
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return sum;
    }

    static void check(long sum) {
        if (sum != EXPECTED) {
            throw new IllegalStateException("skynet sum " + sum + " != " + EXPECTED);
        }
    }
}
