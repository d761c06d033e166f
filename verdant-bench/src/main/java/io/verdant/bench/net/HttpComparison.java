package io.verdant.bench.net;

import io.verdant.bench.Comparison;
import io.verdant.bench.Report;

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
 * warm-up run each). Installs wrk with {@code apt-get install -y wrk} if it is
 * missing. Tunables (system properties): {@code http.duration} (10s),
 * {@code http.rounds} (3), {@code http.connections} (100,1000), {@code http.warmup} (3s).
 */
public final class HttpComparison implements Comparison {
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern P99 = Pattern.compile("\\n\\s+99%\\s+([0-9.]+)(us|ms|s)");
    private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in");
    private static final Pattern ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    @Override
    public String name() {
        return "http";
    }

    @Override
    public String description() {
        return "wrk -t2 -c100/-c1000 against the HTTP example: verdant (1, 2 workers), vt-default, platform pool";
    }

    @Override
    public void run(Report report) throws Exception {
        String duration = System.getProperty("http.duration", "10s");
        String warmup = System.getProperty("http.warmup", "3s");
        int rounds = Integer.getInteger("http.rounds", 3);
        List<Integer> connectionCounts = new ArrayList<>();
        for (String c : System.getProperty("http.connections", "100,1000").split(",")) {
            connectionCounts.add(Integer.parseInt(c.trim()));
        }
        ensureWrk(report);
        List<ForkedServer> servers = new ArrayList<>();
        try {
            for (ForkedServer.SystemUnderTest sut : ForkedServer.systems()) {
                servers.add(ForkedServer.start("http", sut));
            }
            for (int connections : connectionCounts) {
                for (ForkedServer s : servers) {
                    wrk(s.port, connections, warmup);
                }
                Map<ForkedServer, List<double[]>> runs = new LinkedHashMap<>();
                for (int r = 0; r < rounds; r++) {
                    for (ForkedServer s : servers) {
                        double[] m = wrk(s.port, connections, duration);
                        runs.computeIfAbsent(s, k -> new ArrayList<>()).add(m);
                        report.note(String.format(Locale.ROOT,
                                "run %d %s c=%d: %.0f req/s, p99 %.0f us, %d requests, %d socket errors, %d non-2xx",
                                r + 1, s.sut.label(), connections, m[0], m[1], (long) m[2], (long) m[3], (long) m[4]));
                    }
                }
                for (Map.Entry<ForkedServer, List<double[]>> e : runs.entrySet()) {
                    List<double[]> ms = e.getValue();
                    double rps = median(ms, 0);
                    double p99 = median(ms, 1);
                    long n = (long) median(ms, 2);
                    long errors = (long) ms.stream().mapToDouble(m -> m[3]).sum();
                    List<String> extra = new ArrayList<>(List.of("p99_us=" + Report.format(p99),
                            "connections=" + connections, "errors=" + errors, "rounds=" + ms.size()));
                    extra.addAll(List.of(e.getKey().sut.extra()));
                    report.result("http", e.getKey().sut.system(), n, "ops_per_s", rps, extra.toArray(String[]::new));
                }
            }
        } finally {
            for (ForkedServer s : servers) {
                s.close();
            }
        }
    }

    private static double median(List<double[]> runs, int i) {
        double[] v = runs.stream().mapToDouble(m -> m[i]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Runs wrk; returns {requests/s, p99 in us, total requests, socket errors, non-2xx}. */
    static double[] wrk(int port, int connections, String duration) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + duration, "--latency",
                "http://127.0.0.1:" + port + "/").redirectErrorStream(true).start();
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
        return new double[] {Double.parseDouble(rps.group(1)), latency, Long.parseLong(total.group(1)), errors, non2xx};
    }

    /** Installs wrk (Debian package) if it is not on the PATH. */
    static void ensureWrk(Report report) throws IOException, InterruptedException {
        if (onPath("wrk")) {
            return;
        }
        report.note("wrk not found: apt-get install -y wrk");
        Process p = new ProcessBuilder("apt-get", "install", "-y", "wrk").inheritIO().start();
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0 || !onPath("wrk")) {
            throw new IOException("could not install wrk (apt-get install -y wrk); install it and re-run");
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
