package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Closing a runtime with a running supervisor cancels the supervisor and its children. When a
 * child's cancellation reached the supervisor as a failure before the supervisor's own, it
 * restarted the child in the closing runtime: the spawn threw IllegalStateException ("is
 * closed: cannot spawn"), which became the supervisor's failure (logged at WARNING as an
 * unobserved failure without a failure handler), after a "failed; restarting" WARNING for the
 * child's cancellation.
 */
@Timeout(60)
class SupervisorAtCloseTest {

    @Test
    void aSupervisorEndsCancelledWhenItsRuntimeCloses() {
        for (int i = 0; i < 20; i++) {
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            Supervisor sup;
            try (Verdant rt = Verdant.start(Config.builder().workers(2).name("sup-close-" + i)
                    .failureHandler((h, t) -> failures.add(t)).build())) {
                sup = rt.startSupervisor(Supervisor.builder()
                        .child(Supervisor.ChildSpec.of("sleeper", () -> Green.sleep(Duration.ofDays(1))))
                        .child(Supervisor.ChildSpec.of("receiver", () -> {
                            Green.receive();
                        })));
            }
            assertThat(sup.handle().isDone()).isTrue();
            assertThat(sup.handle().exceptionNow()).as("run %d", i).isInstanceOf(CancelledException.class);
            assertThat(failures).as("run %d: only cancellations", i).allMatch(t -> t instanceof CancelledException);
            assertThat(sup.restartCount()).as("run %d: nothing restarted", i).isZero();
        }
    }
}
