package io.verdant.internal;

import io.verdant.Actors;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.RuntimeMetrics;
import io.verdant.Verdant;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A linked spawn whose link to the parent cannot be made (an OutOfMemoryError
 * growing the parent's link list, injected at LINK_CHILD_ADDING) throws that
 * error and leaves nothing behind: the live count is as before, and the
 * runtime closes at once. Before, an event actor's spawn had already published
 * and counted the actor, which was never handed over to run: it stayed live
 * for ever, and close waited its whole shutdown timeout for it.
 * Needs -Dio.verdant.internal.faults=true (verdant-core's test build sets it).
 */
@Timeout(60)
class LinkChildOutOfMemoryTest {

    @AfterEach
    void removeHook() {
        SchedulerTestAccess.atSites(null);
    }

    private static AtomicBoolean failOneLink() {
        AtomicBoolean armed = new AtomicBoolean(true);
        Thread spawner = Thread.currentThread();
        SchedulerTestAccess.atSites((w, site) -> {
            // The hook is JVM-wide: only the spawns of the green thread that armed it.
            if (site.equals("LINK_CHILD_ADDING") && Thread.currentThread() == spawner
                    && armed.compareAndSet(true, false)) {
                throw new OutOfMemoryError("injected: the parent's link list could not grow");
            }
        });
        return armed;
    }

    @Test
    void aLinkedActorSpawnWhoseLinkFailsLeavesNoActorBehind() {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("link-child-oom-actor")
                .shutdownTimeout(Duration.ofSeconds(20)).build())) {
            long[] counts = rt.run(() -> {
                long before = rt.liveThreads();
                AtomicBoolean armed = failOneLink();
                assertThatThrownBy(() -> Actors.spawner(rt).link().spawn(0, (s, m) -> s))
                        .isInstanceOf(OutOfMemoryError.class);
                assertThat(armed).as("the link was reached").isFalse();
                return new long[] {before, rt.liveThreads()};
            });
            assertThat(counts[1]).as("live threads after the failed spawn").isEqualTo(counts[0]);
        }
    }

    /**
     * The failed linked actor spawn counts nothing and commits no JFR event: once the
     * runtime has closed, spawned is exited, and each GreenThreadStart of its pids has
     * its GreenThreadEnd. Before, the actor was counted spawned and its start committed
     * before the link failed, and it never ended: spawned stayed one above exited.
     */
    @Test
    void aLinkedActorSpawnWhoseLinkFailsIsNeitherCountedNorRecordedAsStarted(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("link-fail.jfr");
        try (Recording rec = new Recording()) {
            rec.enable("io.verdant.GreenThreadStart");
            rec.enable("io.verdant.GreenThreadEnd");
            rec.start();
            Verdant rt = Verdant.start(Config.builder().workers(1).name("link-child-oom-counts")
                    .shutdownTimeout(Duration.ofSeconds(20)).build());
            String prefix;
            try {
                prefix = "<" + RuntimeCore.of(rt.run(Green::self)).id + ".";
                rt.run(() -> {
                    AtomicBoolean armed = failOneLink();
                    assertThatThrownBy(() -> Actors.spawner(rt).link().spawn(0, (s, m) -> s))
                            .isInstanceOf(OutOfMemoryError.class);
                    assertThat(armed).as("the link was reached").isFalse();
                });
            } finally {
                rt.close();
            }
            RuntimeMetrics m = rt.metrics();
            assertThat(m.live()).isZero();
            assertThat(m.spawned()).as("spawned, with %d exited", m.exited()).isEqualTo(m.exited());
            rec.stop();
            rec.dump(file);
            List<String> starts = new ArrayList<>();
            List<String> ends = new ArrayList<>();
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                String type = e.getEventType().getName();
                if ((type.equals("io.verdant.GreenThreadStart") || type.equals("io.verdant.GreenThreadEnd"))
                        && e.getString("pid").startsWith(prefix)) {
                    (type.endsWith("Start") ? starts : ends).add(e.getString("pid"));
                }
            }
            assertThat(starts).as("pids started").hasSize((int) m.spawned());
            assertThat(ends).as("pids ended").containsExactlyInAnyOrderElementsOf(starts);
        }
    }

    @Test
    void aLinkedSpawnWhoseLinkFailsLeavesNoThreadBehind() {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("link-child-oom-thread")
                .shutdownTimeout(Duration.ofSeconds(20)).build())) {
            long[] counts = rt.run(() -> {
                long before = rt.liveThreads();
                AtomicBoolean armed = failOneLink();
                assertThatThrownBy(() -> Green.spawner().link().spawn(() -> 1))
                        .isInstanceOf(OutOfMemoryError.class);
                assertThat(armed).as("the link was reached").isFalse();
                return new long[] {before, rt.liveThreads()};
            });
            assertThat(counts[1]).as("live threads after the failed spawn").isEqualTo(counts[0]);
        }
    }
}
