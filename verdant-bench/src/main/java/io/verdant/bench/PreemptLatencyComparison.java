package io.verdant.bench;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Priority;
import io.verdant.Verdant;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * preempt-latency: every carrier busy with CPU-bound threads that call
 * {@link Green#checkpoint()} (twice as many as carriers); one high-priority
 * thread sleeps 1 ms in a loop for a fixed window and records how late each
 * wake-up is. Systems: verdant (HIGH green thread, default 10 ms slice),
 * vt-default (the same code on default virtual threads: checkpoint is a no-op
 * there, and nothing preempts a running virtual thread), platform (the OS
 * scheduler; Thread.MAX_PRIORITY, which Linux ignores by default).
 */
final class PreemptLatencyComparison extends Harness {
    private static final long WINDOW_MS = SMOKE ? 50 : 2_000;

    private final int carriers = Runtime.getRuntime().availableProcessors();
    private final int busy = 2 * carriers;

    @Override
    public String name() {
        return "preempt-latency";
    }

    @Override
    public String description() {
        return busy + " CPU-bound threads with checkpoints on " + carriers + " carriers; one high-priority thread "
                + "sleeps 1 ms in a loop for " + WINDOW_MS + " ms; wake-up lateness: verdant, vt-default, platform";
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
        List<String> extra = List.of("workers=" + carriers, "busy=" + busy);
        return List.of(
                local("verdant", name(), "verdant", 1, "p50_us", extra, () -> new LatencyTrial(this::verdant)),
                local("vt-default", name(), "vt-default", 1, "p50_us", extra, () -> new LatencyTrial(this::vtDefault)),
                local("platform", name(), "platform", 1, "p50_us", extra, () -> new LatencyTrial(this::platform)));
    }

    @Override
    protected void summarize(Report report, Map<String, Double> m) {
        plainRatio(report, "preempt-latency p99 verdant/vt-default", m, "verdant/p99_us", "vt-default/p99_us");
    }

    /** A run of one window: lateness of every 1 ms sleep of the high-priority thread. */
    @FunctionalInterface
    interface Window {
        long[] run() throws Exception;
    }

    /** One system: p50 as the figure, p99, max and the sample count as extras. */
    private static final class LatencyTrial implements Trial {
        private final Window window;
        private Map<String, Double> extras = Map.of();

        LatencyTrial(Window window) {
            this.window = window;
        }

        @Override
        public double run() throws Exception {
            long[] lateNanos = window.run();
            Arrays.sort(lateNanos);
            int n = lateNanos.length;
            double p99 = lateNanos[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)] / 1_000.0;
            double max = lateNanos[n - 1] / 1_000.0;
            Map<String, Double> x = new java.util.LinkedHashMap<>();
            x.put("p99_us", p99);
            x.put("max_us", max);
            x.put("samples", (double) n);
            extras = x;
            return lateNanos[n / 2] / 1_000.0;
        }

        @Override
        public Map<String, Double> extras() {
            return extras;
        }
    }

    /**
     * The high-priority sleeper: wake-up lateness of each 1 ms sleep until the
     * window ends. The first one is due 1 ms after {@code launched}, so a thread
     * that cannot even start while the load runs (vt-default) is counted as late.
     */
    private static long[] sleeper(long launched, long windowEnd, Sleep sleep) throws InterruptedException {
        long[] late = new long[(int) WINDOW_MS * 2];
        int n = 0;
        long due = launched + 1_000_000L;
        do {
            sleep.oneMilli();
            late[n++] = Math.max(0, System.nanoTime() - due);
            due = System.nanoTime() + 1_000_000L;
        } while (System.nanoTime() < windowEnd && n < late.length);
        return Arrays.copyOf(late, n);
    }

    interface Sleep {
        void oneMilli() throws InterruptedException;
    }

    /** The CPU-bound load: an arithmetic loop with a checkpoint per iteration. */
    private static long spin(AtomicBoolean stop, long windowEnd) {
        long x = 1;
        long i = 0;
        while (!stop.get()) {
            for (int k = 0; k < 1_000; k++) {
                Green.checkpoint();
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
            if ((++i & 0xFF) == 0 && System.nanoTime() > windowEnd) {
                break;
            }
        }
        return x;
    }

    private long[] verdant() {
        Duration slice = Duration.ofMillis(Long.getLong("bench.timeslice.ms", 10));
        try (Verdant rt = Verdant.start(Config.builder().workers(carriers).timeslice(slice).name("bench-preempt").build())) {
            AtomicBoolean stop = new AtomicBoolean();
            long windowEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WINDOW_MS);
            List<GreenHandle<Long>> load = new ArrayList<>();
            for (int i = 0; i < busy; i++) {
                load.add(rt.spawner().priority(Priority.NORMAL).spawn(() -> spin(stop, windowEnd)));
            }
            long launched = System.nanoTime();
            GreenHandle<long[]> high = rt.spawner().priority(Priority.HIGH).spawn(
                    () -> sleeper(launched, windowEnd, () -> Green.sleep(Duration.ofMillis(1))));
            long[] late = high.join();
            stop.set(true);
            load.forEach(GreenHandle::join);
            return late;
        }
    }

    private long[] vtDefault() throws InterruptedException {
        return onThreads(Thread.ofVirtual());
    }

    private long[] platform() throws InterruptedException {
        return onThreads(Thread.ofPlatform().priority(Thread.MAX_PRIORITY));
    }

    private long[] onThreads(Thread.Builder builder) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        long windowEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WINDOW_MS);
        List<Thread> load = new ArrayList<>();
        for (int i = 0; i < busy; i++) {
            load.add(builder.start(() -> spin(stop, windowEnd)));
        }
        long[][] result = new long[1][];
        long launched = System.nanoTime();
        Thread high = builder.start(() -> {
            try {
                result[0] = sleeper(launched, windowEnd, () -> Thread.sleep(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        high.join();
        stop.set(true);
        for (Thread t : load) {
            t.join();
        }
        return result[0];
    }
}
