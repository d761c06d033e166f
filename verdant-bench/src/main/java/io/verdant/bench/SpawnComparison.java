package io.verdant.bench;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import io.verdant.internal.vthread.VirtualThreads;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Function;

/**
 * {@code spawn}: spawn 1,000,000 no-op threads, then join them all, from inside
 * a thread of the system measured (a green thread, a virtual thread), at one
 * worker per core and at one worker (vt-default with parallelism 1 in a forked
 * JVM: its parallelism is fixed at JVM start). Platform
 * threads do the same with {@link #PLATFORM_N} threads (1,000,000 would take
 * minutes). ns_per_op = elapsed / threads. Verdant's entries also report, from
 * {@code rt.metrics()} around each round, steals, carrier parks and no-op wake-ups
 * per 1,000 children, and the share of children (percent) that ended on the
 * carrier where most spawns were made (the spawner's; it moves rarely), as
 * counts beside the time (issue 11, spawn at 2 workers).
 *
 * <p>vt-fjp is a reference on Verdant's own footing: virtual threads whose
 * scheduler is a plain {@link ForkJoinPool} (async mode, one thread per core)
 * given through the same custom-scheduler hook Verdant uses
 * ({@link VirtualThreads#newThread}). It runs the JDK's own pool behind that
 * hook, so vt-fjp against vt-default is what the hook costs that pool (the
 * default scheduler reaches it through private paths), and verdant against
 * vt-fjp is what Verdant's scheduler and bookkeeping cost beside it.
 */
final class SpawnComparison extends Harness {
    static final int N = size(1_000_000);
    static final int PLATFORM_N = 10_000;
    private static final Runnable NOOP = () -> { };

    @Override
    public String name() {
        return "spawn";
    }

