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
 */
final class ForkedTrial implements Trial {
    private final Process process;
    private final PrintWriter toChild;
    private final BufferedReader fromChild;
    private final String label;
    private long lastCpuNanos;
    private java.util.Map<String, Double> extras = java.util.Map.of();

    ForkedTrial(String bench, Harness.Entry entry) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-Xss16m"));
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
                        StringBuilder line2 = new StringBuilder("VALUE " + v + " "
                                + (own >= 0 ? own : Harness.processCpuNanos() - c0));
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
