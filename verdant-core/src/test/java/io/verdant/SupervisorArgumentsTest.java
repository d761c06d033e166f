package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Supervisor and its builder on bad arguments and repeated calls. */
@Timeout(60)
class SupervisorArgumentsTest {

    /**
     * A second shutdown() (documented to return at once) used to send the ended supervisor
     * its private stop message: the dead-letter handler saw it and deadLetterCount counted it.
     */
    @Test
    void aSecondShutdownReturnsWithoutADeadLetter() {
        List<Object> deadLetters = new CopyOnWriteArrayList<>();
        Config config = Config.builder().workers(1).name("sup-args")
                .deadLetterHandler((pid, msg) -> deadLetters.add(msg)).build();
        try (Verdant rt = Verdant.start(config)) {
            Supervisor sup = rt.startSupervisor(Supervisor.builder()
                    .child(Supervisor.ChildSpec.of("sleeper", () -> Green.sleep(Duration.ofDays(1)))));
            sup.shutdown();
            sup.shutdown();
            assertThat(sup.handle().isDone()).isTrue();
            assertThat(deadLetters).isEmpty();
            assertThat(rt.deadLetterCount()).isZero();
        }
    }

    @Test
    void badArgumentsNameTheArgument() {
        Supervisor.Builder b = Supervisor.builder();
        assertThatThrownBy(() -> b.name(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> b.strategy(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("strategy");
        assertThatThrownBy(() -> b.intensity(-1, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxRestarts");
        assertThatThrownBy(() -> b.intensity(1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("period");
        assertThatThrownBy(() -> b.intensity(1, null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("period");
        assertThatThrownBy(() -> b.child(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("spec");
        assertThatThrownBy(() -> b.start((Verdant) null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("runtime");
        assertThatThrownBy(() -> Supervisor.ChildSpec.of("c", (Runnable) null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("body");
        assertThatThrownBy(() -> Supervisor.ChildSpec.of(" ", () -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name");
        assertThatThrownBy(() -> Supervisor.ChildSpec.of("c", () -> { }).shutdownTimeout(Duration.ofNanos(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shutdownTimeout");
        assertThatThrownBy(() -> Supervisor.ChildSpec.of("c", () -> { }).restart(null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("restart");
        // A huge intensity window or shutdown timeout saturates instead of overflowing.
        Duration huge = Duration.ofSeconds(Long.MAX_VALUE);
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("sup-huge").build())) {
            Supervisor sup = Supervisor.builder().intensity(1, huge)
                    .child(Supervisor.ChildSpec.of("c", () -> Green.sleep(Duration.ofDays(1))).shutdownTimeout(huge))
                    .start(rt);
            assertThat(sup.children()).hasSize(1);
            sup.shutdown();
            assertThat(sup.handle().isDone()).isTrue();
        }
    }
}