    @Override
    public String description() {
        return "spawn and join 1,000,000 no-op threads (verdant, vt-default, at all cores and at 1 worker; platform with "
                + PLATFORM_N + ")";
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
                local("verdant", "spawn", "verdant", N, "ns_per_op", List.of(w), VerdantSpawn::new),
                local("vt-default", "spawn", "vt-default", N, "ns_per_op", List.of(w), () -> SpawnComparison::vtSpawn),
                local("vt-fjp", "spawn", "vt-fjp", N, "ns_per_op", List.of(w), FjpSpawn::new),
                local("platform", "spawn", "platform", PLATFORM_N, "ns_per_op", List.of(),
                        () -> SpawnComparison::platformSpawn),
                // One worker: Verdant with one carrier beside the default scheduler with
                // parallelism 1, which is fixed at JVM start, so in a forked child.
                local("verdant-w1", "spawn", "verdant", N, "ns_per_op", List.of("workers=1"), () -> new VerdantSpawn(1)),
                forked("vt-default-w1", "spawn", "vt-default", N, "ns_per_op", List.of("workers=1"),
                        List.of("-Djdk.virtualThreadScheduler.parallelism=1",
                                "-Djdk.virtualThreadScheduler.maxPoolSize=2"),
                        () -> SpawnComparison::vtSpawn));
    }

    @Override
    protected void summarize(Report report, Map<String, Double> m) {
        ratios(report, "spawn verdant/vt-default", m, "verdant", "vt-default", "<=", 1.0);
        ratios(report, "spawn 1 worker verdant/vt-default", m, "verdant-w1", "vt-default-w1", "<=", 1.0);
        plainRatio(report, "spawn vt-fjp/vt-default", m, "vt-fjp", "vt-default");
        plainRatio(report, "spawn verdant/vt-fjp", m, "verdant", "vt-fjp");
    }

    /**
     * vt-fjp (see the class comment): the pool is made once per trial and shut
     * down at its end; each round spawns from a virtual thread of the pool.
     */
    static final class FjpSpawn implements Trial {
        private final ForkJoinPool pool = new ForkJoinPool(Runtime.getRuntime().availableProcessors(),
                ForkJoinPool.defaultForkJoinWorkerThreadFactory, null, true);

        @Override
        public double run() throws Exception {
            return threadSpawn(task -> {
                Thread t = VirtualThreads.newThread(pool, null, task);
                t.start();
                return t;
            });
        }

        @Override
        public void close() {
            pool.shutdown();
        }
    }

    static final class VerdantSpawn implements Trial {
        final Verdant rt;
        private Map<String, Double> counts = Map.of();

        /** A runtime with one worker per core (the default). */
        VerdantSpawn() {
            rt = Verdant.start(Config.builder().name("bench-spawn").build());
        }

        /** A runtime with {@code workers} workers. */
        VerdantSpawn(int workers) {
            rt = Verdant.start(Config.builder().name("bench-spawn-w" + workers).workers(workers).build());
        }

        @Override
        public double run() {
            io.verdant.RuntimeMetrics m0 = rt.metrics();
            long ns = rt.run(() -> {
                @SuppressWarnings("unchecked")
                GreenHandle<Void>[] hs = (GreenHandle<Void>[]) new GreenHandle<?>[N];
                long t0 = System.nanoTime();
                for (int i = 0; i < N; i++) {
                    hs[i] = Green.spawn(NOOP);
                }
                for (GreenHandle<Void> h : hs) {
                    h.join();
                }
                return System.nanoTime() - t0;
            });
            counts = counts(m0, rt.metrics());
            return (double) ns / N;
        }

        /** Per 1,000 children between two snapshots, and the spawner's carrier's share of the exits. */
        private static Map<String, Double> counts(io.verdant.RuntimeMetrics a, io.verdant.RuntimeMetrics b) {
            double perK = 1000.0 / N;
            long mostSpawned = -1;
            long exitsThere = 0;
            for (io.verdant.WorkerMetrics w : b.workers()) {
                io.verdant.WorkerMetrics before = a.workers().stream().filter(x -> x.index() == w.index())
                        .findFirst().orElse(null);
                long spawned = w.spawned() - (before == null ? 0 : before.spawned());
                if (spawned > mostSpawned) {
                    mostSpawned = spawned;
                    exitsThere = w.exited() - (before == null ? 0 : before.exited());
                }
            }
            return Map.of("steals_per_1k", (b.steals() - a.steals()) * perK,
                    "parks_per_1k", (b.parks() - a.parks()) * perK,
                    "noop_wakeups_per_1k", (b.noopWakeups() - a.noopWakeups()) * perK,
                    "spawner_carrier_exits_pct", 100.0 * exitsThere / N);
        }

        @Override
        public Map<String, Double> extras() {
            return counts;
        }

        @Override
        public void close() {
            rt.close();
        }
    }

    static double vtSpawn() throws InterruptedException {
        return threadSpawn(Thread::startVirtualThread);
    }

    /**
     * One round of spawn and join with JDK threads: a root thread started by
     * {@code start} starts N no-op threads the same way, then joins them all.
     *
     * @param start starts a thread running its argument and returns it
     * @return ns per thread, measured inside the root
     */
    private static double threadSpawn(Function<Runnable, Thread> start) throws InterruptedException {
        long[] ns = new long[1];
        Thread root = start.apply(() -> {
            Thread[] ts = new Thread[N];
            long t0 = System.nanoTime();
            for (int i = 0; i < N; i++) {
                ts[i] = start.apply(NOOP);
            }
            try {
                for (Thread t : ts) {
                    t.join();
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            ns[0] = System.nanoTime() - t0;
        });
        root.join();
        return (double) ns[0] / N;
    }

    static double platformSpawn() throws InterruptedException {
        Thread[] ts = new Thread[PLATFORM_N];
        long t0 = System.nanoTime();
        for (int i = 0; i < PLATFORM_N; i++) {
            ts[i] = Thread.ofPlatform().start(NOOP);
        }
        for (Thread t : ts) {
            t.join();
        }
        return (double) (System.nanoTime() - t0) / PLATFORM_N;
    }
}
