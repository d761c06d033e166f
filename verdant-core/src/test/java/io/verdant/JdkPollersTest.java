package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JDK's socket sub-pollers are virtual threads created on first use; they
 * inherit the scheduler of whoever triggers that. The runtime initialises them
 * at start-up (internal JdkPollers) with internal PollerHost as their scheduler:
 * they run on the carriers of a live runtime and never depend on one. Checked in
 * fresh JVMs (this one's poller was initialised long ago): {@link PollerProbe}
 * (a hogged carrier does not hold up a default virtual thread's socket),
 * {@link PollerHostProbe} (the sub-pollers run on a live runtime's carriers, on
 * the default scheduler once it has closed, then on the next runtime's) and
 * {@link PollerHeldCarrierProbe} (a sub-poller rescued off a held carrier to a
 * held default scheduler still runs on that carrier once it is free).
 */
@Timeout(60)
class JdkPollersTest {
    @Test
    void aCarrierHeldByAGreenThreadDoesNotHoldUpTheSocketsOfOtherThreads() throws Exception {
        assertThat(probe(PollerProbe.class)).as("probe output").contains("poller-free true");
    }

    @Test
    void subPollersRunOnTheCarriersOfWhicheverRuntimeIsAlive() throws Exception {
        String out = probe(PollerHostProbe.class);
        assertThat(out).as("probe output").containsPattern("hosted [1-9][0-9]* [1-9][0-9]* ok");
    }

    @Test
    void aRuntimeStartedByAnInterruptedThreadStillKeepsTheSubPollersOffItsGreenThreads() throws Exception {
        String out = probe(PollerInitInterruptProbe.class, "-Djdk.virtualThreadScheduler.parallelism=1");
        assertThat(out).as("probe output").contains("interrupt-kept true pollers-ok true");
        // Where the initialisation runs on the default scheduler (held by the probe's hog).
        out = probe(PollerInitInterruptProbe.class, "-Djdk.virtualThreadScheduler.parallelism=1",
                "-Dio.verdant.jdkPollers=default");
        assertThat(out).as("probe output").contains("interrupt-kept true pollers-ok true");
    }

    @Test
    void startingTheFirstRuntimeDoesNotWaitForTheDefaultSchedulersCarriers() throws Exception {
        String out = probe(PollerStartProbe.class, "-Djdk.virtualThreadScheduler.parallelism=1");
        assertThat(out).as("probe output").contains("started-while-held true read-while-held true");
    }

    /**
     * A sub-poller rescued to the default scheduler while its runtime's carrier was held
     * is still run by that carrier once it is free, when the default scheduler's carrier
     * is held too (before the fix: the probe failed 2 of 3 runs, the read not woken within 20 s).
     */
    @Test
    void aReadWhoseCarrierWasHeldIsWokenOnceItIsFreeThoughTheDefaultSchedulerIsHeldToo() throws Exception {
        String out = probe(PollerHeldCarrierProbe.class, "-Djdk.virtualThreadScheduler.parallelism=1");
        assertThat(out).as("probe output").contains("read-while-held true");
    }

    @Test
    void startingTheFirstRuntimeCopiesNothingOfTheStartersContext() throws Exception {
        String out = probe(PollerInitContextProbe.class);
        assertThat(out).as("probe output").contains("copies-made-by-start 0 loader-collected true");
    }

    /**
     * Runs {@code probe}'s main in a fresh JVM with {@code jvmArgs}; returns its output once it exited with status 0.
     * The output goes to a file, read once the probe has exited or been killed: read from a pipe before that, a
     * probe that did not exit within the limit kept this thread in the read, past the test's timeout, for as long as
     * it ran (and one that wrote more than the pipe holds could not exit at all).
     */
    static String probe(Class<?> probe, String... jvmArgs) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path base = Path.of(System.getProperty("basedir", "."), "target");
        String cp = base.resolve("classes") + File.pathSeparator + base.resolve("test-classes");
        List<String> command = new ArrayList<>(List.of(java, "--add-opens",
                "java.base/java.lang=ALL-UNNAMED"));
        command.addAll(List.of(jvmArgs));
        command.addAll(List.of("-cp", cp, probe.getName()));
        Path log = Files.createTempFile("verdant-probe", ".log");
        Process p = null;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean exited = p.waitFor(45, TimeUnit.SECONDS);
            if (!exited) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS); // killed: its output is complete
            }
            String out = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
            assertThat(exited).as("probe exited; output: %s", out).isTrue();
            assertThat(p.exitValue()).as("probe output: %s", out).isZero();
            return out;
        } finally {
            if (p != null) {
                p.destroyForcibly(); // the test timed out or failed before it ended: no probe left running
            }
            Files.deleteIfExists(log);
        }
    }
}
