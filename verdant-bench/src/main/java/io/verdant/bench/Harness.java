package io.verdant.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Base of the comparisons: a list of {@link Entry entries} (one per system and
 * setting), run alternately round by round after warm-up, each reported as the
 * median of its measured rounds.
 *
 * <pre>
 * Alternation
 *   Round r runs every entry once, starting at entry (r mod entries), so no
 *   system always runs right after the same neighbour. Warm-up rounds are run the
 *   same way and discarded.
 *
 * Forked entries
 *   An entry with JVM flags (e.g. the default scheduler's parallelism, fixed at
 *   JVM start, or a clean heap per system) runs in its own child JVM started once
 *   per comparison ({@link ForkedTrial}); the parent asks it for one round at a
 *   time, so forked and in-process systems still alternate.
 *
 * CPU time (the machine is shared and noisy)
 *   Around every round the measuring JVM (the runner, or the child of a forked
 *   entry) also reads its process CPU time. For ns_per_op and ms metrics the
 *   RESULT line carries its median as cpu_ns_per_op / cpu_ms: on a loaded
 *   machine wall time includes time the OS gave to other processes, CPU time
 *   does not (it does include GC and JIT threads, and idle spinning).
 *
 * Settings (system properties of the runner JVM)
 *   bench.rounds / bench.warmups override every comparison's defaults;
 *   bench.scale (default 1.0) multiplies the per-round operation counts that a
 *   comparison marks as scalable (not the 1,000,000 of spawn/skynet/parked,
 *   which are part of the benchmark's definition).
 * </pre>
 */
abstract class Bench implements Comparison {
    /**
     * One measured system. {@code forkFlags} null: runs in the runner's JVM;
     * otherwise in a child JVM with these extra flags.
     */
    record Entry(String id, String bench, String system, long n, String metric, List<String> extra,
                 List<String> forkFlags, Trial.Factory factory) {
        Entry {
            extra = List.copyOf(extra);
            forkFlags = forkFlags == null ? null : List.copyOf(forkFlags);
        }
    }

    static Entry local(String id, String bench, String system, long n, String metric, List<String> extra,
                       Trial.Factory f) {
        return new Entry(id, bench, system, n, metric, extra, null, f);
    }

    static Entry forked(String id, String bench, String system, long n, String metric, List<String> extra,
                        List<String> flags, Trial.Factory f) {
        return new Entry(id, bench, system, n, metric, extra, flags, f);
    }

    /** The entries; built identically in the runner and in child JVMs. */
    abstract List<Entry> entries();

    int defaultWarmups() {
        return 3;
    }

    int defaultRounds() {
        return 5;
    }

    /** Prints ratio notes from the medians, keyed by entry id. */
    abstract void summarize(Report report, Map<String, Double> medians);

    Entry entry(String id) {
        for (Entry e : entries()) {
            if (e.id().equals(id)) {
                return e;
            }
        }
        throw new IllegalArgumentException("no entry '" + id + "' in " + name());
    }

    @Override
    public final void run(Report report) throws Exception {
        List<Entry> entries = entries();
        int warmups = Integer.getInteger("bench.warmups", defaultWarmups());
        int rounds = Integer.getInteger("bench.rounds", defaultRounds());
        List<Trial> trials = new ArrayList<>();
        try {
            for (Entry e : entries) {
                trials.add(e.forkFlags() == null ? e.factory().create() : new ForkedTrial(name(), e));
            }
            int n = entries.size();
            double[][] values = new double[n][rounds];
            double[][] cpu = new double[n][rounds];
            for (int round = 0; round < warmups + rounds; round++) {
                for (int k = 0; k < n; k++) {
                    int i = (round + k) % n;
                    Trial t = trials.get(i);
                    double v;
                    long cpuNs;
                    if (t instanceof ForkedTrial f) {
                        v = f.run();
                        cpuNs = f.lastCpuNanos();
                    } else {
                        long c0 = processCpuNanos();
                        v = t.run();
                        cpuNs = processCpuNanos() - c0;
                    }
                    if (round >= warmups) {
                        values[i][round - warmups] = v;
                        cpu[i][round - warmups] = cpuMetric(entries.get(i), cpuNs);
                    }
                }
            }
            Map<String, Double> medians = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                Entry e = entries.get(i);
                double m = median(values[i]);
                medians.put(e.id(), m);
                List<String> extra = new ArrayList<>(e.extra());
                String cpuKey = cpuKey(e);
                if (cpuKey != null) {
                    double c = median(cpu[i]);
                    medians.put(e.id() + "/cpu", c);
                    extra.add(cpuKey + "=" + Report.format(c));
                }
                report.result(e.bench(), e.system(), e.n(), e.metric(), m, extra.toArray(String[]::new));
                report.note("  " + e.id() + " rounds: " + Arrays.toString(Arrays.stream(values[i])
                        .mapToObj(Report::format).toArray())
                        + (cpuKey == null ? "" : " " + cpuKey + ": " + Arrays.toString(Arrays.stream(cpu[i])
                        .mapToObj(Report::format).toArray())));
            }
            summarize(report, medians);
        } finally {
            for (Trial t : trials) {
                t.close();
            }
        }
    }

    /** The RESULT key of the CPU-time figure of {@code e}, or null if its metric has none. */
    static String cpuKey(Entry e) {
        return switch (e.metric()) {
            case "ns_per_op" -> "cpu_ns_per_op";
            case "ms" -> "cpu_ms";
            default -> null;
        };
    }

    static double cpuMetric(Entry e, long cpuNanos) {
        return switch (e.metric()) {
            case "ns_per_op" -> (double) cpuNanos / e.n();
            case "ms" -> cpuNanos / 1e6;
            default -> Double.NaN;
        };
    }

    /** CPU time of this JVM so far (all its threads), in ns. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Prints both the wall and (when present) the CPU ratio of {@code a} over {@code b}. */
    static void ratios(Report report, String what, Map<String, Double> m, String a, String b, String op,
                       double target) {
        ratio(report, what, m.get(a), m.get(b), op, target);
        Double ca = m.get(a + "/cpu");
        Double cb = m.get(b + "/cpu");
        if (ca != null && cb != null) {
            ratio(report, what + " [cpu]", ca, cb, op, target);
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }

    /** A ratio note: "what = a / b = x (target op t: met|MISSED)". */
    static void ratio(Report report, String what, double a, double b, String op, double target) {
        double r = a / b;
        boolean met = op.equals("<=") ? r <= target : r >= target;
        report.note(String.format(Locale.ROOT, "ratio %s = %.3f (target %s %.2f: %s)", what, r, op, target,
                met ? "met" : "MISSED"));
    }

    static int scaled(int n) {
        double s = Double.parseDouble(System.getProperty("bench.scale", "1.0"));
        return Math.max(1, (int) (n * s));
    }
}
