package io.verdant.bench;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.TraceOptions;
import io.verdant.TraceRecording;
import io.verdant.Verdant;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Load-independent counts of a trace recording (issue 12): per round of the
 * {@code trace-cost} workloads with a fresh {@code startTrace()}, the trace
 * collector's CPU time per event (ThreadMXBean), the process's minor page
 * faults per event ({@code /proc/self/stat}), events held and dropped. The
 * carriers' CPU time per operation (ThreadMXBean: not the time they waited for a
 * core, but their cache misses depend on what else runs) and the process CPU per
 * operation (depends on load) are printed too.
 * With {@code flight} (or {@code flight:BYTES}) the runtime runs with the flight recorder
 * (4 MiB per carrier by default, as {@code TraceJmh}) and no trace is started: the
 * carriers' CPU per operation is then the carriers' share of tracing alone (no collector
 * runs), to set against {@code off}; {@code flight:65536} against {@code flight} shows
 * what the rings' memory footprint costs the carriers (1,024 events a ring, which stays
 * in a core's cache, against 65,536).
 * Usage: {@code java -cp benchmarks.jar io.verdant.bench.TraceProbe yield|pingpong workers rounds
 * [off|flight|flight:BYTES|ringEvents]}.
 */
public final class TraceProbe {
    private TraceProbe() {
    }

    /**
     * Runs the probe.
     *
     * @param args workload, workers, rounds, optionally "off" (no trace), "flight" or
     *             "flight:BYTES" (the flight recorder, no trace) or the ring size of the trace
     * @throws Exception if a round fails
     */
    public static void main(String[] args) throws Exception {
        boolean yield = args[0].startsWith("yield");
        int workers = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        boolean flight = args.length >= 4 && args[3].startsWith("flight");
        long flightBytes = flight && args[3].startsWith("flight:") ? Long.parseLong(args[3].substring(7)) : 4L << 20;
        boolean on = args.length < 4 || !(args[3].equals("off") || flight);
        int ringEvents = args.length < 4 || !on ? TraceOptions.DEFAULT_RING_EVENTS : Integer.parseInt(args[3]);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (Verdant rt = Verdant.start(Config.builder().workers(workers).name("probe")
                .flightRecorder(flight ? flightBytes : 0).build())) {
            for (int r = 0; r < rounds; r++) {
                long f0 = minorFaults();
                long cpu0 = os.getProcessCpuTime();
                long carrier0 = carrierCpu(mx);
                TraceRecording rec = on ? rt.startTrace(TraceOptions.defaults().ringEvents(ringEvents)) : null;
                long ops;
                if (yield) {
                    rt.run(() -> {
                        GreenHandle<Void> a = Green.spawn(YieldComparison.VerdantPair::greenLoop);
                        GreenHandle<Void> b = Green.spawn(YieldComparison.VerdantPair::greenLoop);
                        a.join();
                        b.join();
                        return null;
                    });
                    ops = 2L * YieldComparison.YIELDS;
                } else {
                    PingPongComparison.verdant(rt, 0, PingPongComparison.N);
                    ops = PingPongComparison.N;
                }
                long carrier = carrierCpu(mx) - carrier0;
                long collector = 0;
                for (Thread t : Thread.getAllStackTraces().keySet()) {
                    if (t.getName().endsWith("-trace-collector")) {
                        collector += Math.max(0, mx.getThreadCpuTime(t.threadId()));
                    }
                }
                long events = 0;
                long dropped = 0;
                if (rec != null) {
                    rec.stop();
                    events = rec.events();
                    dropped = rec.dropped();
                }
                long cpu = os.getProcessCpuTime() - cpu0;
                long faults = minorFaults() - f0;
                double ev = Math.max(1, events);
                System.out.printf("round %d: events %d dropped %d collector %.1f ns/event faults %.4f/event"
                                + " (%d) carriers %.1f ns/op cpu %.1f ns/op%n", r, events, dropped, collector / ev,
                        faults / ev, faults, (double) carrier / ops, (double) cpu / ops);
            }
        }
    }

    /** CPU time of the runtime's carriers (threads named probe-carrier-*). */
    private static long carrierCpu(ThreadMXBean mx) {
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("probe-carrier-")) {
                sum += Math.max(0, mx.getThreadCpuTime(t.threadId()));
            }
        }
        return sum;
    }

    private static long minorFaults() throws IOException {
        String s = Files.readString(Path.of("/proc/self/stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[7]); // minflt: field 10 of stat, the 8th after the name
    }
}
