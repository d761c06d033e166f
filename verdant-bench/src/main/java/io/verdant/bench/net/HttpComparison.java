package io.verdant.bench.net;

import io.verdant.bench.Harness;
import io.verdant.bench.Report;
import io.verdant.bench.Trial;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code http}: wrk ({@code -t2 -c100} and {@code -c1000}, 10 s) against the
 * HTTP example server, the same code on verdant (1 and 2 workers), vt-default
 * and a platform-thread pool, each in its own JVM. Reports requests/s and p99
 * latency (median over rounds; systems alternate within each round, after a
 * warm-up round), with the server JVM's CPU time per request. If wrk is not
 * installed it says what to install and skips (it never installs anything).
 * Tunables (system properties): {@code http.duration} (10s),
 * {@code http.rounds} (3), {@code http.connections} (100,1000), {@code net.systems}
 * (the systems to run, by label). Observability's cost (issue 12) is measured
 * by naming the observed servers, which run only when named: {@code verdant-jfr/2}
 * (JFR recording with the default profile) and {@code verdant-flight/2} (trace
 * flight recorder on) beside {@code verdant/2}, and {@code vt-default-jfr} (the
 * default virtual threads with the same JFR recording) beside {@code vt-default},
 * e.g. {@code -Dnet.systems=verdant/2,verdant-jfr/2,vt-default,vt-default-jfr -Dhttp.connections=100}.
 * The summary then gives JFR's cost on each system (with JFR over without, in
 * requests/s and in server CPU per request) and verdant-jfr over vt-default-jfr.
 * Every system runs the same server code with the same timeout design (a sweeper
 * thread, no socket read timeout: see {@code SocketServer}).
 *
 * <p>Counts per request beside the times (issue 11: where a server's CPU goes, in
 * figures that do not depend on the machine's load), as extras on the RESULT line:
 * on Linux always {@code vcs} and {@code ivcs} (voluntary and involuntary context
 * switches of all the server's threads) and {@code cpu_us_<name>} (CPU of the
 * server's threads whose name contains each of {@code http.threadCpu}, default
 * {@code ticker,MasterPoller,C2 Compiler,C1 Compiler}: Verdant's ticker, which the default
 * scheduler has no counterpart of, the JDK's master poller, and the JIT's compiler threads,
 * whose work in the measured rounds differs between the systems: docs/benchmarks.md,
 * "`http`: JIT work in the measured rounds"; a space in a name is an underscore in the key,
 * e.g. {@code cpu_us_C2_Compiler}) and {@code runs_per_s_<name>} (the
 * times a second those threads were put on a CPU: the ticker's wake-ups), {@code wrk_cpu_us} (wrk's own
 * CPU per request: it shares the cores with the server) and {@code cores_busy} (server and wrk CPU
 * over the run's wall time: below the machine's cores, both sides left CPU idle); with {@code -Dhttp.syscalls=true}
 * and {@code perf} installed also {@code sys_<call>} for futex, epoll_wait,
 * epoll_ctl, read and write ({@code perf stat -e syscalls:sys_enter_<call> -p
 * <server>} around the wrk run; needs a kernel that lets this user trace the
 * server, e.g. {@code kernel.perf_event_paranoid} at most 2 for one's own processes).
 */
public final class HttpComparison extends Harness {
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern P99 = Pattern.compile("\\n\\s+99%\\s+([0-9.]+)(us|ms|s)");
    private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in");
    private static final Pattern ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern WRK_TICKS = Pattern.compile("wrk-cpu-ticks (\\d+) (\\d+)");
    /** Clock ticks a second for wrk's CPU time (see wrk()); 0 where it cannot be read. */
    private static final long CLOCK_TICKS = clockTicks();

    private static final String DURATION = System.getProperty("http.duration", SMOKE ? "1s" : "10s");
    /** Thread-name fragments whose CPU per request is reported (see the class comment). */
    private static final List<String> THREAD_CPU = List.of(System.getProperty("http.threadCpu", "ticker,MasterPoller,C2 Compiler,C1 Compiler")
            .split(","));
    /** System calls counted per request with {@code -Dhttp.syscalls=true} (see the class comment). */
    private static final List<String> SYSCALLS = List.of("futex", "epoll_wait", "epoll_ctl", "read", "write");

    /** Servers shared by the entries of one system (one JVM per system, not per connection count). */
    private final Map<ForkedServer.SystemUnderTest, ForkedServer> servers = new LinkedHashMap<>();

    @Override
    public String name() {
        return "http";
    }

    @Override
    public String description() {
        return "wrk -t2 -c100/-c1000 against the HTTP example: verdant (1, 2 workers), vt-default, platform pool";
    }

    @Override
    protected int defaultWarmups() {
        return 1;
    }

    @Override
    protected int defaultRounds() {
        return Integer.getInteger("http.rounds", 3);
    }

    /** Skips (with a note saying what to install) when wrk is not on the PATH; never installs anything. */
    @Override
    public void run(Report report) throws Exception {
        if (!onPath("wrk")) {
            report.note("http: skipped: wrk is not installed. Install it (Debian/Ubuntu: apt-get install wrk; "
                    + "macOS: brew install wrk) and re-run.");
            return;
        }
        try {
            super.run(report);
        } finally {
            servers.values().forEach(ForkedServer::close);
            servers.clear();
        }
    }

    @Override
    protected List<Entry> entries() {
        List<Entry> es = new ArrayList<>();
        for (String c : System.getProperty("http.connections", SMOKE ? "10" : "100,1000").split(",")) {
            int connections = Integer.parseInt(c.trim());
            for (ForkedServer.SystemUnderTest sut : ForkedServer.systemsAndObserved()) {
                List<String> extra = new ArrayList<>(List.of("connections=" + connections));
                extra.addAll(List.of(sut.extra()));
                es.add(local(sut.label() + "-c" + connections, name(), sut.system(), connections, "ops_per_s", extra,
                        () -> new WrkTrial(server(sut), connections)));
            }
        }
        return es;
    }

    private ForkedServer server(ForkedServer.SystemUnderTest sut) throws IOException {
        ForkedServer s = servers.get(sut);
        if (s == null) {
            s = ForkedServer.start("http", sut);
            servers.put(sut, s);
        }
        return s;
    }

    @Override
    protected void summarize(Report report, Map<String, Double> m) {
        for (String c : System.getProperty("http.connections", SMOKE ? "10" : "100,1000").split(",")) {
            String k = "-c" + c.trim();
            if (m.containsKey("verdant/2" + k) && m.containsKey("vt-default" + k)) {
                plainRatio(report, "http verdant/2 / vt-default req/s (c=" + c.trim() + ")", m, "verdant/2" + k,
                        "vt-default" + k);
            }
            if (m.containsKey("vt-default-jfr" + k) && m.containsKey("vt-default" + k)) {
                plainRatio(report, "http vt-default-jfr / vt-default req/s (c=" + c.trim() + ")", m,
                        "vt-default-jfr" + k, "vt-default" + k);
                plainRatio(report, "http vt-default-jfr / vt-default cpu per request (c=" + c.trim() + ")", m,
                        "vt-default-jfr" + k + "/cpu", "vt-default" + k + "/cpu");
            }
            for (int w : new int[] {1, 2}) {
                if (m.containsKey("verdant-jfr/" + w + k) && m.containsKey("vt-default-jfr" + k)) {
                    plainRatio(report, "http verdant-jfr/" + w + " / vt-default-jfr req/s (c=" + c.trim() + ")", m,
                            "verdant-jfr/" + w + k, "vt-default-jfr" + k);
                }
            }
            for (String observed : new String[] {"verdant-jfr", "verdant-flight"}) {
                for (int w : new int[] {1, 2}) {
                    String on = observed + "/" + w + k;
                    String off = "verdant/" + w + k;
                    if (m.containsKey(on) && m.containsKey(off)) {
                        plainRatio(report, "http " + observed + "/" + w + " / verdant/" + w + " req/s (c=" + c.trim()
                                + ")", m, on, off);
                        plainRatio(report, "http " + observed + "/" + w + " / verdant/" + w + " cpu per request (c="
                                + c.trim() + ")", m, on + "/cpu", off + "/cpu");
                    }
                }
            }
        }
    }

    /**
     * One wrk run per round against a shared server: requests/s as the figure;
     * p99_us, requests (as "ops", for the CPU per request), socket errors and
     * non-2xx as extras; CPU time is the server's.
     */
    private static final class WrkTrial implements Trial {
        private final ForkedServer server;
        private final int connections;
        private Map<String, Double> extras = Map.of();
        private long cpu = -1;

        WrkTrial(ForkedServer server, int connections) {
            this.server = server;
            this.connections = connections;
        }

        @Override
        public double run() throws IOException, InterruptedException {
            long[] s0 = server.threadStats(THREAD_CPU);
            Process perf = Boolean.getBoolean("http.syscalls") && onPath("perf") ? startPerf(server.pid()) : null;
            long c0 = server.cpuNanos();
            long t0 = System.nanoTime();
            double[] m = wrk(server.port, connections, DURATION);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long c1 = server.cpuNanos();
            Map<String, Long> calls = perf == null ? Map.of() : stopPerf(perf);
            long[] s1 = server.threadStats(THREAD_CPU);
            cpu = c0 < 0 || c1 < 0 ? -1 : c1 - c0;
            Map<String, Double> x = new LinkedHashMap<>();
            x.put("p99_us", m[1]);
            x.put("ops", m[2]);
            x.put("errors", m[3]);
            x.put("non2xx", m[4]);
            double requests = Math.max(1, m[2]);
            if (m[5] >= 0) {
                x.put("wrk_cpu_us", m[5] / 1_000.0 / requests);
                if (cpu >= 0) {
                    x.put("cores_busy", (cpu + m[5]) / 1e9 / seconds);
                }
            }
            if (s0 != null && s1 != null) {
                x.put("vcs", (s1[0] - s0[0]) / requests);
                x.put("ivcs", (s1[1] - s0[1]) / requests);
                for (int i = 0; i < THREAD_CPU.size(); i++) {
                    x.put("cpu_us_" + THREAD_CPU.get(i).replace(' ', '_'), (s1[2 + i] - s0[2 + i]) / 1_000.0 / requests);
                }
                for (int i = 0; i < THREAD_CPU.size(); i++) {
                    int k = 2 + THREAD_CPU.size() + i;
                    x.put("runs_per_s_" + THREAD_CPU.get(i).replace(' ', '_'), (s1[k] - s0[k]) / seconds);
                }
            }
            for (String call : SYSCALLS) {
                Long n = calls.get(call);
                if (n != null) {
                    x.put("sys_" + call, n / requests);
                }
            }
            extras = x;
            return m[0];
        }

        @Override
        public Map<String, Double> extras() {
            return extras;
        }

        @Override
        public long lastRunCpuNanos() {
            return cpu;
        }
    }

    /** Starts {@code perf stat} counting SYSCALLS' entries by process {@code pid} until stopPerf. */
    private static Process startPerf(long pid) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("perf", "stat", "-x,", "-p", Long.toString(pid), "-e",
                String.join(",", SYSCALLS.stream().map(c -> "syscalls:sys_enter_" + c).toList())));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Thread.sleep(200); // perf attaches to the server's threads before wrk starts
        return p;
    }

    /**
     * Stops {@code perf} with SIGINT (it prints its counts on SIGINT only) and parses its
     * CSV lines ({@code count,,event,...}); an empty map if it failed (not allowed, no
     * such tracepoints): then no sys_ extras are reported.
     */
    private static Map<String, Long> stopPerf(Process perf) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-INT", Long.toString(perf.pid())).start().waitFor();
        String err = new String(perf.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!perf.waitFor(10, TimeUnit.SECONDS)) {
            perf.destroyForcibly();
        }
        Map<String, Long> calls = new LinkedHashMap<>();
        for (String line : err.split("\n")) {
            String[] f = line.split(",");
            if (f.length > 2 && f[0].trim().matches("\\d+") && f[2].startsWith("syscalls:sys_enter_")) {
                calls.put(f[2].substring("syscalls:sys_enter_".length()), Long.parseLong(f[0].trim()));
            }
        }
        return calls;
    }

    /**
     * Runs wrk; returns {requests/s, p99 in us, total requests, socket errors, non-2xx,
     * wrk's own CPU time in ns or -1}. On Linux wrk runs under {@code sh}, which prints its
     * waited-for children's CPU time (/proc's cutime and cstime, in clock ticks) after wrk
     * exits: the load generator shares the machine's cores with the server, so the requests
     * a second depend on its CPU per request as well as the server's.
     */
    static double[] wrk(int port, int connections, String duration) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("wrk", "-t2", "-c" + connections, "-d" + duration, "--latency",
                "http://127.0.0.1:" + port + "/"));
        boolean childCpu = CLOCK_TICKS > 0;
        Process p = new ProcessBuilder(childCpu ? withChildCpu(cmd) : cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("wrk failed: " + out);
        }
        Matcher rps = RPS.matcher(out);
        Matcher p99 = P99.matcher(out);
        Matcher total = TOTAL.matcher(out);
        if (!rps.find() || !p99.find() || !total.find()) {
            throw new IOException("cannot parse wrk output: " + out);
        }
        double latency = Double.parseDouble(p99.group(1)) * switch (p99.group(2)) {
            case "us" -> 1.0;
            case "ms" -> 1_000.0;
            default -> 1_000_000.0;
        };
        double errors = 0;
        Matcher e = ERRORS.matcher(out);
        if (e.find()) {
            for (int g = 1; g <= 4; g++) {
                errors += Long.parseLong(e.group(g));
            }
        }
        Matcher bad = NON2XX.matcher(out);
        double non2xx = bad.find() ? Long.parseLong(bad.group(1)) : 0;
        double wrkCpu = childCpu ? childCpuNanos(out, CLOCK_TICKS) : -1;
        return new double[] {Double.parseDouble(rps.group(1)), latency, Long.parseLong(total.group(1)), errors, non2xx,
                wrkCpu};
    }

    /**
     * {@code cmd} run by {@code sh}, which after it exits prints a line with the CPU time of
     * its waited-for children (/proc's cutime and cstime, in clock ticks) and exits with the
     * command's status. Linux only (/proc).
     */
    static List<String> withChildCpu(List<String> cmd) {
        List<String> wrapped = new ArrayList<>(List.of("sh", "-c",
                "\"$@\"; rc=$?; echo \"wrk-cpu-ticks $(cut -d' ' -f16,17 /proc/$$/stat)\"; exit $rc", "sh"));
        wrapped.addAll(cmd);
        return wrapped;
    }

    /** The children's CPU time in ns from withChildCpu's line in {@code out}, or -1 if it has none. */
    static double childCpuNanos(String out, long clockTicks) {
        Matcher ticks = WRK_TICKS.matcher(out);
        if (clockTicks <= 0 || !ticks.find()) {
            return -1;
        }
        return (Long.parseLong(ticks.group(1)) + Long.parseLong(ticks.group(2))) * 1e9 / clockTicks;
    }

    /** The kernel's clock ticks a second (getconf CLK_TCK), or 0 where /proc or getconf is missing. */
    static long clockTicks() {
        if (!java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/self/stat")) || !onPath("getconf")
                || !onPath("sh")) {
            return 0;
        }
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && out.matches("\\d+") ? Long.parseLong(out) : 0;
        } catch (IOException | InterruptedException e) {
            return 0;
        }
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
