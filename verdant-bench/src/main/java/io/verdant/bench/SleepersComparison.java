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
 * last), cpu ms of the whole process, and heap in use (after a GC) while all N
 * are asleep, as bytes_per_thread.
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
        for (int round = 0; round < PingPongComparison.ROUNDS; round++) {
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
            // Keep every sleeper asleep until all are spawned, so the heap probe sees N sleeping threads:
            // each sleeper first sleeps until a common start instant plus its own random delay.
            CountDownLatch done = new CountDownLatch(n);
            MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
            System.gc();
            long heapBefore = mem.getHeapMemoryUsage().getUsed();
            long cpu0 = Forked.processCpuNanos();
            long t0 = System.nanoTime();
            long wakeBase = t0 + Duration.ofSeconds(3).toNanos();
            long heapDuring;
            if (system.equals("verdant")) {
                try (Verdant rt = Verdant.start(Config.builder().name("sleepers").build())) {
                    for (int i = 0; i < n; i++) {
                        long until = wakeBase + sleeps[i];
                        rt.spawn(() -> {
                            Green.sleep(Duration.ofNanos(Math.max(0, until - System.nanoTime())));
                            done.countDown();
                        });
                    }
                    heapDuring = probeHeap(mem, wakeBase);
                    done.await();
                }
            } else {
                for (int i = 0; i < n; i++) {
                    long until = wakeBase + sleeps[i];
                    Thread.ofVirtual().start(() -> {
                        try {
                            Thread.sleep(Duration.ofNanos(Math.max(0, until - System.nanoTime())));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        done.countDown();
                    });
                }
                heapDuring = probeHeap(mem, wakeBase);
                done.await();
            }
            long t1 = System.nanoTime();
            long cpu1 = Forked.processCpuNanos();
            Report r = new Report();
            boolean allAsleep = System.nanoTime() < wakeBase;
            r.note(system + ": heap probe taken " + (allAsleep ? "while all were asleep" : "LATE (some had woken)"));
            r.result("sleepers", system, n, "ms", (t1 - t0) / 1e6, "note=includes_3s_common_start");
            r.result("sleepers", system, n, "cpu_ms", (cpu1 - cpu0) / 1e6);
            r.result("sleepers", system, n, "bytes_per_thread", (double) (heapDuring - heapBefore) / n);
        }

        private static long probeHeap(MemoryMXBean mem, long wakeBase) {
            System.gc();
            return mem.getHeapMemoryUsage().getUsed();
        }
    }
}
