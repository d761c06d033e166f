package io.verdant.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Test support: builds the agent jar from the compiled classes (the test phase
 * runs before the jar plugin) and runs child JVMs of the same JDK.
 */
final class ChildJvm {
    /** What a child printed and how it ended. */
    record Outcome(int exitCode, String stdout, String stderr) {
        List<String> stdoutLines() {
            return stdout.lines().toList();
        }
    }

    private static Path agentJar;

    private ChildJvm() {
    }

    /** The agent jar, with the manifest attributes the real build writes; built once per test JVM. */
    static synchronized Path agentJar() throws IOException {
        if (agentJar != null) {
            return agentJar;
        }
        Path classes;
        try {
            classes = Path.of(VerdantAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Premain-Class", VerdantAgent.class.getName());
        a.putValue("Agent-Class", VerdantAgent.class.getName());
        a.putValue("Can-Retransform-Classes", "true");
        Path dir = Files.createTempDirectory("verdant-agent-test");
        dir.toFile().deleteOnExit();
        Path jar = dir.resolve("verdant-agent.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        jar.toFile().deleteOnExit();
        agentJar = jar;
        return jar;
    }

    private static Path earlyAgentJar;

    /**
     * A jar whose manifest names {@code acme.loops.EarlyAgent} as its Premain-Class and
     * nothing else (the class itself is on the test class path): an agent that runs
     * before the Verdant agent when given first.
     */
    static synchronized Path earlyAgentJar() throws IOException {
        if (earlyAgentJar != null) {
            return earlyAgentJar;
        }
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Premain-Class", "acme.loops.EarlyAgent");
        Path dir = Files.createTempDirectory("verdant-early-agent-test");
        dir.toFile().deleteOnExit();
        Path jar = dir.resolve("early-agent.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf)) {
            out.flush();
        }
        jar.toFile().deleteOnExit();
        earlyAgentJar = jar;
        return jar;
    }

    /** {@code -javaagent:<jar>=<args>}. */
    static String agent(String args) throws IOException {
        return "-javaagent:" + agentJar() + (args == null || args.isEmpty() ? "" : "=" + args);
    }

    static String java() {
        return ProcessHandle.current().info().command().orElseThrow();
    }

    /**
     * Runs {@code mainClass} in a child JVM on the test class path, with the runtime's
     * opens flag, full verification, and {@code jvmArgs}; waits at most {@code timeoutSeconds}.
     */
    static Outcome run(List<String> jvmArgs, String mainClass, long timeoutSeconds, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.addAll(jvmArgs);
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return exec(cmd, timeoutSeconds);
    }

    /** Runs the JDK's java with exactly these arguments (plus opens and verification). */
    static Outcome exec(List<String> javaArgs, long timeoutSeconds) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("--add-opens");
        cmd.add("java.base/java.lang=ALL-UNNAMED");
        cmd.add("-Xverify:all");
        cmd.addAll(javaArgs);
        return execBare(cmd, timeoutSeconds);
    }

    /**
     * Runs the JDK's java with exactly these arguments, nothing added: a JVM as a
     * build tool starts it (an {@code --add-opens} changes what the JDK initializes
     * at start-up).
     */
    static Outcome execBare(List<String> javaArgs, long timeoutSeconds) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(javaArgs);
        Process p = new ProcessBuilder(cmd).start();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("child JVM did not finish in " + timeoutSeconds + " s: " + cmd
                    + "\nstdout:\n" + out.getNow("") + "\nstderr:\n" + err.getNow(""));
        }
        return new Outcome(p.exitValue(), out.join(), err.join());
    }

    private static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (in) {
                f.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                f.completeExceptionally(new UncheckedIOException(e));
            }
        });
        return f;
    }
}
