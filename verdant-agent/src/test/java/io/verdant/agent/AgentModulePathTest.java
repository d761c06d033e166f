package io.verdant.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent instrumenting a named module that does not itself read io.verdant:
 * the agent must add the read edge, or the first loop would throw
 * IllegalAccessError. verdant-core runs as the named module io.verdant.
 */
@Timeout(180)
class AgentModulePathTest {
    @TempDir
    Path dir;

    @Test
    void aNamedModuleIsInstrumentedAndGivenReadAccessToVerdant() throws Exception {
        Path src = dir.resolve("src/demo.loops");
        Path out = dir.resolve("mods/demo.loops");
        write(src.resolve("module-info.java"), "module demo.loops { }");
        write(src.resolve("demo/loops/Main.java"), """
                package demo.loops;

                public final class Main {
                    public static void main(String[] args) {
                        long s = 0;
                        for (int i = 0; i < 1_000_000; i++) {
                            s += i % 7;
                        }
                        java.util.function.IntUnaryOperator f = n -> {
                            int t = 0;
                            while (n > 0) { t += n--; }
                            return t;
                        };
                        Module verdant = ModuleLayer.boot().findModule("io.verdant").orElseThrow();
                        System.out.println("sum=" + s + " lambda=" + f.applyAsInt(100)
                                + " reads=" + Main.class.getModule().canRead(verdant));
                    }
                }
                """);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "--release", "25", "-d", out.toString(),
                src.resolve("module-info.java").toString(), src.resolve("demo/loops/Main.java").toString());
        assertThat(rc).isZero();

        String modulePath = verdantCore() + File.pathSeparator + out;
        ChildJvm.Outcome o = ChildJvm.exec(List.of(
                ChildJvm.agent("include=demo.**;verbose=true"),
                "--module-path", modulePath, "--add-modules", "io.verdant",
                "-m", "demo.loops/demo.loops.Main"), 120);
        assertThat(o.exitCode()).as(o.stderr()).isZero();
        assertThat(o.stdout().strip()).isEqualTo("sum=2999997 lambda=5050 reads=true");
        assertThat(o.stderr()).contains("instrumented demo.loops.Main: 2 methods, 2 safepoints");
    }

    private static String verdantCore() {
        for (String p : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(p);
            if (p.contains("verdant-core") && (Files.isDirectory(path) || p.endsWith(".jar"))) {
                return p;
            }
        }
        throw new AssertionError("verdant-core not on the test class path");
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
