package io.verdant.bench;

import io.verdant.Config;
import io.verdant.DumpOptions;
import io.verdant.GreenHandle;
import io.verdant.RuntimeMetrics;
import io.verdant.RuntimeSnapshot;
import io.verdant.Verdant;

import java.io.Writer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The costs of looking inside a runtime (issue 12's acceptance): {@code metrics()}
 * per call, {@code snapshot()} of {@code parked} parked green threads (default
 * 1,000,000, no stacks), and a text dump with stacks of {@code dumped} parked
 * threads (default 10,000). Each figure is the median of 5 calls after 2 warm-ups;
 * RESULT lines as the comparison runner prints them.
 *
 * <pre>java -Xss16m -Xmx8g --add-opens java.base/java.lang=ALL-UNNAMED -cp benchmarks.jar io.verdant.bench.ObserveCost [parked] [dumped]</pre>
 */
public final class ObserveCost {
    private ObserveCost() {
    }

    public static void main(String[] args) throws Exception {
        int parked = args.length > 0 ? Integer.parseInt(args[0]) : Harness.size(1_000_000);
        int dumped = args.length > 1 ? Integer.parseInt(args[1]) : Harness.size(10_000);
        try (Verdant rt = Verdant.start(Config.builder().name("bench-observe").build())) {
            metricsCost(rt);
            withParked(rt, parked, () -> {
                long[] ns = new long[7];
                int live = 0;
                for (int i = 0; i < ns.length; i++) {
                    long t0 = System.nanoTime();
                    RuntimeSnapshot s = rt.snapshot();
                    ns[i] = System.nanoTime() - t0;
                    live = s.threads().size();
                }
                report("snapshot", parked, "ms", median(ns) / 1e6, "threads_seen=" + live);
            });
            withParked(rt, dumped, () -> {
                long[] ns = new long[7];
                CountingWriter out = new CountingWriter();
                for (int i = 0; i < ns.length; i++) {
                    out.chars = 0;
                    long t0 = System.nanoTime();
                    rt.dump(out, DumpOptions.text().stacks(true));
                    ns[i] = System.nanoTime() - t0;
                }
                report("dump-stacks", dumped, "ms", median(ns) / 1e6, "chars=" + out.chars);
            });
        }
    }

    private static void metricsCost(Verdant rt) {
        int calls = 100_000;
        long[] ns = new long[7];
        long sink = 0;
        for (int round = 0; round < ns.length; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                RuntimeMetrics m = rt.metrics();
                sink += m.spawned();
            }
            ns[round] = (System.nanoTime() - t0) / calls;
        }
        report("metrics", calls, "ns_per_call", median(ns), "sink=" + (sink & 1));
    }

    /** Parks {@code n} green threads on a latch, runs {@code measure}, releases and joins them. */
    private static void withParked(Verdant rt, int n, Runnable measure) throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(n);
        List<GreenHandle<Void>> handles = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            handles.add(rt.spawn(() -> {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        started.await();
        measure.run();
        release.countDown();
        for (GreenHandle<Void> h : handles) {
            h.join();
        }
    }

    /** Median of the measured calls, the first two being warm-ups. */
    private static double median(long[] ns) {
        return Harness.median(Arrays.stream(ns, 2, ns.length).asDoubleStream().toArray());
    }

    private static void report(String bench, int n, String unit, double value, String extra) {
        System.out.printf("RESULT bench=observe-%s system=verdant n=%d %s=%.2f %s%n", bench, n, unit, value, extra);
    }

    /** A writer that only counts what it is given. */
    private static final class CountingWriter extends Writer {
        long chars;

        @Override
        public void write(char[] buf, int off, int len) {
            chars += len;
        }

        @Override
        public Writer append(CharSequence csq) {
            chars += csq == null ? 4 : csq.length();
            return this;
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
