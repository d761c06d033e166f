package io.verdant.bench;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * {@code primes}: fan-out/fan-in. The primes below {@link #LIMIT} are counted by
 * trial division in {@link #CHUNKS} tasks (one thread per chunk), whose counts
 * are joined and summed; run with 1 and with 2 workers on Verdant, the default
 * virtual-thread scheduler (parallelism 1 in a child JVM, default in the runner)
 * and a ForkJoinPool. Metric: ms per run.
 */
final class PrimesComparison extends Harness {
    static final int LIMIT = scaled(1_500_000);
    static final int CHUNKS = 1_000;

    @Override
    public String name() {
        return "primes";
    }

    @Override
    public String description() {
        return "count primes below " + LIMIT + " in " + CHUNKS + " threads, 1 and 2 workers "
                + "(verdant, vt-default, ForkJoinPool)";
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
        return List.of(
                local("verdant-1", "primes", "verdant", CHUNKS, "ms", List.of("workers=1"), () -> new VerdantPrimes(1)),
                local("verdant-2", "primes", "verdant", CHUNKS, "ms", List.of("workers=2"), () -> new VerdantPrimes(2)),
                forked("vt-default-1", "primes", "vt-default", CHUNKS, "ms", List.of("workers=1"),
                        List.of("-Djdk.virtualThreadScheduler.parallelism=1"), () -> PrimesComparison::vt),
                local("vt-default-2", "primes", "vt-default", CHUNKS, "ms",
                        List.of("workers=" + Runtime.getRuntime().availableProcessors()), () -> PrimesComparison::vt),
                local("fjp-1", "primes", "forkjoin", CHUNKS, "ms", List.of("workers=1"), () -> new Fjp(1)),
                local("fjp-2", "primes", "forkjoin", CHUNKS, "ms", List.of("workers=2"), () -> new Fjp(2)));
    }

    @Override
    protected void summarize(Report report, Map<String, Double> m) {
        if (ran(m, "verdant-1", "verdant-2")) {
            ratio(report, "primes verdant speed-up 2 workers vs 1", m.get("verdant-1"), m.get("verdant-2"), ">=", 1.7);
            paired(report, "primes verdant speed-up 2 workers vs 1", "verdant-1", "verdant-2", ">=", 1.7);
        }
        if (ran(m, "vt-default-1", "vt-default-2", "fjp-1", "fjp-2")) {
            report.note(String.format(java.util.Locale.ROOT,
                    "ratio primes speed-up 2 vs 1: vt-default = %.3f, forkjoin = %.3f",
                    m.get("vt-default-1") / m.get("vt-default-2"), m.get("fjp-1") / m.get("fjp-2")));
        }
        if (ran(m, "verdant-2", "fjp-2")) {
            report.note(String.format(java.util.Locale.ROOT, "ratio primes verdant/forkjoin at 2 workers = %.3f",
                    m.get("verdant-2") / m.get("fjp-2")));
        }
    }

    static int countPrimes(int from, int to) {
        int count = 0;
        for (int n = Math.max(from, 2); n < to; n++) {
            boolean prime = true;
            for (int d = 2; d * d <= n; d++) {
                if (n % d == 0) {
                    prime = false;
                    break;
                }
            }
            if (prime) {
                count++;
            }
        }
        return count;
    }

    /** Computed on first check, not when the registry is built. */
    static final class Expected {
        static final int COUNT = countPrimes(2, LIMIT);
    }

    static int chunkFrom(int i) {
        return (int) ((long) LIMIT * i / CHUNKS);
    }

    static void check(long count) {
        if (count != Expected.COUNT) {
            throw new IllegalStateException("primes counted " + count + " != " + Expected.COUNT);
        }
    }

    static final class VerdantPrimes implements Trial {
        final Verdant rt;

        VerdantPrimes(int workers) {
            rt = Verdant.start(Config.builder().workers(workers).name("bench-primes-" + workers).build());
        }

        @Override
        public double run() {
            long t0 = System.nanoTime();
            long total = rt.run(() -> {
                @SuppressWarnings("unchecked")
                GreenHandle<Integer>[] hs = (GreenHandle<Integer>[]) new GreenHandle<?>[CHUNKS];
                for (int i = 0; i < CHUNKS; i++) {
                    int from = chunkFrom(i);
                    int to = chunkFrom(i + 1);
                    hs[i] = Green.spawn(() -> countPrimes(from, to));
                }
                long sum = 0;
                for (GreenHandle<Integer> h : hs) {
                    sum += h.join();
                }
                return sum;
            });
            long ns = System.nanoTime() - t0;
            check(total);
            return ns / 1e6;
        }

        @Override
        public void close() {
            rt.close();
        }
    }

    static double vt() throws InterruptedException {
        long[] out = new long[1];
        long t0 = System.nanoTime();
        Thread root = Thread.startVirtualThread(() -> {
            int[] counts = new int[CHUNKS];
            Thread[] ts = new Thread[CHUNKS];
            for (int i = 0; i < CHUNKS; i++) {
                int from = chunkFrom(i);
                int to = chunkFrom(i + 1);
                int slot = i;
                ts[i] = Thread.startVirtualThread(() -> counts[slot] = countPrimes(from, to));
            }
            long sum = 0;
            try {
                for (int i = 0; i < CHUNKS; i++) {
                    ts[i].join();
                    sum += counts[i];
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            out[0] = sum;
        });
        root.join();
        long ns = System.nanoTime() - t0;
        check(out[0]);
        return ns / 1e6;
    }

    static final class Fjp implements Trial {
        final ForkJoinPool pool;

        Fjp(int parallelism) {
            pool = new ForkJoinPool(parallelism);
        }

        @Override
        public double run() {
            long t0 = System.nanoTime();
            @SuppressWarnings("unchecked")
            ForkJoinTask<Integer>[] tasks = (ForkJoinTask<Integer>[]) new ForkJoinTask<?>[CHUNKS];
            for (int i = 0; i < CHUNKS; i++) {
                int from = chunkFrom(i);
                int to = chunkFrom(i + 1);
                tasks[i] = pool.submit(() -> countPrimes(from, to));
            }
            long sum = 0;
            for (ForkJoinTask<Integer> t : tasks) {
                sum += t.join();
            }
            long ns = System.nanoTime() - t0;
            check(sum);
            return ns / 1e6;
        }

        @Override
        public void close() {
            pool.shutdownNow();
        }
    }
}
