package io.verdant.test;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.spi.ToolProvider;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The published API's Javadoc builds with zero errors and zero doclint warnings
 * (a missing {@code @param}, {@code @return} or {@code @throws}, a broken link, a bad
 * heading). The release build checks the same with maven-javadoc-plugin at
 * {@code package}; this test makes {@code mvn test}, which CI runs, fail first.
 * Runs the javadoc tool of the JDK running the tests (the JDK 25 toolchain) in process,
 * with this test's class path (verdant-core, the JUnit API) to resolve references.
 */
class JavadocLintTest {
    @Test
    void publicApiJavadocHasNoDoclintWarnings() throws Exception {
        Path out = Files.createDirectories(Path.of("target", "doclint-check"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(log, true, StandardCharsets.UTF_8);
        int rc = ToolProvider.findFirst("javadoc").orElseThrow().run(ps, ps,
                "-quiet", "-Xdoclint:all", "-Werror", "-Xmaxwarns", "1000",
                "-d", out.toString(),
                "-classpath", System.getProperty("java.class.path"),
                "-sourcepath", Path.of("src", "main", "java").toString(),
                "io.verdant.test");
        assertThat(log.toString(StandardCharsets.UTF_8)).as("javadoc output").doesNotContain("warning", "error");
        assertThat(rc).as("javadoc exit status").isZero();
    }
}
