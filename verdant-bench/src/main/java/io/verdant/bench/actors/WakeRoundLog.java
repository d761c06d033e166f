package io.verdant.bench.actors;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One line per measured round of {@code wake} (issue 11's undiagnosed slow
 * rounds): what the whole process did during the round, so that a round that
 * takes 10 s instead of 2 s says by itself where the time went.
 *
 * <pre>
 * Per round (all systems)
 *   woken and send figures, the process CPU time, the collector's pauses (count
 *   and time summed over the GarbageCollectorMXBeans, concurrent cycles
 *   included; the young collections apart: a young collection copies parked
 *   stack chunks, and a copied chunk is thawed the slow way), the JIT's
 *   compile time and the process's minor page faults (heap touched for the
 *   first time; /proc/self/stat, -1 where there is none); for Verdant also the runtime's
 *   counters over the round (WakeComparison.VerdantWake.roundCounters: stalls,
 *   spares started and alive, steals, parks, no-op wake-ups, preemptions).
 * Deoptimizations (-Dbench.wake.deopts=true only)
 *   A JFR stream counts jdk.Deoptimization events by time stamp: the round's
 *   line gives how many began inside the round and the method with the most.
 *   Waking a million continuations parked in C2 code can cost one
 *   deoptimization per stack (DESIGN.md), ~10 us of CPU each: a slow round with
 *   a million of them is that, not the scheduler. JFR delivers events about once
 *   a second, so with the flag each round waits 2 s after it ends (outside
 *   the timed part) before counting. Off by default: a JFR stream is not free.
 * Thread
 *   The harness thread only (begin and end of one round at a time; close when a
 *   trial closes, which stops the stream for every system: trials close after
 *   the last round); the JFR stream's thread only appends to {@code deopts}.
 * </pre>
 */
final class WakeRoundLog {
    /** -Dbench.wake.deopts=true: count deoptimizations per round (see the class comment). */
    static final boolean DEOPTS = Boolean.getBoolean("bench.wake.deopts");
    /** How long a round waits for JFR to deliver its events (with DEOPTS only). */
    private static final long DELIVERY_WAIT_MS = 2_000;

    /** A deoptimization: when it began and the method, "class.name reason". */
    private record Deopt(Instant at, String what) {
    }

    private static final ConcurrentLinkedQueue<Deopt> deopts = new ConcurrentLinkedQueue<>();
    private static Object stream;

    private final String system;
    private int round;
    private long cpu0;
    private long gcCount0;
    private long young0;
    private long gcMillis0;
    private long jit0;
    private long faults0;
    private Instant start;

    WakeRoundLog(String system) {
        this.system = system;
        if (DEOPTS) {
            startStream();
        }
    }

    /** Harness thread: the round starts now. */
    void begin() {
        cpu0 = cpuNanos();
        gcCount0 = gcCount();
        young0 = youngCount();
        gcMillis0 = gcMillis();
        jit0 = jitMillis();
        faults0 = minorFaults();
        start = Instant.now();
    }

    /**
     * Harness thread: the round has ended; prints its line.
     *
     * @param sendNs   the send loop, ns per send
     * @param wokenMs  first send to last receiver woken, ms
     * @param counters the system's own counters over the round, or "" (Verdant's)
     * @return the young collections and the collectors' time over the round
     */
    Gc end(double sendNs, double wokenMs, String counters) {
        long cpu = cpuNanos() - cpu0;
        long gcs = gcCount() - gcCount0;
        long young = youngCount() - young0;
        long gcMs = gcMillis() - gcMillis0;
        long jitMs = jitMillis() - jit0;
        long faults = faults0 < 0 ? -1 : minorFaults() - faults0;
        Instant stop = Instant.now();
        String deoptText = "";
        if (DEOPTS) {
            try {
                Thread.sleep(DELIVERY_WAIT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            deoptText = deoptsBetween(start, stop);
        }
        System.out.println(String.format(Locale.ROOT,
                "# wake %s round %d: woken %.0f ms, send %.0f ns, process cpu %d ms, gc %d (%d ms; young %d), "
                        + "jit %d ms, page faults %d%s%s",
                system, round++, wokenMs, sendNs, cpu / 1_000_000, gcs, gcMs, young, jitMs, faults, deoptText,
                counters.isEmpty() ? "" : ", " + counters));
        System.out.flush();
        return new Gc(young, gcMs);
    }

    /**
     * What the collectors did over one round of this JVM.
     *
     * @param young  young (or, for ZGC, minor) collections
     * @param millis the collectors' time, all of them, in ms
     */
    record Gc(long young, long millis) {
    }

    private static String deoptsBetween(Instant from, Instant to) {
        Map<String, Integer> byMethod = new ConcurrentHashMap<>();
        int n = 0;
        for (var it = deopts.iterator(); it.hasNext(); ) {
            Deopt d = it.next();
            if (d.at().isBefore(to)) {
                it.remove();
                if (!d.at().isBefore(from)) {
                    n++;
                    byMethod.merge(d.what(), 1, Integer::sum);
                }
            }
        }
        String top = byMethod.entrySet().stream().max(Map.Entry.comparingByValue())
                .map(e -> " (most: " + e.getKey() + " x" + e.getValue() + ")").orElse("");
        return ", deopts " + n + top;
    }

    private static synchronized void startStream() {
        if (stream != null) {
            return;
        }
        jdk.jfr.consumer.RecordingStream rs = new jdk.jfr.consumer.RecordingStream();
        rs.enable("jdk.Deoptimization").withoutStackTrace();
        rs.onEvent("jdk.Deoptimization", e -> {
            String method = e.getValue("method") == null ? "?"
                    : e.getString("method.type.name") + "." + e.getString("method.name");
            deopts.add(new Deopt(e.getStartTime(), method + " " + e.getString("reason")));
        });
        rs.startAsync();
        stream = rs;
    }

    /** Harness thread, when a trial closes: stops the JFR stream (its thread would keep the JVM alive). */
    static synchronized void close() {
        if (stream instanceof AutoCloseable c) {
            stream = null;
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("# wake: closing the JFR stream failed: " + e);
            }
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, b.getCollectionCount());
        }
        return n;
    }

    /** Collections by the young-generation collectors (G1 Young, Serial Copy, Parallel Scavenge, ZGC minor). */
    private static long youngCount() {
        long n = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            String name = b.getName();
            if (name.contains("Young") || name.contains("Scavenge") || name.equals("Copy") || name.contains("Minor")) {
                n += Math.max(0, b.getCollectionCount());
            }
        }
        return n;
    }

    private static long gcMillis() {
        long n = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, b.getCollectionTime());
        }
        return n;
    }

    /**
     * The process's minor page faults so far (field 10 of /proc/self/stat), or -1
     * where there is none: first touches of heap pages (a heap that grows, or
     * transparent huge pages split and faulted back) show here.
     */
    private static long minorFaults() {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[7]); // fields from 3 (state) on: minflt is field 10
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long jitMillis() {
        var jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }
}
