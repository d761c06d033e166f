package io.verdant.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a main class in a fresh JVM (same java binary and class path as this
 * one) for systems that need their own JVM flags, e.g. the default
 * virtual-thread scheduler with a fixed parallelism. RESULT and note lines the
 * child prints are relayed to this JVM's output.
 */
final class Forked {
    private Forked() {
    }

    static void run(Class<?> main, List<String> jvmFlags, String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("--add-opens");
        cmd.add("java.base/java.lang=ALL-UNNAMED");
        cmd.addAll(jvmFlags);
        // Pass the runner's bench.* settings (sizes, rounds) on to the child.
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("bench.")) {
                cmd.add("-D" + key + "=" + System.getProperty(key));
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                System.out.println(line);
            }
        }
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IllegalStateException("forked JVM " + main.getName() + " exited with " + rc);
        }
    }

    /** The process's CPU time so far, in nanoseconds (all threads). */
    static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
    }
}
