package io.verdant.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Harness.Entry} run in a child JVM (same java binary and class path as
 * the runner, plus the entry's flags). Protocol on the child's stdin/stdout:
 * the parent writes {@code run}, the child runs one round and answers
 * {@code VALUE <number> <cpu ns of that round> [key=number ...]} (the extras);
 * {@code exit} ends it. Other child output is echoed as
 * notes; its stderr goes to the runner's stderr.
 * <p>
 * Set-up is sequential: the child answers {@code READY} once its trial is built
 * (a trial may warm up in its constructor, e.g. {@code wake}'s 10 rounds), and
 * the constructor here waits for it, so the next system's child JVM starts only
 * then and no two systems warm up at the same time on the shared cores.
 * <p>
 * Settling: a child whose trial asks for it ({@link Trial#settlesAfterRound()})
 * waits after each round, before it answers, until its own process CPU over
 * {@value #SETTLE_WINDOW_MS} ms is below {@value #SETTLE_PERMILLE} per mille of
 * one core (at most {@value #SETTLE_MAX_MS} ms; a note says so if it never
 * was). The wait is outside the round's timing. The children stay alive
 * between rounds (the JIT keeps its work), and a child that finished its round
 * no longer works beside the next system's: measured on {@code wake}, an idle
 * Pekko child took about 0.1 to 0.24 of a core during Verdant's rounds, its
 * dispatcher threads still stopping the million actors of its round
 * (docs/benchmarks.md, "An idle sibling JVM").
 */
final class ForkedTrial implements Trial {
    /** Settling: the window over which the child's CPU is read, ms. */
    static final long SETTLE_WINDOW_MS = 200;
    /** Settling: quiet means below this share of one core over a window, per mille. */
    static final long SETTLE_PERMILLE = 20;
    /** Settling: the longest wait, ms. */
    static final long SETTLE_MAX_MS = 60_000;
    private final Process process;
    private final PrintWriter toChild;
    private final BufferedReader fromChild;
    private final String label;
    private long lastCpuNanos;
    private java.util.Map<String, Double> extras = java.util.Map.of();

    ForkedTrial(String bench, Harness.Entry entry) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "--enable-native-access=ALL-UNNAMED", "-Xss16m"));
        cmd.addAll(entry.forkFlags());
        // The runner's bench.* settings (scale, rounds) hold in the child too: the
        // child builds the same entries and must size its work the same way.
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("bench.")) {
                cmd.add("-D" + key + "=" + System.getProperty(key));
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Child.class.getName(), bench, entry.id()));
        this.label = bench + "/" + entry.id();
        this.process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        this.toChild = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.fromChild = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        for (String line; ; ) {
            line = fromChild.readLine();
            if (line == null) {
                throw new IOException("child JVM for " + label + " ended before it was ready, exit " + waitExit());
            }
            if (line.equals("READY")) {
                break;
            }
            System.out.println("# [" + label + "] " + line);
        }
    }

    @Override
    public double run() throws IOException {
        toChild.println("run");
        for (String line; (line = fromChild.readLine()) != null; ) {
            if (line.startsWith("VALUE ")) {
                String[] parts = line.substring(6).trim().split(" ");
                lastCpuNanos = Long.parseLong(parts[1]);
                java.util.Map<String, Double> x = new java.util.LinkedHashMap<>();
                for (int i = 2; i < parts.length; i++) {
                    int eq = parts[i].indexOf('=');
                    x.put(parts[i].substring(0, eq), Double.parseDouble(parts[i].substring(eq + 1)));
                }
                extras = x;
                return Double.parseDouble(parts[0]);
            }
            System.out.println("# [" + label + "] " + line);
        }
        throw new IOException("child JVM for " + label + " ended early, exit " + waitExit());
    }

    /** Process CPU time of the child during the last round, in ns. */
    @Override
    public long lastRunCpuNanos() {
        return lastCpuNanos;
    }

    @Override
    public java.util.Map<String, Double> extras() {
        return extras;
    }

    private int waitExit() {
        try {
            return process.waitFor(10, TimeUnit.SECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() {
        toChild.println("exit");
        toChild.close();
        if (waitExit() == -1) {
            process.destroyForcibly();
        }
    }

    /** In a child, after a round: waits until this process is quiet (see "Settling"); untimed. */
    static void settle() throws InterruptedException {
        long start = System.nanoTime();
        long c0 = Harness.processCpuNanos();
        for (;;) {
            Thread.sleep(SETTLE_WINDOW_MS);
            long c1 = Harness.processCpuNanos();
            long waited = (System.nanoTime() - start) / 1_000_000;
            if ((c1 - c0) * 1000 < SETTLE_PERMILLE * SETTLE_WINDOW_MS * 1_000_000) {
                System.out.println("settled after " + waited + " ms");
                return;
            }
            if (waited >= SETTLE_MAX_MS) {
                System.out.println("not settled after " + waited + " ms: " + (c1 - c0) / 1_000_000 + " ms of CPU in the last "
                        + SETTLE_WINDOW_MS + " ms");
                return;
            }
            c0 = c1;
        }
    }

    /** The child JVM's main: {@code Child <bench> <entry id>}. */
    static final class Child {
        private Child() {
        }

        public static void main(String[] args) throws Exception {
            Harness bench = (Harness) Compare.registry().get(args[0]);
            try (Trial trial = bench.entry(args[1]).factory().create();
                 BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                System.out.println("READY");
                System.out.flush();
                for (String line; (line = in.readLine()) != null && !line.equals("exit"); ) {
                    if (line.equals("run")) {
                        long c0 = Harness.processCpuNanos();
                        double v = trial.run();
                        long own = trial.lastRunCpuNanos();
                        long cpu = own >= 0 ? own : Harness.processCpuNanos() - c0;
                        if (trial.settlesAfterRound()) {
                            settle();
                        }
                        StringBuilder line2 = new StringBuilder("VALUE " + v + " " + cpu);
                        trial.extras().forEach((k, x) -> line2.append(' ').append(k).append('=').append(x));
                        System.out.println(line2);
                        System.out.flush();
                    }
                }
            }
            System.exit(0);
        }
    }
}
