package io.verdant.bench;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.Verdant;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;

/**
 * sleepers: N threads each sleep a random 0-1 s, then end. verdant
 * (Green.sleep on the runtime's timer wheel) vs Thread.sleep on default
 * virtual threads. Each system runs in its own forked JVM (same flags), so CPU
 * time and heap are its own. Reported: ms (spawn of the first to end of the
 * last), cpu_ms of the whole process over that time, and, in a second phase
 * with N threads asleep at once, heap in use after a GC per thread
 * (bytes_per_thread; thread objects, stacks, timers).
 */
public final class SleepersComparison implements Comparison {
    static final int N = Integer.getInteger("bench.sleepers.n", 1_000_000);

    @Override
    public String name() {
        return "sleepers";
    }

    @Override
    public String description() {
        return N + " threads each sleeping a random 0-1 s: verdant Green.sleep vs Thread.sleep on vt-default "
                + "(forked JVMs): total time, CPU time, heap per sleeping thread";
    }

    @Override
    public void run(Report report) throws Exception {
        List<String> flags = List.of("-Xms4g", "-Xmx4g", "-XX:+UseParallelGC");
        for (int round = 0; round < Integer.getInteger("bench.sleepers.rounds", 1); round++) {
            Forked.run(Child.class, flags, "verdant");
            Forked.run(Child.class, flags, "vt-default");
        }
    }

    public static final class Child {
        public static void main(String[] args) throws Exception {
            String system = args[0];
            int n = N;
            long[] sleeps = new long[n];
            SplittableRandom rnd = new SplittableRandom(7);
            for (int i = 0; i < n; i++) {
                sleeps[i] = rnd.nextLong(1_000_000_000L);
            }
            Report r = new Report();
            MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
            // Phase 1, time and CPU: spawn N, each sleeps its random 0-1 s, wait for all. Run twice: the
            // first run is cold (the wake-up path deoptimizes once per parked stack, see DESIGN.md), the second warm.
            for (String run : new String[] {"cold", "warm"}) {
                CountDownLatch done = new CountDownLatch(n);
                long cpu0 = Forked.processCpuNanos();
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
                long t1 = System.nanoTime();
                long cpu1 = Forked.processCpuNanos();
                r.result("sleepers", system, n, "ms", (t1 - t0) / 1e6, "run=" + run);
                r.result("sleepers", system, n, "cpu_ms", (cpu1 - cpu0) / 1e6, "run=" + run);
            }
            // Phase 2, memory: N threads asleep (for a minute) at once; heap after a GC, then cancel them all.
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
            r.result("sleepers", system, n, "bytes_per_thread", perThread, "note=heap_after_gc_all_asleep");
        }

        private static long heapPerThread(MemoryMXBean mem, long before, int n) throws InterruptedException {
            Thread.sleep(500); // let the last ones reach their sleep
            System.gc();
            return (mem.getHeapMemoryUsage().getUsed() - before) / n;
        }
    }
}
