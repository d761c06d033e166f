package io.verdant.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A failed start of the terminated thread that finished green threads share in
 * place of their own (an OutOfMemoryError "unable to create native thread",
 * injected once) does not poison it: a later finished thread lets go of its
 * virtual thread, and no carrier reports an internal error. Before, the thread
 * was made in a holder class's static initialiser: one failure left that class
 * unusable for the JVM, and every finished thread's carrier then hit
 * NoClassDefFoundError, logged as an internal error.
 */
@Timeout(60)
class EndedThreadStartFailureTest {

    @Test
    void aFailedStartOfTheSharedEndedThreadIsRetried() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path base = Path.of(System.getProperty("basedir", "."), "target");
        String cp = base.resolve("classes") + File.pathSeparator + base.resolve("test-classes");
        Process p = new ProcessBuilder(List.of(java, "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-Dio.verdant.internal.faults=true", "-cp", cp,
                EndedThreadStartFailureProbe.class.getName())).redirectErrorStream(true).start();
        boolean exited = p.waitFor(45, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!exited) {
            p.destroyForcibly();
        }
        assertThat(exited).as("probe exited; output: %s", out).isTrue();
        assertThat(p.exitValue()).as("probe output: %s", out).isZero();
        assertThat(out).as("probe output").contains("injected true dropped true")
                .doesNotContain("NoClassDefFoundError");
    }
}
