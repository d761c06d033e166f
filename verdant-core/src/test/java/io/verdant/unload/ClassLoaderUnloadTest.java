package io.verdant.unload;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a deployment that loads Verdant in a class loader of its own (an app
 * server, a plugin host, a test runner) leaves behind once its runtimes are
 * closed: no thread of Verdant's, and nothing that keeps the loader from being
 * collected. Each case runs {@link UnloadProbe} in a fresh JVM, since what the
 * JDK keeps JVM-wide (its socket pollers, JFR's periodic hooks) depends on what
 * ran in the JVM before.
 */
@Timeout(120)
class ClassLoaderUnloadTest {
    private static final Path TARGET = Path.of(System.getProperty("basedir", "."), "target");

    /** A server whose JDK pollers already run (it served sockets before), with a JFR recording on. */
    @Test
    void aDeploymentInAServerThatAlreadyUsedSocketsIsCollectedWithJfrRecording() throws Exception {
        String out = probe(List.of("-Dprobe.socketsFirst=true", "-Dprobe.jfr=true"));
        assertThat(out).contains("driver: ok").contains("threads left: []").contains("collected: true")
                .contains("probe done");
    }

    /** The first deployment in the JVM to start a runtime, which initialises the JDK's socket pollers. */
    @Test
    void theFirstDeploymentToStartARuntimeInTheJvmIsCollected() throws Exception {
        String out = probe(List.of());
        assertThat(out).contains("driver: ok").contains("threads left: []").contains("collected: true")
                .contains("probe done");
    }

    /** Redeploys: each of three loaders in turn, the first of which started the JVM's first runtime. */
    @Test
    void everyLoaderOfARedeployedApplicationIsCollected() throws Exception {
        String out = probe(List.of("-Dprobe.deployments=3", "-Dprobe.jfr=true"));
        assertThat(out).contains("threads left: []").contains("collected: true").contains("probe done");
    }

    private static String probe(List<String> props) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-opens", "java.base/java.lang=ALL-UNNAMED"));
        command.addAll(props);
        command.addAll(List.of("-cp", TARGET.resolve("test-classes").toString(), UnloadProbe.class.getName(),
                TARGET.toString()));
        Path log = Files.createTempFile("verdant-unload", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            boolean exited = p.waitFor(60, TimeUnit.SECONDS);
            if (!exited) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(exited).as("%s exited; output: %s", command, out).isTrue();
            assertThat(p.exitValue()).as("%s output: %s", command, out).isZero();
            return out;
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }
}
