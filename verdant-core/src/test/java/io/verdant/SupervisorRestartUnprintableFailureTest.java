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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A supervisor restarts a child that failed with an exception whose
 * {@code getMessage()} throws while JFR records {@code io.verdant.SupervisorRestart}
 * (a continuous recording in production): the event names the message as
 * unprintable. Before, building the event called the child's {@code getMessage()}
 * on the supervisor, which then failed with what it threw: the child was never
 * restarted and the tree went down.
 */
@Timeout(60)
class SupervisorRestartUnprintableFailureTest {
    private static final class Unprintable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @Override
        public String getMessage() {
            throw new IllegalStateException("getMessage of a child's failure");
        }

        @Override
        public String toString() {
            throw new IllegalStateException("toString of a child's failure");
        }
    }

    @Test
    void aChildWhoseFailureCannotBePrintedIsRestartedWhileJfrRecordsRestarts(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("restart.jfr");
        try (Recording rec = new Recording()) {
            rec.enable("io.verdant.SupervisorRestart");
            rec.start();
            try (Verdant rt = Verdant.start(Config.builder().workers(1).name("unprintable-restart")
                    .failureHandler((h, t) -> { }).build())) {
                AtomicInteger starts = new AtomicInteger();
                CountDownLatch restarted = new CountDownLatch(1);
                Supervisor sup = Supervisor.builder().name("sup")
                        .child(Supervisor.ChildSpec.of("flaky", () -> {
                            if (starts.incrementAndGet() == 1) {
                                throw new Unprintable();
                            }
                            restarted.countDown();
                            Green.receive();
                        })).start(rt);
                boolean wasRestarted = restarted.await(10, TimeUnit.SECONDS);
                GreenState supervisorState = sup.handle().state();
                assertThat(wasRestarted).as("the child was restarted").isTrue();
                assertThat(supervisorState).as("the supervisor's state").isNotEqualTo(GreenState.FAILED);
                sup.shutdown();
            }
            rec.stop();
            rec.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("io.verdant.SupervisorRestart")).toList();
        assertThat(events).hasSize(1);
        assertThat(events.getFirst().getString("cause")).isEqualTo(Unprintable.class.getName());
        assertThat(events.getFirst().getString("message")).contains("getMessage() threw");
    }
}
