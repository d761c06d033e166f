package io.verdant.bench;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.Verdant;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;

/**
 * sleepers: N threads each sleep a random 0-1 s, then end. verdant
 * (Green.sleep on the runtime's timer wheel) vs Thread.sleep on default
 * virtual threads. Each system runs in its own forked JVM (same flags), so CPU
 * time and heap are its own. Reported: ms (spawn of the first to end of the
 * last) with cpu_ms of the whole process over that time (the cold first round
 * is the warm-up, printed in the notes), and, with N threads asleep at once,
 * heap in use after a GC per thread (bytes_per_thread; thread objects, stacks, timers).
 */
final class SleepersComparison extends Harness {
    static final int N = size("bench.sleepers.n", 1_000_000);
    private static final List<String> FLAGS = List.of("-Xms4g", "-Xmx4g", "-XX:+UseParallelGC");

    @Override
    public String name() {
        return "sleepers";
    }

    @Override
    public String description() {
        return N + " threads each sleeping a random 0-1 s: verdant Green.sleep vs Thread.sleep on vt-default "
                + "(forked JVMs): total time, CPU time, heap per sleeping thread";
    }

    /** The first (cold) round pays one deoptimization per parked stack (DESIGN.md); it is the warm-up, printed. */
    @Override
    protected int defaultWarmups() {
        return 1;
    }

    @Override
    protected int defaultRounds() {
        return Integer.getInteger("bench.sleepers.rounds", 1);
    }

    @Override
    protected List<Entry> entries() {
        return List.of(
                forked("verdant", name(), "verdant", N, "ms", List.of(), FLAGS, () -> () -> Child.time("verdant")),
                forked("vt-default", name(), "vt-default", N, "ms", List.of(), FLAGS,
                        () -> () -> Child.time("vt-default")),
                forked("verdant-mem", name(), "verdant", N, "bytes_per_thread", List.of("note=heap_after_gc_all_asleep"),
                        FLAGS, () -> () -> Child.memory("verdant")),
                forked("vt-default-mem", name(), "vt-default", N, "bytes_per_thread",
                        List.of("note=heap_after_gc_all_asleep"), FLAGS, () -> () -> Child.memory("vt-default")));
    }

    @Override
    protected void summarize(Report report, Map<String, Double> m) {
        plainRatio(report, "sleepers verdant/vt-default (ms)", m, "verdant", "vt-default");
        plainRatio(report, "sleepers verdant/vt-default (bytes per thread)", m, "verdant-mem", "vt-default-mem");
    }

    static final class Child {
        private static long[] sleeps() {
            long[] sleeps = new long[N];
            SplittableRandom rnd = new SplittableRandom(7);
            for (int i = 0; i < N; i++) {
                sleeps[i] = rnd.nextLong(1_000_000_000L);
            }
            return sleeps;
        }

        /** Spawns N threads, each sleeps its random 0-1 s; returns ms until all ended. */
        static double time(String system) throws Exception {
            int n = N;
            long[] sleeps = sleeps();
            CountDownLatch done = new CountDownLatch(n);
            long t0 = System.nanoTime();
            if (system.equals("verdant")) {
                try (Verdant rt = Verdant.start(Config.builder().name("sleepers").build())) {
                    for (int i = 0; i < n; i++) {
                        Duration d = Duration.ofNanos(sleeps[i]);
                        rt.spawn(() -> {
                            Green.sleep(d);
                            done.countDown();
                        });
                    }
                    done.await();
                }
            } else {
                for (int i = 0; i < n; i++) {
                    Duration d = Duration.ofNanos(sleeps[i]);
                    Thread.ofVirtual().start(() -> {
                        try {
                            Thread.sleep(d);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        done.countDown();
                    });
                }
                done.await();
            }
            return (System.nanoTime() - t0) / 1e6;
        }

        /** N threads asleep (for a minute) at once: heap per thread after a GC; then cancels them all. */
        static double memory(String system) throws Exception {
            int n = N;
            MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
            System.gc();
            long heapBefore = mem.getHeapMemoryUsage().getUsed();
            Duration minute = Duration.ofMinutes(1);
            CountDownLatch asleep = new CountDownLatch(n);
            long perThread;
            if (system.equals("verdant")) {
                try (Verdant rt = Verdant.start(Config.builder().name("sleepers-mem")
                        .shutdownTimeout(Duration.ofMinutes(2)).build())) {
                    io.verdant.GreenHandle<?>[] hs = new io.verdant.GreenHandle<?>[n];
                    for (int i = 0; i < n; i++) {
                        hs[i] = rt.spawn(() -> {
                            asleep.countDown();
                            Green.sleep(minute);
                        });
                    }
                    asleep.await();
                    perThread = heapPerThread(mem, heapBefore, n);
                    for (io.verdant.GreenHandle<?> h : hs) {
                        h.cancel();
                    }
                }
            } else {
                Thread[] ts = new Thread[n];
                for (int i = 0; i < n; i++) {
                    ts[i] = Thread.ofVirtual().start(() -> {
                        asleep.countDown();
                        try {
                            Thread.sleep(minute);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                }
                asleep.await();
                perThread = heapPerThread(mem, heapBefore, n);
                for (Thread t : ts) {
                    t.interrupt();
                }
                for (Thread t : ts) {
                    t.join();
                }
            }
            return perThread;
        }

        private static long heapPerThread(MemoryMXBean mem, long before, int n) throws InterruptedException {
            Thread.sleep(500); // let the last ones reach their sleep
            System.gc();
            return (mem.getHeapMemoryUsage().getUsed() - before) / n;
        }
    }
}
