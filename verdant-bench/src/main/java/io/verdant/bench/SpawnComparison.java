package io.verdant.bench;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;

import java.util.List;
import java.util.Map;

/**
 * {@code spawn}: spawn 1,000,000 no-op threads, then join them all, from inside
 * a thread of the system measured (a green thread, a virtual thread), at one
 * worker per core and at one worker (vt-default with parallelism 1 in a forked
 * JVM: its parallelism is fixed at JVM start). Platform
 * threads do the same with {@link #PLATFORM_N} threads (1,000,000 would take
 * minutes). ns_per_op = elapsed / threads.
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
    }

    static final class VerdantSpawn implements Trial {
        final Verdant rt;

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
            return (double) ns / N;
        }

        @Override
        public void close() {
            rt.close();
        }
    }

    static double vtSpawn() throws InterruptedException {
        long[] ns = new long[1];
        Thread root = Thread.startVirtualThread(() -> {
            Thread[] ts = new Thread[N];
            long t0 = System.nanoTime();
            for (int i = 0; i < N; i++) {
                ts[i] = Thread.startVirtualThread(NOOP);
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
