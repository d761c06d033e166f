package io.verdant.bench;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Mutex;
import io.verdant.Verdant;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * mutex: 64 threads each take a lock N/64 times around a tiny critical section
 * (increment a counter). verdant Mutex (FIFO hand-off) on 2 workers vs a fair
 * ReentrantLock on default virtual threads. Metric: ops_per_s (lock/unlock pairs per second).
 */
final class MutexComparison extends Harness {
    static final int N = size("bench.mutex.n", 640_000);
    static final int THREADS = 64;

    @Override
    public String name() {
        return "mutex";
    }

    @Override
    public String description() {
        return THREADS + " threads contending, " + N + " lock/unlock pairs: verdant Mutex vs fair ReentrantLock on vt-default";
    }

    @Override
    protected int defaultWarmups() {
        return 1;
    }

    @Override
    protected int defaultRounds() {
        return 3;
    }

    @Override
    protected List<Entry> entries() {
        int workers = Runtime.getRuntime().availableProcessors();
        return List.of(
                local("verdant", name(), "verdant", N, "ops_per_s", List.of("workers=" + workers),
                        () -> new VerdantTrial(workers)),
                local("vt-default", name(), "vt-default", N, "ops_per_s", List.of("workers=" + workers, "lock=ReentrantLock(fair)"),
                        () -> () -> N / (vtDefault(N) / 1e9)));
    }

    @Override
    protected void summarize(Report report, Map<String, Double> m) {
        plainRatio(report, "mutex verdant/vt-default (ops/s)", m, "verdant", "vt-default");
    }

    /** Verdant on a runtime of {@code workers}. */
    private static final class VerdantTrial implements Trial {
        private final Verdant rt;

        VerdantTrial(int workers) {
            this.rt = Verdant.start(Config.builder().workers(workers).name("mutex").build());
        }

        @Override
        public double run() {
            return N / (verdant(rt, N) / 1e9);
        }

        @Override
        public void close() {
            rt.close();
        }
    }

    static double verdant(Verdant rt, int n) {
        return rt.run(() -> {
            Mutex<long[]> m = new Mutex<>(new long[1]);
            Duration wait = Duration.ofMinutes(1);
            long s = System.nanoTime();
            List<GreenHandle<Void>> hs = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                hs.add(Green.spawn(() -> {
                    for (int i = 0; i < n / THREADS; i++) {
                        try (Mutex.Guard<long[]> g = m.lock(wait)) {
                            g.get()[0]++;
                        }
                    }
                }));
            }
            for (GreenHandle<Void> h : hs) {
                h.join();
            }
            double took = System.nanoTime() - s;
            try (Mutex.Guard<long[]> g = m.lock(wait)) {
                if (g.get()[0] != (long) (n / THREADS) * THREADS) {
                    throw new IllegalStateException("lost increments");
                }
            }
            return took;
        });
    }

    static double vtDefault(int n) throws InterruptedException {
        ReentrantLock lock = new ReentrantLock(true);
        long[] counter = new long[1];
        long s = System.nanoTime();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            ts.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < n / THREADS; i++) {
                    lock.lock();
                    try {
                        counter[0]++;
                    } finally {
                        lock.unlock();
                    }
                }
            }));
        }
        for (Thread t : ts) {
            t.join();
        }
        return System.nanoTime() - s;
    }
}
