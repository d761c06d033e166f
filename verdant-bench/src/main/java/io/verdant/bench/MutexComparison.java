package io.verdant.bench;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Mutex;
import io.verdant.Verdant;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * mutex: 64 threads each take a lock N/64 times around a tiny critical section
 * (increment a counter). verdant Mutex (FIFO hand-off) on 2 workers vs a fair
 * ReentrantLock on default virtual threads. Metric: ops_per_s (lock/unlock pairs per second).
 */
public final class MutexComparison implements Comparison {
    static final int N = Integer.getInteger("bench.mutex.n", 640_000);
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
    public void run(Report report) throws Exception {
        int workers = Runtime.getRuntime().availableProcessors();
        try (Verdant rt = Verdant.start(Config.builder().workers(workers).name("mutex").build())) {
            verdant(rt, N / 5);
            vtDefault(N / 5);
            for (int round = 0; round < PingPongComparison.ROUNDS; round++) {
                report.result(name(), "verdant", N, "ops_per_s", N / (verdant(rt, N) / 1e9), "workers=" + workers);
                report.result(name(), "vt-default", N, "ops_per_s", N / (vtDefault(N) / 1e9), "workers=" + workers,
                        "lock=ReentrantLock(fair)");
            }
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
