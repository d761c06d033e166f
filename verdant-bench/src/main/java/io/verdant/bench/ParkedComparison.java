package io.verdant.bench;

import io.verdant.Config;
import io.verdant.Verdant;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code parked}: heap bytes per parked thread with 1,000,000 threads parked.
 * Each system runs in its own child JVM (a clean heap, same flags). A round:
 * full GC and heap-used reading; start N threads that each record
 * {@code Thread.currentThread()} in a shared array and park; wait until all are
 * parked; full GC and reading again; (after - before) / N; then unpark and
 * await them all. Both systems keep exactly one array of N thread references.
 */
final class ParkedComparison extends Harness {
    static final int N = size(1_000_000);
    static final List<String> FLAGS = List.of("-Xms3g", "-Xmx3g");

    @Override
    public String name() {
        return "parked";
    }

    @Override
    public String description() {
        return "heap bytes per parked thread at 1,000,000 (verdant, vt-default; each in its own JVM)";
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
        String w = "workers=" + Runtime.getRuntime().availableProcessors();
        return List.of(
                forked("verdant", "parked", "verdant", N, "bytes_per_thread", List.of(w), FLAGS, VerdantParked::new),
                forked("vt-default", "parked", "vt-default", N, "bytes_per_thread", List.of(w), FLAGS,
                        () -> () -> measure(Thread::startVirtualThread)));
    }

    @Override
    protected void summarize(Report report, Map<String, Double> m) {
        if (ran(m, "verdant", "vt-default")) {
            ratio(report, "parked verdant/vt-default", m.get("verdant"), m.get("vt-default"), "<=", 1.3);
            paired(report, "parked verdant/vt-default", "verdant", "vt-default", "<=", 1.3);
        }
    }

    interface Starter {
        void start(Runnable body);
    }

    static final class VerdantParked implements Trial {
        final Verdant rt = Verdant.start(Config.builder().name("bench-parked").build());

        @Override
        public double run() throws Exception {
            return measure(rt::spawn);
        }

        @Override
        public void close() {
            rt.close();
        }
    }

    static volatile boolean released;

    static double measure(Starter starter) throws InterruptedException {
        Thread[] threads = new Thread[N];
        AtomicInteger parked = new AtomicInteger();
        AtomicInteger ended = new AtomicInteger();
        released = false;
        long before = usedAfterGc();
        for (int i = 0; i < N; i++) {
            int slot = i;
            starter.start(() -> {
                threads[slot] = Thread.currentThread();
                parked.incrementAndGet();
                while (!released) {
                    LockSupport.park();
                }
                ended.incrementAndGet();
            });
        }
        while (parked.get() < N) {
            Thread.sleep(10);
        }
        // The last increments happen just before park(): let those threads unmount.
        Thread.sleep(200);
        long after = usedAfterGc();
        long t0 = System.nanoTime();
        released = true;
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
        while (ended.get() < N) {
            Thread.sleep(1);
        }
        System.out.println("release of " + N + " parked threads took " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        return (double) (after - before) / N;
    }

    static long usedAfterGc() {
        MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, mx.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
