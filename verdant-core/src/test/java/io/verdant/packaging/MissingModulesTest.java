package io.verdant.packaging;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Verdant in a JVM that has only the modules it needs: on the class path with
 * {@code --limit-modules java.base}, and from a jlinked image of module io.verdant
 * (java.base and java.management; no jdk.jfr, no java.logging). Each case runs
 * {@link MissingModulesProbe} in a fresh JVM, bounded in time; the image is built
 * under the test's temporary directory and the jlink case is skipped when the JDK
 * running the tests has no jlink.
 */
@Timeout(180)
class MissingModulesTest {
    private static final Path TARGET = Path.of(System.getProperty("basedir", "."), "target");

    @Test
    void jmxWithoutJavaManagementFailsStartNamingTheModuleAndLeavesNoThreadRunning() throws Exception {
        String out = probe(javaCmd(), List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "--limit-modules", "java.base", "-Dprobe.case=jmx"), classPath());
        assertThat(out).contains("management=false")
                .contains("start failed: java.lang.IllegalStateException")
                .contains("java.management")
                .contains("threads left: 0")
                .contains("sum=5450")
                .contains("probe done");
    }

    @Test
    void aStartWhoseMXBeanIsRefusedFailsAndLeavesNoThreadRunning() throws Exception {
        String out = probe(javaCmd(), List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-Djavax.management.builder.initial=" + RefusingMBeanServerBuilder.class.getName(),
                "-Dprobe.case=jmx"), classPath());
        assertThat(out).contains("management=true")
                .contains("start failed: java.lang.IllegalStateException: cannot register the MXBean")
                .contains("threads left: 0")
                .contains("sum=5450")
                .contains("probe done");
    }

    @Test
    void onTheClassPathWithJavaBaseAloneGreenThreadsRunAndOptionalFeaturesDegrade() throws Exception {
        String out = probe(javaCmd(), List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "--limit-modules", "java.base", "-Dprobe.case=run"), classPath());
        assertThat(out).contains("jfr=false management=false logging=false")
                .contains("sum=5450")
                .contains("dump true")
                .contains("dead letters 1")
                .contains("flight true")
                .contains("probe done");
    }

    @Test
    void aJlinkedImageOfIoVerdantRunsGreenThreadsWithoutJfrOrLogging(@TempDir Path tmp) throws Exception {
        Path home = Path.of(javaCmd()).getParent().getParent();
        Path jlink = home.resolve("bin").resolve("jlink");
        Assumptions.assumeTrue(Files.isExecutable(jlink), "no jlink in " + home + ": the image case is skipped");
        Path image = tmp.resolve("image");
        run(List.of(jlink.toString(), "--module-path", TARGET.resolve("classes").toString(),
                "--add-modules", "io.verdant", "--no-header-files", "--no-man-pages", "--output", image.toString()));
        String modules = run(List.of(image.resolve("bin/java").toString(), "--list-modules"));
        assertThat(modules).contains("io.verdant").contains("java.management")
                .doesNotContain("jdk.jfr").doesNotContain("java.logging");
        // The probe on the class path; Verdant is the image's module io.verdant (a root: it exports an API).
        String out = probe(image.resolve("bin/java").toString(), List.of("--add-opens", "java.base/java.lang=io.verdant",
                "-Dprobe.case=run", "-Dprobe.jmx=true"), TARGET.resolve("test-classes").toString());
        assertThat(out).contains("jfr=false management=true logging=false")
                .contains("sum=5450")
                .contains("dump true")
                .contains("dead letters 1")
                .contains("flight true")
                .contains("probe done");
    }

    private static String javaCmd() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static String classPath() {
        return TARGET.resolve("classes") + File.pathSeparator + TARGET.resolve("test-classes");
    }

    private static String probe(String java, List<String> jvmArgs, String cp) throws Exception {
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", cp, MissingModulesProbe.class.getName()));
        return run(command);
    }

    /** Runs {@code command} for at most 60 s; it must exit 0. Its output (through a file: no pipe to fill). */
    private static String run(List<String> command) throws Exception {
        Path log = Files.createTempFile("verdant-probe", ".log");
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
