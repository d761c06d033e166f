package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A child whose start throws an {@link Error} (an event-actor spec whose
 * initial state's class fails to initialise: {@link ExceptionInInitializerError})
 * is reported to the caller of {@code startChild} or {@code restartChild} as
 * {@link IllegalStateException}, as one that throws a RuntimeException is, and
 * the supervisor and its other children go on. Before, only RuntimeExceptions
 * were caught there: the Error escaped the supervisor's loop, which stopped its
 * other children and failed, and the caller got {@link CalleeExitedException}.
 */
@Timeout(60)
class SupervisorChildStartErrorTest {
    @Test
    void aChildWhoseStartThrowsAnErrorLeavesTheSupervisorAndItsOtherChildrenRunning() {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("sup-start-error")
                .failureHandler((h, t) -> { }).build())) {
            Supervisor sup = Supervisor.builder().intensity(10, Duration.ofMinutes(1))
                    .child(Supervisor.ChildSpec.of("a", () -> {
                        for (;;) {
                            Green.receive();
                        }
                    }))
                    .start(rt);
            Pid a = sup.child("a").orElseThrow();
            Supervisor.ChildSpec bad = Actors.childSpec("bad", () -> {
                throw new ExceptionInInitializerError("the initial state's class failed to initialise");
            }, (Integer s, Object m) -> s);
            assertThatThrownBy(() -> sup.startChild(bad)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'bad' failed to start").hasCauseInstanceOf(ExceptionInInitializerError.class);
            assertThat(sup.handle().isDone()).as("supervisor ended: %s", sup.handle()).isFalse();
            assertThat(rt.isAlive(a)).isTrue();
            assertThat(sup.whichChildren()).extracting(Supervisor.ChildInfo::name).containsExactly("a");
            sup.shutdown();
        }
    }
}
