package io.verdant.bench;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.TraceRecording;
import io.verdant.Verdant;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What observability costs on the switch-bound workloads (issue 12's acceptance),
 * as two comparisons whose entries all run in child JVMs, so that the rounds of
 * the variants alternate process by process ({@link Harness} interleaves the
 * entries within each round) and each variant gets its own JIT profile:
 * <ul>
 * <li>{@code metrics-cost}: {@code yield} (two threads yielding to each other on
 * one carrier) and {@code pingpong} (rendezvous channels, 1 and 2 workers), each
 * with metrics on (the default) and off ({@code -Dverdant.metrics=false}, a
 * benchmarking switch). Target: off/on at most 1% in CPU time per operation.</li>
 * <li>{@code trace-cost}: the same workloads with tracing not compiled in
 * ({@code -Dverdant.trace=false}), compiled in but off (the default), the flight
 * recorder on ({@code Config.flightRecorder(4 MiB)}, or {@code -Dbench.flightBytes}), and a trace recording
 * ({@code startTrace()}, restarted every round). Targets: off within 0.5% of not
 * compiled in; tracing on within 15% on yield, 10% on pingpong.</li>
 * </ul>
 * Read the {@code cpu_ns_per_op} ratios the summary prints (CPU time of the child
 * JVM per switch or round trip); the wall-clock ratios are printed beside them.
 * Example: {@code java -cp benchmarks.jar io.verdant.bench.Compare metrics-cost trace-cost}
 * with {@code -Dbench.rounds=9}.
 */
final class ObservabilityCost {
    /** The flight recorder's bytes per carrier: 4 MiB, or {@code -Dbench.flightBytes} (to see what the ring's size costs). */
    static final long FLIGHT_BYTES = Long.getLong("bench.flightBytes", 4L << 20);

    private ObservabilityCost() {
    }

    /** The workloads: yield pair on one worker, pingpong on 1 and 2 workers. */
    private static final String[] WORKLOADS = {"yield-w1", "pingpong-w1", "pingpong-w2"};

    /** {@code metrics-cost}: metrics on against off, per workload. */
    static final class Metrics extends Harness {
        @Override
        public String name() {
            return "metrics-cost";
        }

        @Override
        public String description() {
            return "yield and pingpong (1, 2 workers) with metrics on and off (-Dverdant.metrics=false), "
                    + "each in its own JVM, alternating";
        }

        @Override
        protected int defaultRounds() {
            return 9;
        }

        @Override
        protected List<Entry> entries() {
            List<Entry> es = new ArrayList<>();
            for (String w : WORKLOADS) {
                es.add(observed(name(), w, "metrics-on", List.of(), "none"));
                es.add(observed(name(), w, "metrics-off", List.of("-Dverdant.metrics=false"), "none"));
            }
            return es;
        }

        @Override
        protected void summarize(Report report, Map<String, Double> m) {
            for (String w : WORKLOADS) {
                ratios(report, w + " metrics on/off", m, w + "/metrics-on", w + "/metrics-off", "<=", 1.01);
                // The same without the JIT threads (ThreadCpu): at 2 workers they recompile in
                // measured rounds, by a few per cent of the process's CPU, varying by JVM.
                runtimeRatio(report, w + " metrics on/off", m, w + "/metrics-on", w + "/metrics-off", 1.01);
            }
        }
    }

    /** {@code trace-cost}: tracing not compiled in, off, flight recorder, recording. */
    static final class Trace extends Harness {
        @Override
        public String name() {
            return "trace-cost";
        }

        @Override
        public String description() {
            return "yield and pingpong (1, 2 workers) with tracing not compiled in (-Dverdant.trace=false), off, "
                    + "flight recorder, recording; each in its own JVM, alternating";
        }

        @Override
        protected int defaultRounds() {
            return 9;
        }

        @Override
        protected List<Entry> entries() {
            List<Entry> es = new ArrayList<>();
            for (String w : WORKLOADS) {
                es.add(observed(name(), w, "trace-not-compiled", List.of("-Dverdant.trace=false"), "none"));
                es.add(observed(name(), w, "trace-off", List.of(), "none"));
                es.add(observed(name(), w, "trace-flight", List.of(), "flight"));
                es.add(observed(name(), w, "trace-on", List.of(), "on"));
            }
            return es;
        }

        @Override
        protected void summarize(Report report, Map<String, Double> m) {
            for (String w : WORKLOADS) {
                double onTarget = w.startsWith("yield") ? 1.15 : 1.10;
                ratios(report, w + " trace off/not compiled", m, w + "/trace-off", w + "/trace-not-compiled", "<=",
                        1.005);
                ratios(report, w + " trace flight/off", m, w + "/trace-flight", w + "/trace-off", "<=", onTarget);
                ratios(report, w + " trace on/off", m, w + "/trace-on", w + "/trace-off", "<=", onTarget);
            }
        }
    }

    /**
     * A ratio note of the runtime threads' CPU per op (the extra ObservedTrial reports),
     * if both entries ran and /proc could be read.
     */
    private static void runtimeRatio(Report report, String what, Map<String, Double> m, String a, String b,
                                     double target) {
        Double ra = m.get(a + "/runtime_cpu_ns_per_op");
        Double rb = m.get(b + "/runtime_cpu_ns_per_op");
        if (ra != null && rb != null && ra > 0 && rb > 0) {
            Harness.ratio(report, what + " [runtime threads cpu]", ra, rb, "<=", target);
            Harness.paired(report, what + " [runtime threads cpu]", a + "/runtime_cpu_ns_per_op",
                    b + "/runtime_cpu_ns_per_op", "<=", target);
        }
    }

    /** One forked entry: {@code workload} in a JVM with {@code flags}, tracing {@code trace} (none, flight, on). */
    private static Harness.Entry observed(String bench, String workload, String variant, List<String> flags,
                                       String trace) {
        boolean yield = workload.startsWith("yield");
        int workers = workload.endsWith("w2") ? 2 : 1;
        long n = yield ? 2L * YieldComparison.YIELDS : PingPongComparison.N;
        List<String> extra = List.of("workload=" + workload, "variant=" + variant);
        return Harness.forked(workload + "/" + variant, bench, "verdant", n, "ns_per_op", extra, flags,
                () -> new ObservedTrial(yield, workers, trace));
    }

    /** The runtime's name, and so the start of its threads' names (ThreadCpu). */
    private static final String RUNTIME_NAME = "bench-observed";

    /**
     * A Verdant runtime running one workload per round, observed as asked. Each
     * round also reports, as extras, the CPU per operation of the JIT compiler
     * threads ({@code jit_cpu_ns_per_op}) and of the runtime's own threads,
     * carriers and ticker ({@code runtime_cpu_ns_per_op}); see {@link ThreadCpu}.
     */
    private static final class ObservedTrial implements Trial {
        private final boolean yield;
        private final String trace;
        private final Verdant rt;
        private TraceRecording recording;
        private Map<String, Double> extras = Map.of();

        ObservedTrial(boolean yield, int workers, String trace) {
            this.yield = yield;
            this.trace = trace;
            Config.Builder b = Config.builder().workers(workers).name(RUNTIME_NAME);
            if (trace.equals("flight")) {
                b.flightRecorder(FLIGHT_BYTES);
            }
            this.rt = Verdant.start(b.build());
        }

        @Override
        public double run() {
            if (trace.equals("on")) {
                // A fresh trace per round: a trace left running fills its lanes and then only counts drops.
                if (recording != null) {
                    recording.stop();
                }
                recording = rt.startTrace();
            }
            ThreadCpu.Snapshot before = ThreadCpu.take(RUNTIME_NAME);
            double v = yield ? yieldRound() : PingPongComparison.verdant(rt, 0, PingPongComparison.N);
            ThreadCpu.Snapshot used = ThreadCpu.take(RUNTIME_NAME).minus(before);
            double ops = yield ? 2.0 * YieldComparison.YIELDS : PingPongComparison.N;
            Map<String, Double> x = new java.util.LinkedHashMap<>();
            x.put("jit_cpu_ns_per_op", used.jit() / ops);
            x.put("runtime_cpu_ns_per_op", used.runtime() / ops);
            extras = x;
            return v;
        }

        @Override
        public Map<String, Double> extras() {
            return extras;
        }

        /** One round of the yield pair, ns per yield. */
        private double yieldRound() {
            long ns = rt.run(() -> {
                long t0 = System.nanoTime();
                GreenHandle<Void> a = Green.spawn(YieldComparison.VerdantPair::greenLoop);
                GreenHandle<Void> b = Green.spawn(YieldComparison.VerdantPair::greenLoop);
                a.join();
                b.join();
                return System.nanoTime() - t0;
            });
            return (double) ns / (2L * YieldComparison.YIELDS);
        }

        @Override
        public void close() {
            if (recording != null) {
                recording.stop();
            }
            rt.close();
        }
    }
}
