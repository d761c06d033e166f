package io.verdant;

import io.verdant.internal.sched.SchedulerTestAccess;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A green thread's JFR GreenThreadStart event comes no later than its
 * GreenThreadEnd. The spawner committed the start after it had started the thread,
 * which may run and end on another carrier first (fault site SPAWN_STARTED holds the
 * spawner there until it has): the start was stamped after the end.
 */
@Timeout(60)
class GreenThreadStartOrderTest {

    @AfterEach
    void uninstall() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aThreadThatEndsBeforeItsSpawnerGoesOnStartsBeforeItEnds(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("start-order.jfr");
        AtomicReference<Thread> child = new AtomicReference<>();
        AtomicBoolean endedFirst = new AtomicBoolean();
        Pid pid;
        try (Recording rec = new Recording()) {
            rec.enable("io.verdant.GreenThreadStart");
            rec.enable("io.verdant.GreenThreadEnd");
            rec.start();
            try (Verdant rt = Verdant.start(Config.builder().workers(1).name("start-order").build())) {
                AtomicBoolean armed = new AtomicBoolean(true);
                Thread spawner = Thread.currentThread();
                SchedulerTestAccess.atSites((w, site) -> {
                    // The hook is global: only this test's spawn (any other platform thread of the JVM
                    // that spawns, a runtime another test left behind, would take the one turn).
                    if (site.equals("SPAWN_STARTED") && Thread.currentThread() == spawner && armed.compareAndSet(true, false)) {
                        // The spawner, a platform thread: waits (bounded) until the child has ended.
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                        while ((child.get() == null || child.get().getState() != Thread.State.TERMINATED)
                                && System.nanoTime() < deadline) {
                            Thread.onSpinWait();
                        }
                        endedFirst.set(child.get() != null && child.get().getState() == Thread.State.TERMINATED);
                    }
                });
                GreenHandle<Void> h = rt.spawn(() -> child.set(Thread.currentThread()));
                h.join(Duration.ofSeconds(30));
                pid = h.pid();
            }
            rec.stop();
            rec.dump(file);
        }
        assertThat(endedFirst).as("the child ended before its spawner went on").isTrue();
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().startsWith("io.verdant.GreenThread"))
                .filter(e -> e.getString("pid").equals(pid.toString())).toList();
        RecordedEvent start = events.stream().filter(e -> e.getEventType().getName().endsWith("Start"))
                .findFirst().orElseThrow();
        RecordedEvent end = events.stream().filter(e -> e.getEventType().getName().endsWith("End"))
                .findFirst().orElseThrow();
        assertThat(start.getStartTime()).as("the start event's time").isBeforeOrEqualTo(end.getStartTime());
    }
}
