package io.verdant.bench.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@link ServerMain} in a forked JVM. Every system runs forked, with the
 * same JVM flags: the default virtual-thread scheduler's parallelism is fixed
 * at JVM start, and forking all of them keeps the comparison symmetric.
 */
final class ForkedServer implements AutoCloseable {
    /** A system under test: its name in RESULT lines and its Verdant worker count (0 if not Verdant). */
    record SystemUnderTest(String system, int workers) {
        String label() {
            return workers > 0 ? system + "/" + workers : system;
        }

        String[] extra() {
            return workers > 0 ? new String[] {"workers=" + workers} : new String[0];
        }
    }

    static final List<SystemUnderTest> ALL = List.of(
            new SystemUnderTest("verdant", 1),
            new SystemUnderTest("verdant", 2),
            new SystemUnderTest("vt-default", 0),
            new SystemUnderTest("platform", 0));

    /**
     * Observed servers (issue 12's cost acceptance; http only): verdant-jfr is the
     * verdant server in a JVM recording JFR with the default profile
     * ({@code -XX:StartFlightRecording:settings=default}, to a temporary file
     * deleted when the server stops); vt-default-jfr is the vt-default server in
     * a JVM recording the same way, so JFR's cost on Verdant can be set against
     * JFR's cost on default virtual threads; verdant-flight is the verdant server
     * with the trace flight recorder on ({@code Config.flightRecorder(4 MiB)}).
     * Compare each with its unobserved system (verdant of the same worker count,
     * or vt-default), and verdant-jfr with vt-default-jfr.
     */
    static final List<SystemUnderTest> OBSERVED = List.of(
            new SystemUnderTest("verdant-jfr", 1),
            new SystemUnderTest("verdant-jfr", 2),
            new SystemUnderTest("vt-default-jfr", 0),
            new SystemUnderTest("verdant-flight", 1),
            new SystemUnderTest("verdant-flight", 2));

    /** The systems to run: all, or those listed (by label, e.g. {@code verdant/1,vt-default}) in {@code net.systems}. */
    static List<SystemUnderTest> systems() {
        return select(ALL);
    }

    /**
     * {@link #systems()} plus the observed Verdant servers ({@link #OBSERVED}), which run
     * only when {@code net.systems} names them, e.g. {@code verdant/2,verdant-jfr/2}.
     */
    static List<SystemUnderTest> systemsAndObserved() {
        String only = System.getProperty("net.systems");
        if (only == null || only.isBlank()) {
            return ALL;
        }
        List<SystemUnderTest> all = new ArrayList<>(ALL);
        all.addAll(OBSERVED);
        return select(all);
    }

    private static List<SystemUnderTest> select(List<SystemUnderTest> from) {
        String only = System.getProperty("net.systems");
        if (only == null || only.isBlank()) {
            return from;
        }
        List<String> labels = List.of(only.split(","));
        return from.stream().filter(s -> labels.contains(s.label())).toList();
    }

    final SystemUnderTest sut;
    final int port;
    private final Process process;
    /** The JFR recording file of a verdant-jfr or vt-default-jfr server, deleted when it stops; else null. */
    private final Path recording;

    private ForkedServer(SystemUnderTest sut, Process process, int port, Path recording) {
        this.sut = sut;
        this.process = process;
        this.port = port;
        this.recording = recording;
    }

    static ForkedServer start(String kind, SystemUnderTest sut) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-Xss16m", "-Xms1g", "-Xmx2g"));
        // Extra JVM options for every forked server, e.g. -Dnet.serverJvmArgs=-Djdk.pollerMode=1
        String extra = System.getProperty("net.serverJvmArgs", "");
        for (String arg : extra.trim().split("\\s+")) {
            if (!arg.isEmpty()) {
                cmd.add(arg);
            }
        }
        Path recording = null;
        if (sut.system().endsWith("-jfr")) {
            recording = Files.createTempFile("verdant-bench-" + kind, ".jfr");
            cmd.add("-XX:StartFlightRecording:settings=default,filename=" + recording);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
                ServerMain.class.getName(), kind, sut.system(), Integer.toString(Math.max(1, sut.workers()))));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        // A JVM recording JFR first logs "Started recording ..." on stdout: pass such lines on.
        for (int skipped = 0; line != null && !line.startsWith("port ") && skipped < 20; skipped++) {
            System.out.println("# [" + sut.label() + "] " + line);
            line = out.readLine();
        }
        if (line == null || !line.startsWith("port ")) {
            p.destroyForcibly();
            throw new IOException("server " + sut.label() + " did not start: " + line);
        }
        return new ForkedServer(sut, p, Integer.parseInt(line.substring(5).trim()), recording);
    }

    /** @return the server JVM's process id */
    long pid() {
        return process.pid();
    }

    /**
     * Linux only (read from {@code /proc/<pid>/task}): the server's threads' voluntary
     * and involuntary context switches so far, summed over its live threads, and the
     * CPU time so far ({@code schedstat}, ns) and runs on a CPU of the threads whose name contains each
     * of {@code names} (a thread's name there is cut to 15 characters). Null where
     * {@code /proc} does not say. A thread that ended between two reads drops out of
     * the sums: compare two reads taken while the server is serving.
     *
     * @param names name fragments, e.g. {@code ticker}
     * @return {voluntary, involuntary, then one CPU time per name, then one count per
     *         name of the times those threads were put on a CPU (schedstat's third
     *         field: for a thread that sleeps between short runs, its wake-ups)}, or null
     */
    long[] threadStats(List<String> names) {
        Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
        if (!Files.isDirectory(tasks)) {
            return null;
        }
        long[] r = new long[2 + 2 * names.size()];
        try (var dirs = Files.list(tasks)) {
            for (Path t : (Iterable<Path>) dirs::iterator) {
                try {
                    for (String line : Files.readAllLines(t.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:")) {
                            r[0] += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                            r[1] += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                    String comm = Files.readString(t.resolve("comm")).trim();
                    for (int i = 0; i < names.size(); i++) {
                        if (comm.contains(names.get(i))) {
                            String sched = Files.readString(t.resolve("schedstat")).trim();
                            String[] f = sched.split(" ");
                            r[2 + i] += Long.parseLong(f[0]);
                            r[2 + names.size() + i] += Long.parseLong(f[2]); // times run on a CPU: wake-ups
                        }
                    }
                } catch (IOException | RuntimeException gone) {
                    // the thread ended meanwhile, or a kernel without schedstat: leave it out
                }
            }
        } catch (IOException e) {
            return null;
        }
        return r;
    }

    /** @return the server JVM's CPU time so far (all its threads), in ns; -1 if the OS does not say */
    long cpuNanos() {
        return process.toHandle().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
    }

    @Override
    public void close() {
        try (OutputStream in = process.getOutputStream()) {
            in.write("stop\n".getBytes(StandardCharsets.UTF_8));
        } catch (IOException gone) {
            // already exited
        }
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        if (recording != null) {
            try {
                Files.deleteIfExists(recording);
            } catch (IOException e) {
                System.err.println("could not delete " + recording + ": " + e);
            }
        }
    }
}
