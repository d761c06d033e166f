package io.verdant.bench.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
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

    /** The systems to run: all, or those listed (by label, e.g. {@code verdant/1,vt-default}) in {@code net.systems}. */
    static List<SystemUnderTest> systems() {
        String only = System.getProperty("net.systems");
        if (only == null || only.isBlank()) {
            return ALL;
        }
        List<String> labels = List.of(only.split(","));
        return ALL.stream().filter(s -> labels.contains(s.label())).toList();
    }

    final SystemUnderTest sut;
    final int port;
    private final Process process;

    private ForkedServer(SystemUnderTest sut, Process process, int port) {
        this.sut = sut;
        this.process = process;
        this.port = port;
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
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
                ServerMain.class.getName(), kind, sut.system(), Integer.toString(Math.max(1, sut.workers()))));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("port ")) {
            p.destroyForcibly();
            throw new IOException("server " + sut.label() + " did not start: " + line);
        }
        return new ForkedServer(sut, p, Integer.parseInt(line.substring(5).trim()));
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
    }
}
