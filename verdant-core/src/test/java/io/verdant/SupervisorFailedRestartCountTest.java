package io.verdant;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A restart whose start throws (an event-actor child whose initial state cannot be
 * made the second time) restarts nothing: the supervisor goes down with that failure.
 * It is not counted as a restart (Supervisor.restartCount(), metrics().supervisorRestarts())
 * nor recorded as an io.verdant.SupervisorRestart event. Before, the restart was counted
 * and recorded before its start was tried.
 */
@Timeout(60)
class SupervisorFailedRestartCountTest {

    @Test
    void aRestartWhoseStartThrowsIsNeitherCountedNorRecorded(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("restart.jfr");
        try (Recording rec = new Recording()) {
            rec.enable("io.verdant.SupervisorRestart");
            rec.start();
            try (Verdant rt = Verdant.start(Config.builder().workers(2).name("failed-restart").build())) {
                AtomicInteger starts = new AtomicInteger();
                Supervisor sup = Supervisor.builder().name("flaky-sup")
                        .child(Actors.childSpec("flaky", () -> {
                            if (starts.incrementAndGet() > 1) {
                                throw new IllegalStateException("no initial state the second time");
                            }
                            return 0;
                        }, (Integer s, Object m) -> {
                            throw new IllegalArgumentException("the handler fails");
                        }))
                        .start(rt);
                Pid child = sup.child("flaky").orElseThrow();
                rt.run(() -> Green.send(child, "fail"));
                assertThatThrownBy(() -> sup.handle().join(Duration.ofSeconds(20)))
                        .isInstanceOf(GreenFailedException.class)
                        .hasRootCauseMessage("no initial state the second time");
                assertThat(starts).hasValue(2);
                assertThat(sup.restartCount()).as("restartCount()").isZero();
                assertThat(rt.metrics().supervisorRestarts()).as("metrics().supervisorRestarts()").isZero();
            }
            rec.stop();
            rec.dump(file);
            List<RecordedEvent> restarts = RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals("io.verdant.SupervisorRestart")
                            && e.getString("supervisor").equals("flaky-sup"))
                    .toList();
            assertThat(restarts).as("SupervisorRestart events").isEmpty();
        }
    }
}
