package io.verdant.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one comparison harness: every comparison of the runner ({@code *Comparison}
 * classes; JMH micro-benchmarks live in {@code io.verdant.bench.jmh}) is a list
 * of {@link Entry entries} (one per system and setting), run alternately round
 * by round after warm-up, each reported as the median of its measured rounds:
 * one RESULT line per entry (DESIGN.md, "Benchmark output contract") with its
 * CPU time beside the wall time, then one "median" line per system.
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
 *   time, so forked and in-process systems still alternate. Children are set up
 *   one after the other: each has built its trial (warm-up included, where a
 *   trial warms up in its constructor) before the next one starts.
 *
 * Ratios and their intervals
 *   A ratio note gives the ratio of two medians and its verdict (what the
 *   tables quote); beside it a "paired" note gives the median of the per-round
 *   ratios (per fork, with bench.forks) with a distribution-free interval and
 *   a verdict of met, MISSED or unresolved ({@link PairedRatio}): on a machine
 *   whose noise is larger than the distance to the target, the first verdict
 *   is a coin toss and the second says so.
 *
 * CPU time (the machine is shared and noisy)
 *   Around every round the measuring JVM (the runner, or the child of a forked
 *   entry; a trial driving a server process reads the server's) also reads its
 *   process CPU time. The RESULT line carries its median as cpu_ns_per_op (for
 *   ns_per_op and ops_per_s) or cpu_ms (for ms): on a loaded machine wall time
 *   includes time the OS gave to other processes, CPU time does not (it does
 *   include GC and JIT threads, and idle spinning).
 *
 * Secondary figures
 *   A trial may report more figures per round ({@link Trial#extras()}, e.g.
 *   p99_us); their medians go on the same RESULT line. A trial whose operation
 *   count varies by round (wrk's requests) reports it as the extra "ops", and
 *   the CPU figure per op uses it.
 *
 * Settings (system properties of the runner JVM)
 *   bench.rounds / bench.warmups override every comparison's defaults;
 *   bench.scale (default 1.0) multiplies the per-round operation counts that a
 *   comparison marks as scalable (not the 1,000,000 of spawn/skynet/parked,
 *   which are part of the benchmark's definition);
 *   bench.forks=K (default 1) repeats the whole measurement K times, each
 *   with its trials set up afresh (new child JVMs for forked entries, so each
 *   gets a JIT profile and heap layout of its own, as JMH's forks do), and
 *   takes every median over the K * rounds rounds pooled; the per-fork
 *   medians are printed beside them. For ratios whose spread between JVMs is
 *   larger than their target (metrics-cost, trace-cost);
 *   bench.smoke=true checks that everything runs: every size becomes tiny
 *   ({@link #size}), one round, no warm-up. Its figures mean nothing.
 * </pre>
 */
public abstract class Harness implements Comparison {
    /** Smoke mode: tiny sizes, one round (see the class comment). */
    protected static final boolean SMOKE = Boolean.getBoolean("bench.smoke");

    /**
     * One measured system. {@code forkFlags} null: runs in the runner's JVM;
     * otherwise in a child JVM with these extra flags.
     */
    public record Entry(String id, String bench, String system, long n, String metric, List<String> extra,
                 List<String> forkFlags, Trial.Factory factory) {
        /** Copies the lists. */
        public Entry {
            extra = List.copyOf(extra);
            forkFlags = forkFlags == null ? null : List.copyOf(forkFlags);
        }
    }

    protected static Entry local(String id, String bench, String system, long n, String metric, List<String> extra,
                       Trial.Factory f) {
        return new Entry(id, bench, system, n, metric, extra, null, f);
    }

    protected static Entry forked(String id, String bench, String system, long n, String metric, List<String> extra,
                        List<String> flags, Trial.Factory f) {
        return new Entry(id, bench, system, n, metric, extra, flags, f);
    }

    /** The entries; built identically in the runner and in child JVMs. */
    protected abstract List<Entry> entries();

    protected int defaultWarmups() {
        return 3;
    }

    protected int defaultRounds() {
        return 5;
    }

    /**
     * Every measured round of the comparison being summarised, keyed as the
     * medians are; set by {@link #run} around {@link #summarize} only (the runner
     * runs one comparison at a time, on one thread), read by {@link #paired}.
     */
    private static Map<String, double[]> roundsBeingSummarized = Map.of();
    /** The rounds per fork of {@link #roundsBeingSummarized} (same thread and lifetime). */
    private static int roundsPerFork = 1;

    /**
     * Prints ratio notes from the medians, keyed by entry id ({@code id}, and
     * {@code id/cpu}, {@code id/<extra>} for the CPU figure and the extras).
     */
    protected abstract void summarize(Report report, Map<String, Double> medians);

    Entry entry(String id) {
        for (Entry e : entries()) {
            if (e.id().equals(id)) {
                return e;
            }
        }
        throw new IllegalArgumentException("no entry '" + id + "' in " + name());
    }

    @Override
    public void run(Report report) throws Exception {
        List<Entry> entries = entries();
        String only = System.getProperty("bench.only");
        if (only != null) {
            // -Dbench.only=<regex on entry ids>: run some systems of a comparison (ratios
            // whose two sides did not both run are left out).
            entries = entries.stream().filter(e -> e.id().matches(only)).toList();
        }
        int warmups = Integer.getInteger("bench.warmups", SMOKE ? 0 : defaultWarmups());
        int perFork = Integer.getInteger("bench.rounds", SMOKE ? 1 : defaultRounds());
        int forks = Math.max(1, Integer.getInteger("bench.forks", 1));
        int rounds = perFork * forks;
        int n = entries.size();
        double[][] values = new double[n][rounds];
        double[][] cpu = new double[n][rounds];
        double[][] warm = new double[n][warmups * forks];
        List<Map<String, double[]>> extras = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            extras.add(new LinkedHashMap<>());
        }
        for (int fork = 0; fork < forks; fork++) {
            measure(entries, fork, warmups, perFork, values, cpu, warm, extras, rounds);
        }
        Map<String, Double> medians = new LinkedHashMap<>();
        Map<String, double[]> byRound = new LinkedHashMap<>();
        List<String> summary = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Entry e = entries.get(i);
            double m = median(values[i]);
            medians.put(e.id(), m);
            byRound.put(e.id(), values[i]);
            List<String> extra = new ArrayList<>();
            for (Map.Entry<String, double[]> x : extras.get(i).entrySet()) {
                double xm = median(x.getValue());
                medians.put(e.id() + "/" + x.getKey(), xm);
                byRound.put(e.id() + "/" + x.getKey(), x.getValue());
                extra.add(x.getKey() + "=" + Report.format(xm));
            }
            extra.addAll(e.extra());
            String cpuKey = cpuKey(e);
            String cpuText = "";
            if (cpuKey != null) {
                double c = median(cpu[i]);
                medians.put(e.id() + "/cpu", c);
                byRound.put(e.id() + "/cpu", cpu[i]);
                extra.add(cpuKey + "=" + Report.format(c));
                cpuText = ", cpu " + Report.format(c);
            }
            report.result(e.bench(), e.system(), e.n(), e.metric(), m, extra.toArray(String[]::new));
            report.note("  " + e.id() + " rounds: " + Arrays.toString(Arrays.stream(values[i])
                    .mapToObj(Report::format).toArray())
                    + (warmups == 0 ? "" : " warm-ups: " + Arrays.toString(Arrays.stream(warm[i])
                    .mapToObj(Report::format).toArray()))
                    + (cpuKey == null ? "" : " " + cpuKey + ": " + Arrays.toString(Arrays.stream(cpu[i])
                    .mapToObj(Report::format).toArray())));
            if (forks > 1) {
                report.note("  " + e.id() + " median per fork: "
                        + perForkMedians(values[i], perFork) + (cpuKey == null ? ""
                        : " " + cpuKey + ": " + perForkMedians(cpu[i], perFork)));
            }
            summary.add("median " + e.bench() + " " + e.system()
                    + (e.extra().isEmpty() ? "" : " " + String.join(",", e.extra())) + ": "
                    + Report.format(m) + " " + e.metric() + cpuText
                    + (forks > 1 ? " (" + rounds + " rounds in " + forks + " forks)" : ""));
        }
        summary.forEach(report::note);
        roundsBeingSummarized = byRound;
        roundsPerFork = perFork;
        try {
            summarize(report, medians);
        } finally {
            roundsBeingSummarized = Map.of();
            roundsPerFork = 1;
        }
    }

    /**
     * One fork (see bench.forks in the class comment): sets every entry up (child JVMs included), runs
     * {@code warmups} then {@code perFork} alternating rounds, filling fork
     * {@code fork}'s columns of the arrays, and closes every trial.
     */
    private void measure(List<Entry> entries, int fork, int warmups, int perFork, double[][] values,
                                double[][] cpu, double[][] warm, List<Map<String, double[]>> extras, int rounds)
            throws Exception {
        List<Trial> trials = new ArrayList<>();
        try {
            for (Entry e : entries) {
                trials.add(e.forkFlags() == null ? e.factory().create() : new ForkedTrial(name(), e));
            }
            int n = entries.size();
            for (int round = 0; round < warmups + perFork; round++) {
                for (int k = 0; k < n; k++) {
                    int i = (round + k) % n;
                    Trial t = trials.get(i);
                    long c0 = processCpuNanos();
                    double v = t.run();
                    long own = t.lastRunCpuNanos();
                    long cpuNs = own >= 0 ? own : processCpuNanos() - c0;
                    if (round < warmups) {
                        warm[i][fork * warmups + round] = v;
                        continue;
                    }
                    int r = fork * perFork + round - warmups;
                    values[i][r] = v;
                    Double ops = t.extras().get("ops");
                    cpu[i][r] = cpuMetric(entries.get(i), cpuNs, ops == null ? entries.get(i).n() : ops);
                    for (Map.Entry<String, Double> x : t.extras().entrySet()) {
                        extras.get(i).computeIfAbsent(x.getKey(), key -> new double[rounds])[r] = x.getValue();
                    }
                }
            }
        } finally {
            for (Trial t : trials) {
                t.close();
            }
        }
    }

    /** The median of each fork's {@code perFork} consecutive values. */
    private static String perForkMedians(double[] v, int perFork) {
        List<String> out = new ArrayList<>();
        for (int f = 0; f + perFork <= v.length; f += perFork) {
            out.add(Report.format(median(Arrays.copyOfRange(v, f, f + perFork))));
        }
        return out.toString();
    }

    /** The RESULT key of the CPU-time figure of {@code e}, or null if its metric has none. */
    static String cpuKey(Entry e) {
        return switch (e.metric()) {
            case "ns_per_op", "ops_per_s" -> "cpu_ns_per_op";
            case "ms" -> "cpu_ms";
            default -> null;
        };
    }

    /** The CPU figure of a round: per op ({@code ops}: the entry's n, or the round's own count) or in ms. */
    static double cpuMetric(Entry e, long cpuNanos, double ops) {
        return switch (e.metric()) {
            case "ns_per_op", "ops_per_s" -> cpuNanos / ops;
            case "ms" -> cpuNanos / 1e6;
            default -> Double.NaN;
        };
    }

    /** CPU time of this JVM so far (all its threads), in ns; nanosecond resolution on Linux (see ProcessCpu). */
    static long processCpuNanos() {
        return ProcessCpu.nanos();
    }

    /** Prints both the wall and (when present) the CPU ratio of {@code a} over {@code b}. */
    protected static void ratios(Report report, String what, Map<String, Double> m, String a, String b, String op,
                       double target) {
        if (m.get(a) == null || m.get(b) == null) {
            return; // one side was left out by bench.only
        }
        ratio(report, what, m.get(a), m.get(b), op, target);
        paired(report, what, a, b, op, target);
        Double ca = m.get(a + "/cpu");
        Double cb = m.get(b + "/cpu");
        if (ca != null && cb != null) {
            ratio(report, what + " [cpu]", ca, cb, op, target);
            paired(report, what + " [cpu]", a + "/cpu", b + "/cpu", op, target);
        }
    }

    /**
     * A note with the {@link PairedRatio} of the rounds keyed {@code a} and
     * {@code b} (over forks, if there were several) and its verdict: "paired
     * what: median of n round ratios m, [low, high] (c % interval):
     * met|MISSED|unresolved". Nothing if either key has no rounds (left out, or
     * called outside {@link #summarize}) or a round has no positive figure.
     */
    protected static void paired(Report report, String what, String a, String b, String op, double target) {
        PairedRatio p = pairedOf(a, b);
        if (p != null) {
            report.note("paired " + what + ": " + p.describe() + ": " + p.verdict(op, target));
        }
    }

    /** As {@link #paired(Report, String, String, String, String, double)}, for a ratio with no target: no verdict. */
    protected static void paired(Report report, String what, String a, String b) {
        PairedRatio p = pairedOf(a, b);
        if (p != null) {
            report.note("paired " + what + ": " + p.describe());
        }
    }

    private static PairedRatio pairedOf(String a, String b) {
        double[] x = roundsBeingSummarized.get(a);
        double[] y = roundsBeingSummarized.get(b);
        return x == null || y == null || !PairedRatio.pairable(x, y) ? null : PairedRatio.of(x, y, roundsPerFork);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }

    /**
     * Whether every one of {@code keys} has a median: false when bench.only left
     * one of their entries out (a summary then leaves out what needs it).
     *
     * @param m the medians
     * @param keys the keys
     * @return true if all are present
     */
    protected static boolean ran(Map<String, Double> m, String... keys) {
        for (String k : keys) {
            if (m.get(k) == null) {
                return false;
            }
        }
        return true;
    }

    /** A ratio note: "what = a / b = x (target op t: met|MISSED)". */
    static void ratio(Report report, String what, double a, double b, String op, double target) {
        double r = a / b;
        boolean met = op.equals("<=") ? r <= target : r >= target;
        report.note(String.format(Locale.ROOT, "ratio %s = %.3f (target %s %s: %s)", what, r, op,
                java.math.BigDecimal.valueOf(target).stripTrailingZeros().toPlainString(),
                met ? "met" : "MISSED"));
    }

    protected static int scaled(int n) {
        if (SMOKE) {
            return size(n);
        }
        double s = Double.parseDouble(System.getProperty("bench.scale", "1.0"));
        return Math.max(1, (int) (n * s));
    }

    /**
     * A size that is part of a benchmark's definition: {@code n}, or in smoke
     * mode a tiny one (n / 10,000, at least 10).
     *
     * @param n the size
     * @return the size to use
     */
    protected static int size(int n) {
        return SMOKE ? Math.max(10, n / 10_000) : n;
    }

    /**
     * A size settable by the system property {@code property}.
     *
     * @param property the property
     * @param n the default
     * @return the property's value, or {@link #size}(n)
     */
    protected static int size(String property, int n) {
        return Integer.getInteger(property, size(n));
    }

    /**
     * Formats a ratio note of two medians.
     *
     * @param report where to print
     * @param what the ratio's name
     * @param m the medians
     * @param a the numerator's entry id
     * @param b the denominator's entry id
     */
    protected static void plainRatio(Report report, String what, Map<String, Double> m, String a, String b) {
        Double x = m.get(a);
        Double y = m.get(b);
        if (x != null && y != null) {
            report.note(String.format(Locale.ROOT, "ratio %s = %.3f", what, x / y));
            paired(report, what, a, b);
        }
    }
}
