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
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * close() between a child's publication in the pid table and its start (the
 * fault site SPAWN_PUBLISHED): close abandons the published, unstarted thread
 * and undoes its live count; then the spawn fails before the start (the hook
 * throws, as the JDK's start does when it cannot make the thread) and its
 * clean-up must not undo the count a second time (it did: live went to -1).
 */
@Timeout(60)
class SpawnCloseRaceTest {

    @AfterEach
    void uninstall() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aCloseBetweenPublicationAndStartUndoesTheLiveCountOnce() throws Exception {
        Verdant rt = Verdant.start(Config.builder().workers(1).name("spawn-close")
                .shutdownTimeout(Duration.ofMillis(50)).build());
        AtomicBoolean armed = new AtomicBoolean(true);
        AtomicReference<Throwable> closeFailure = new AtomicReference<>();
        AtomicBoolean closed = new AtomicBoolean();
        Thread spawner = Thread.currentThread();
        SchedulerTestAccess.atSites((w, site) -> {
            if (site.equals("SPAWN_PUBLISHED") && Thread.currentThread() == spawner && armed.compareAndSet(true, false)) {
                closeOnAnotherThread(rt, closeFailure);
                closed.set(closeFailure.get() == null);
                throw new IllegalStateException("the start failed");
            }
        });
        long before = rt.liveThreads();
        assertThatThrownBy(() -> rt.spawn(() -> Green.sleep(Duration.ofDays(1))))
                .isInstanceOf(IllegalStateException.class).hasMessage("the start failed");
        assertThat(armed.get()).as("the spawn reached SPAWN_PUBLISHED").isFalse();
        assertThat(closeFailure.get()).isNull();
        assertThat(closed.get()).as("close() returned while the spawn waited").isTrue();
        assertThat(rt.liveThreads()).as("live threads after the failed spawn").isEqualTo(before);
        assertThat(rt.metrics().live()).isEqualTo(before);
    }

    /**
     * The same window, with a start that goes ahead: close has abandoned the thread, so
     * its start is refused (GreenThread, "Starting an abandoned thread") and the spawn
     * fails as a spawn after close does, with the live count undone once.
     */
    @Test
    void aStartAfterCloseAbandonedThePublishedThreadFailsTheSpawn() throws Exception {
        Verdant rt = Verdant.start(Config.builder().workers(1).name("spawn-close-start")
                .shutdownTimeout(Duration.ofMillis(50)).build());
        AtomicBoolean armed = new AtomicBoolean(true);
        AtomicReference<Throwable> closeFailure = new AtomicReference<>();
        Thread spawner = Thread.currentThread();
        SchedulerTestAccess.atSites((w, site) -> {
            if (site.equals("SPAWN_PUBLISHED") && Thread.currentThread() == spawner && armed.compareAndSet(true, false)) {
                closeOnAnotherThread(rt, closeFailure);
            }
        });
        long before = rt.liveThreads();
        assertThatThrownBy(() -> rt.spawn(() -> Green.sleep(Duration.ofDays(1))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
        assertThat(armed.get()).as("the spawn reached SPAWN_PUBLISHED").isFalse();
        assertThat(closeFailure.get()).isNull();
        assertThat(rt.isClosed()).isTrue();
        assertThat(rt.liveThreads()).as("live threads after the failed spawn").isEqualTo(before);
    }

    /**
     * A thread that close() abandons inside its spawn (published, not yet started: sites
     * SPAWN_PUBLISHED and SLOT_PUBLISHED; a green thread and an event actor) counts as
     * exited, so it counts as spawned too: after close, {@code spawned == exited} and
     * {@code live == 0}. Before, close counted its exit and the failed spawn never
     * counted it as spawned: {@code exited} was {@code spawned + 1}.
     */
    @Test
    void aThreadAbandonedInsideItsSpawnCountsAsSpawnedAsWellAsExited() throws Exception {
        for (String site : new String[] {"SPAWN_PUBLISHED", "SLOT_PUBLISHED"}) {
            for (boolean actor : new boolean[] {false, true}) {
                if (actor && site.equals("SPAWN_PUBLISHED")) {
                    continue; // an event actor has no start: its spawn never reaches SPAWN_PUBLISHED
                }
                String what = site + (actor ? ", event actor" : ", green thread");
                Verdant rt = Verdant.start(Config.builder().workers(1).name("spawn-close-count")
                        .shutdownTimeout(Duration.ofMillis(50)).build());
                AtomicBoolean armed = new AtomicBoolean(true);
                AtomicReference<Throwable> closeFailure = new AtomicReference<>();
                Thread spawner = Thread.currentThread();
                SchedulerTestAccess.atSites((w, s) -> {
                    if (s.equals(site) && Thread.currentThread() == spawner && armed.compareAndSet(true, false)) {
                        closeOnAnotherThread(rt, closeFailure);
                    }
                });
                try {
                    assertThatThrownBy(() -> {
                        if (actor) {
                            Actors.spawner(rt).spawn(0, (state, msg) -> state);
                        } else {
                            rt.spawn(() -> Green.sleep(Duration.ofDays(1)));
                        }
                    }).as(what).isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
                } finally {
                    SchedulerTestAccess.atSites(null);
                    rt.close();
                }
                assertThat(armed.get()).as(what + ": the spawn reached the site").isFalse();
                assertThat(closeFailure.get()).as(what).isNull();
                RuntimeMetrics m = rt.metrics();
                assertThat(m.live()).as(what + ": live").isZero();
                assertThat(m.exited()).as(what + ": exited (spawned " + m.spawned() + ")").isEqualTo(1);
                assertThat(m.spawned()).as(what + ": spawned").isEqualTo(m.exited());
            }
        }
    }

    /**
     * The same windows, recorded with JFR: close commits the abandoned thread's
     * GreenThreadEnd (ABANDONED), and the spawn, which counts it as spawned, commits its
     * GreenThreadStart, so each end of the runtime's pids has its start. Before, the
     * failed spawn committed no start: an end with no start.
     */
    @Test
    void aThreadAbandonedInsideItsSpawnHasAStartEventForItsEnd(@TempDir Path dir) throws Exception {
        int k = 0;
        for (String site : new String[] {"SPAWN_PUBLISHED", "SLOT_PUBLISHED"}) {
            for (boolean actor : new boolean[] {false, true}) {
                if (actor && site.equals("SPAWN_PUBLISHED")) {
                    continue; // an event actor has no start: its spawn never reaches SPAWN_PUBLISHED
                }
                String what = site + (actor ? ", event actor" : ", green thread");
                Path file = dir.resolve("spawn-close-" + k++ + ".jfr");
                try (Recording rec = new Recording()) {
                    rec.enable("io.verdant.GreenThreadStart");
                    rec.enable("io.verdant.GreenThreadEnd");
                    rec.start();
                    Verdant rt = Verdant.start(Config.builder().workers(1).name("spawn-close-jfr")
                            .shutdownTimeout(Duration.ofMillis(50)).build());
                    String prefix = "<" + RuntimeCore.of(rt.run(Green::self)).id + ".";
                    AtomicBoolean armed = new AtomicBoolean(true);
                    AtomicReference<Throwable> closeFailure = new AtomicReference<>();
                    Thread spawner = Thread.currentThread();
                    SchedulerTestAccess.atSites((w, s) -> {
                        if (s.equals(site) && Thread.currentThread() == spawner && armed.compareAndSet(true, false)) {
                            closeOnAnotherThread(rt, closeFailure);
                        }
                    });
                    try {
                        assertThatThrownBy(() -> {
                            if (actor) {
                                Actors.spawner(rt).spawn(0, (state, msg) -> state);
                            } else {
                                rt.spawn(() -> Green.sleep(Duration.ofDays(1)));
                            }
                        }).as(what).isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
                    } finally {
                        SchedulerTestAccess.atSites(null);
                        rt.close();
                    }
                    assertThat(armed.get()).as(what + ": the spawn reached the site").isFalse();
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
                    assertThat(ends).as(what + ": pids ended (the body's and the abandoned one's)").hasSize(2);
                    assertThat(starts).as(what + ": pids started").containsExactlyInAnyOrderElementsOf(ends);
                }
            }
        }
    }

    /**
     * The spawner, held at SPAWN_PUBLISHED: closes {@code rt} from a platform thread and
     * waits for close() to return (what it threw, if anything, goes to {@code failure}).
     */
    private static void closeOnAnotherThread(Verdant rt, AtomicReference<Throwable> failure) {
        Thread closer = Thread.ofPlatform().start(() -> {
            try {
                rt.close();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        try {
            if (!closer.join(Duration.ofSeconds(30))) {
                failure.set(new AssertionError("close() did not return in 30 s"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
