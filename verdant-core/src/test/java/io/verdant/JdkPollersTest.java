package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JDK's socket sub-pollers are virtual threads created on first use; they
 * inherit the scheduler of whoever triggers that. The runtime initialises them
 * from a default-scheduler virtual thread at start-up (internal JdkPollers), so
 * the first socket read of a green thread leaves no poller thread on Verdant's
 * carriers. Checked in a fresh JVM (this one's poller was initialised long ago)
 * by {@link PollerProbe}.
 */
@Timeout(60)
class JdkPollersTest {
    @Test
    void firstSocketReadFromAGreenThreadLeavesNoPollerOnTheCarriers() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path base = Path.of(System.getProperty("basedir", "."), "target");
        String cp = base.resolve("classes") + File.pathSeparator + base.resolve("test-classes");
        Process p = new ProcessBuilder(java, "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-cp", cp,
                PollerProbe.class.getName()).redirectErrorStream(true).start();
        boolean exited = p.waitFor(45, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!exited) {
            p.destroyForcibly();
        }
        assertThat(exited).as("probe exited; output: %s", out).isTrue();
        assertThat(p.exitValue()).as("probe output: %s", out).isZero();
        assertThat(out).as("probe output").contains("poller-free true");
    }
}
