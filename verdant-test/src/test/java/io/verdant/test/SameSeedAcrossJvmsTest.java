package io.verdant.test;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Same seed, same schedule: in this JVM and in two fresh JVMs the mixed
 * workload gives the same trace hash, step count, virtual end time and result.
 */
@Timeout(180)
@org.junit.jupiter.api.extension.ExtendWith(DetBodies.QuietRestartLog.class)
class SameSeedAcrossJvmsTest {
    private static final long SEED = 7;
    /** A child JVM that has not answered by then is killed and the test fails. */
    private static final long CHILD_SECONDS = 60;
    /** A child JVM and the file its output goes to (a file, so a hung child cannot block the reader). */
    private record Child(Process process, Path output) {
    }

    private static Child fork(long seed) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), MixedWorkload.class.getName(), Long.toString(seed)));
        Path out = Files.createTempFile("verdant-same-seed", ".txt");
        return new Child(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start(), out);
    }

    private static String result(Child c) throws Exception {
        Process p = c.process();
        try {
            boolean ended = p.waitFor(CHILD_SECONDS, TimeUnit.SECONDS);
            String out = Files.readString(c.output(), StandardCharsets.UTF_8);
            assertThat(ended).as("child JVM ended within " + CHILD_SECONDS + " s; output:\n" + out).isTrue();
            assertThat(p.exitValue()).as("child exit; output:\n" + out).isZero();
            return out.lines().filter(l -> l.startsWith("RUN ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no RUN line in the child's output:\n" + out)).substring(4);
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(c.output());
        }
    }

    @Test
    void sameSeedGivesTheSameTraceInThisJvmAndInTwoFreshOnes() throws Exception {
        Child a = fork(SEED);
        Child b = fork(SEED);
        String here = MixedWorkload.run(SEED);
        assertThat(MixedWorkload.run(SEED)).isEqualTo(here);
        String first = result(a);
        String second = result(b);
        System.out.println("seed " + SEED + ": " + here);
        assertThat(first).isEqualTo(here);
        assertThat(second).isEqualTo(here);
        assertThat(MixedWorkload.run(SEED + 1)).as("another seed, another schedule").isNotEqualTo(here);
    }
}
