package io.verdant.bench;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import io.verdant.internal.vthread.VirtualThreads;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * {@code yield}: the cost of one switch.
 * <ul>
 * <li>bench=yield: two threads yielding to each other on one carrier: Verdant
 * with 1 worker; virtual threads on the default scheduler with parallelism 1
 * (child JVM); vt-floor, virtual threads whose scheduler is a bare
 * single-thread ArrayDeque loop (the floor for a custom-scheduler design).</li>
 * <li>bench=yield-alone: one thread yielding with nothing else to run: Verdant
 * with 2 workers; default virtual threads at default parallelism; vt-floor, the
 * same bare ArrayDeque loop with one thread (the floor of a lone yield for a
 * custom-scheduler design: the JDK's unmount, execute and mount with no
 * scheduler work at all).</li>
 * </ul>
 * ns_per_op is elapsed time divided by the total number of yields.
 */
final class YieldComparison extends Harness {
    /** Yields per thread per round (scaled by bench.scale): ~0.3 s per round at ~150 ns. */
    static final int YIELDS = scaled(1_000_000);

    @Override
    public String name() {
        return "yield";
    }

    @Override
    public String description() {
        return "two threads yielding to each other on one carrier (verdant, vt-default p=1, vt-floor); "
                + "one thread yielding alone (verdant 2 workers, vt-default, vt-floor)";
    }

    @Override
    protected int defaultWarmups() {
        return 3;
    }

    @Override
    protected int defaultRounds() {
        return 7;
    }

    @Override
    protected List<Entry> entries() {
        long pair = 2L * YIELDS;
        return List.of(
                local("verdant", "yield", "verdant", pair, "ns_per_op", List.of("workers=1"), VerdantPair::new),
                forked("vt-default", "yield", "vt-default", pair, "ns_per_op", List.of("workers=1"),
                        List.of("-Djdk.virtualThreadScheduler.parallelism=1"), () -> YieldComparison::vtPair),
                local("vt-floor", "yield", "vt-floor", pair, "ns_per_op", List.of("workers=1"),
                        () -> YieldComparison::floorPair),
                local("verdant-alone", "yield-alone", "verdant", YIELDS, "ns_per_op", List.of("workers=2"),
                        VerdantAlone::new),
                local("vt-default-alone", "yield-alone", "vt-default", YIELDS, "ns_per_op",
                        List.of("workers=" + Runtime.getRuntime().availableProcessors()), () -> YieldComparison::vtAlone),
                local("vt-floor-alone", "yield-alone", "vt-floor", YIELDS, "ns_per_op", List.of("workers=1"),
                        () -> YieldComparison::floorAlone));
    }

    @Override
    protected void summarize(Report report, Map<String, Double> m) {
        ratios(report, "yield verdant/vt-floor (1 carrier)", m, "verdant", "vt-floor", "<=", 1.15);
        plainRatio(report, "yield verdant/vt-default (1 carrier)", m, "verdant", "vt-default");
        ratios(report, "yield-alone verdant/vt-default", m, "verdant-alone", "vt-default-alone", "<=", 0.6);
        plainRatio(report, "yield-alone verdant/vt-floor", m, "verdant-alone", "vt-floor-alone");
        plainRatio(report, "yield-alone vt-floor/vt-default", m, "vt-floor-alone", "vt-default-alone");
    }

    static void yieldLoop() {
        for (int i = 0; i < YIELDS; i++) {
            Thread.yield();
        }
    }

    static final class VerdantPair implements Trial {
        final Verdant rt = Verdant.start(Config.builder().workers(1).name("bench-yield").build());

        @Override
        public double run() {
            long ns = rt.run(() -> {
                long t0 = System.nanoTime();
                GreenHandle<Void> a = Green.spawn(VerdantPair::greenLoop);
                GreenHandle<Void> b = Green.spawn(VerdantPair::greenLoop);
                a.join();
                b.join();
                return System.nanoTime() - t0;
            });
            return (double) ns / (2L * YIELDS);
        }

        static void greenLoop() {
            for (int i = 0; i < YIELDS; i++) {
                Green.yield();
            }
        }

        @Override
        public void close() {
            rt.close();
        }
    }

    static final class VerdantAlone implements Trial {
        final Verdant rt = Verdant.start(Config.builder().workers(2).name("bench-yield-alone").build());

        @Override
        public double run() {
            long ns = rt.run(() -> {
                long t0 = System.nanoTime();
                VerdantPair.greenLoop();
                return System.nanoTime() - t0;
            });
            return (double) ns / YIELDS;
        }

        @Override
        public void close() {
            rt.close();
        }
    }

    static double vtPair() throws InterruptedException {
        long t0 = System.nanoTime();
        Thread a = Thread.startVirtualThread(YieldComparison::yieldLoop);
        Thread b = Thread.startVirtualThread(YieldComparison::yieldLoop);
        a.join();
        b.join();
        return (double) (System.nanoTime() - t0) / (2L * YIELDS);
    }

    static double vtAlone() throws InterruptedException {
        long[] ns = new long[1];
        Thread t = Thread.startVirtualThread(() -> {
            long t0 = System.nanoTime();
            yieldLoop();
            ns[0] = System.nanoTime() - t0;
        });
        t.join();
        return (double) ns[0] / YIELDS;
    }

    /**
     * The floor of a lone yield: {@link #floor} with one thread, so every yield
     * unmounts, is queued alone and is mounted again by the bare loop.
     *
     * @return ns per yield
     * @throws InterruptedException if interrupted while joining the loop thread
     */
    static double floorAlone() throws InterruptedException {
        return floor(1, "vt-floor-alone-carrier");
    }

    /** The floor of a switch: {@link #floor} with two threads taking turns. */
    static double floorPair() throws InterruptedException {
        return floor(2, "vt-floor-carrier");
    }

    /**
     * The floor: a platform thread runs a plain ArrayDeque of continuations. The
     * {@code threads} virtual threads are started from the loop thread and every
     * yield re-submits from it, so the deque is only ever touched by that one thread.
     *
     * @return ns per yield
     */
    private static double floor(int threads, String carrierName) throws InterruptedException {
        long[] ns = new long[1];
        Thread carrier = new Thread(() -> {
            ArrayDeque<Runnable> queue = new ArrayDeque<>();
            Executor ex = queue::addLast;
            long t0 = System.nanoTime();
            for (int i = 0; i < threads; i++) {
                VirtualThreads.newThread(ex, null, YieldComparison::yieldLoop).start();
            }
            for (Runnable r; (r = queue.pollFirst()) != null; ) {
                r.run();
            }
            ns[0] = System.nanoTime() - t0;
        }, carrierName);
        carrier.start();
        carrier.join();
        return (double) ns[0] / ((long) threads * YIELDS);
    }
}
