package io.verdant.bench;

import io.verdant.Config;
import io.verdant.GreenHandle;
import io.verdant.Verdant;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * stall: time for 10,000 short threads to finish while carriers are stuck in a
 * loop with no safepoint (stuck=1: one carrier; stuck=all: every carrier).
 * verdant (default 100 ms stall threshold, spare carriers) versus vt-default,
 * whose stuck carriers are simply lost. The stuck loops end on their own after
 * {@link #STUCK_CAP_MS}, so vt-default with every carrier stuck finishes then.
 */
final class StallComparison extends Harness {
    private static final int THREADS = size(10_000);
    private static final long STUCK_CAP_MS = SMOKE ? 200 : 3_000;

    private final int carriers = Runtime.getRuntime().availableProcessors();

    @Override
    public String name() {
        return "stall";
    }

    @Override
    public String description() {
        return THREADS + " short threads while 1 or all " + carriers + " carriers are stuck in a loop without a "
                + "safepoint (capped at " + STUCK_CAP_MS + " ms): verdant, vt-default";
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
        List<Entry> es = new ArrayList<>();
        for (int stuck : new int[] {1, carriers}) {
            List<String> extra = List.of("workers=" + carriers, "stuck=" + stuck);
            es.add(local("verdant-stuck" + stuck, name(), "verdant", THREADS, "ms", extra, () -> () -> verdant(stuck)));
            es.add(local("vt-default-stuck" + stuck, name(), "vt-default", THREADS, "ms", extra,
                    () -> () -> vtDefault(stuck)));
        }
        return es;
    }

    @Override
    protected void summarize(Report report, Map<String, Double> m) {
        plainRatio(report, "stall verdant/vt-default (all carriers stuck)", m, "verdant-stuck" + carriers,
                "vt-default-stuck" + carriers);
    }

    /** A loop the JIT keeps a safepoint poll in, but that never reaches a Verdant safepoint. */
    static long stuck(AtomicBoolean stop, AtomicBoolean started, long until) {
        started.set(true);
        long x = 0;
        while (!stop.get() && System.nanoTime() < until) {
            x++;
        }
        return x;
    }

    static long shortWork(int i) {
        long x = i;
        for (int k = 0; k < 100; k++) {
            x = x * 31 + k;
        }
        return x;
    }

    private double verdant(int stuckCount) throws InterruptedException {
        try (Verdant rt = Verdant.start(Config.builder().workers(carriers).name("bench-stall").build())) {
            AtomicBoolean stop = new AtomicBoolean();
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STUCK_CAP_MS);
            List<GreenHandle<Long>> loops = new ArrayList<>();
            List<AtomicBoolean> started = new ArrayList<>();
            for (int i = 0; i < stuckCount; i++) {
                AtomicBoolean s = new AtomicBoolean();
                started.add(s);
                loops.add(rt.spawn(() -> stuck(stop, s, until)));
            }
            awaitAll(started);
            long t0 = System.nanoTime();
            List<GreenHandle<Long>> work = new ArrayList<>(THREADS);
            for (int i = 0; i < THREADS; i++) {
                int n = i;
                work.add(rt.spawn(() -> shortWork(n)));
            }
            work.forEach(GreenHandle::join);
            double ms = (System.nanoTime() - t0) / 1e6;
            stop.set(true);
            loops.forEach(GreenHandle::join);
            return ms;
        }
    }

    private double vtDefault(int stuckCount) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STUCK_CAP_MS);
        List<Thread> loops = new ArrayList<>();
        List<AtomicBoolean> started = new ArrayList<>();
        for (int i = 0; i < stuckCount; i++) {
            AtomicBoolean s = new AtomicBoolean();
            started.add(s);
            loops.add(Thread.ofVirtual().start(() -> stuck(stop, s, until)));
        }
        awaitAll(started);
        long t0 = System.nanoTime();
        List<Thread> work = new ArrayList<>(THREADS);
        for (int i = 0; i < THREADS; i++) {
            int n = i;
            work.add(Thread.ofVirtual().start(() -> shortWork(n)));
        }
        for (Thread t : work) {
            t.join();
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        stop.set(true);
        for (Thread t : loops) {
            t.join();
        }
        return ms;
    }

    private static void awaitAll(List<AtomicBoolean> started) throws InterruptedException {
        for (AtomicBoolean s : started) {
            while (!s.get()) {
                Thread.sleep(1);
            }
        }
    }
}
