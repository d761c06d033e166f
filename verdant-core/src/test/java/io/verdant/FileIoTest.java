package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * File I/O pins the carrier (the JDK compensates for it only on its own
 * scheduler), so Verdant covers it twice: {@link Green#blocking} moves the work
 * to the blocking pool while the green thread parks, and unwrapped file I/O is
 * caught by the stall monitor, which hands the pinned carrier's queued work to
 * a spare carrier. A named pipe (FIFO) makes the "slow file" deterministic:
 * opening it for reading blocks in the kernel until a writer opens it. One
 * worker throughout, so a pinned carrier would stop everything else.
 */
@Timeout(60)
class FileIoTest {
    private Path dir;
    private Path fifo;

    @BeforeEach
    void makeFifo() throws Exception {
        dir = Files.createTempDirectory("verdant-fifo");
        fifo = dir.resolve("pipe");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("mkfifo exit status").isZero();
    }

    @AfterEach
    void removeFifo() throws IOException {
        Files.deleteIfExists(fifo);
        Files.deleteIfExists(dir);
    }

    private void writeFifo(String text) throws IOException {
        Files.writeString(fifo, text); // opens for writing: releases the blocked reader
    }

    @Test
    void fileIoInsideGreenBlockingParksTheGreenThreadAndLeavesTheCarrierFree() throws Exception {
        // No spare carriers: only Green.blocking can keep the single carrier free.
        try (Verdant rt = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name("file-blocking").build())) {
            GreenHandle<String> reader = rt.spawn(() -> Green.blocking(() -> Files.readString(fifo)));
            BlockingSocketsTest.awaitTrue(() -> reader.state() == GreenState.WAITING, "reader parked in Green.blocking");
            assertThat(rt.spawn(() -> "ran").join(Duration.ofSeconds(20))).isEqualTo("ran");
            assertThat(reader.isDone()).isFalse();
            writeFifo("from the pipe");
            assertThat(reader.join(Duration.ofSeconds(20))).isEqualTo("from the pipe");
        }
    }

    @Test
    void unwrappedFileIoPinsTheCarrier() throws Exception {
        // The claim the other two tests rest on: with no spare carrier, a green thread
        // blocked in a file open holds the only carrier and nothing else runs.
        try (Verdant rt = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name("file-pinned").build())) {
            GreenHandle<String> reader = rt.spawn(() -> Files.readString(fifo));
            BlockingSocketsTest.awaitTrue(() -> reader.state() == GreenState.RUNNING, "reader holds the carrier");
            GreenHandle<String> other = rt.spawn(() -> "ran");
            assertThatThrownBy(() -> other.join(Duration.ofMillis(500))).isInstanceOf(TimedOutException.class);
            writeFifo("late");
            assertThat(reader.join(Duration.ofSeconds(20))).isEqualTo("late");
            assertThat(other.join(Duration.ofSeconds(20))).isEqualTo("ran");
        }
    }

    @Test
    void unwrappedFileIoIsCoveredByTheStallMonitorsSpareCarrier() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).stallThreshold(Duration.ofMillis(100))
                .name("file-stall").build())) {
            GreenHandle<String> reader = rt.spawner().name("fifo-reader").spawn(() -> Files.readString(fifo));
            BlockingSocketsTest.awaitTrue(() -> reader.state() == GreenState.RUNNING, "reader holds the carrier");
            List<GreenHandle<Integer>> others = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                others.add(rt.spawn(() -> {
                    Green.yield();
                    return n;
                }));
            }
            // They run on a spare carrier while the reader still pins the core one.
            for (int i = 0; i < 20; i++) {
                assertThat(others.get(i).join(Duration.ofSeconds(20))).isEqualTo(i);
            }
            assertThat(reader.isDone()).isFalse();
            writeFifo("eventually");
            assertThat(reader.join(Duration.ofSeconds(20))).isEqualTo("eventually");
        }
    }
}
