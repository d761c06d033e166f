package io.verdant.bench;

import io.verdant.Channel;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * mpmc: 4 producers x 4 consumers move N values through a bounded(1024)
 * verdant channel (2 workers) vs an ArrayBlockingQueue(1024) on default
 * virtual threads (parallelism = cores = 2 here). Metric: ops_per_s (values per second).
 */
final class MpmcComparison extends Harness {
    static final int N = size("bench.mpmc.n", 2_000_000);
    static final int P = 4;
    static final int C = 4;

    @Override
    public String name() {
        return "mpmc";
    }

    @Override
    public String description() {
        return P + " producers x " + C + " consumers, " + N + " values through bounded(1024): verdant channel vs "
                + "ArrayBlockingQueue on vt-default";
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
                local("vt-default", name(), "vt-default", N, "ops_per_s", List.of("workers=" + workers),
                        () -> () -> N / (vtDefault(N) / 1e9)));
    }

    @Override
    protected void summarize(Report report, Map<String, Double> m) {
        plainRatio(report, "mpmc verdant/vt-default (ops/s)", m, "verdant", "vt-default");
    }

    /** Verdant on a runtime of {@code workers}. */
    private static final class VerdantTrial implements Trial {
        private final Verdant rt;

        VerdantTrial(int workers) {
            this.rt = Verdant.start(Config.builder().workers(workers).name("mpmc").build());
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
            Channel<Integer> ch = Channel.bounded(1024);
            long s = System.nanoTime();
            List<GreenHandle<Long>> cs = new ArrayList<>();
            for (int c = 0; c < C; c++) {
                cs.add(Green.spawn(() -> {
                    long sum = 0;
                    for (int i = 0; i < n / C; i++) {
                        sum += ch.receive();
                    }
                    return sum;
                }));
            }
            List<GreenHandle<Void>> ps = new ArrayList<>();
            for (int p = 0; p < P; p++) {
                ps.add(Green.spawn(() -> {
                    Integer one = 1;
                    for (int i = 0; i < n / P; i++) {
                        ch.send(one);
                    }
                }));
            }
            long total = 0;
            for (GreenHandle<Long> c : cs) {
                total += c.join();
            }
            if (total != (long) (n / C) * C) {
                throw new IllegalStateException("lost values: " + total);
            }
            return (double) (System.nanoTime() - s);
        });
    }

    static double vtDefault(int n) throws InterruptedException {
        ArrayBlockingQueue<Integer> q = new ArrayBlockingQueue<>(1024);
        long s = System.nanoTime();
        List<Thread> ts = new ArrayList<>();
        for (int c = 0; c < C; c++) {
            ts.add(Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < n / C; i++) {
                        q.take();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (int p = 0; p < P; p++) {
            ts.add(Thread.ofVirtual().start(() -> {
                try {
                    Integer one = 1;
                    for (int i = 0; i < n / P; i++) {
                        q.put(one);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread t : ts) {
            t.join();
        }
        return System.nanoTime() - s;
    }
}
