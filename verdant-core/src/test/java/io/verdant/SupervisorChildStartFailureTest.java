package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A child whose start throws (an event-actor spec whose initial-state supplier
 * fails, run by EventActorChild.start on the supervisor thread): startChild
 * reports it to its caller and the supervisor and its other children go on, as
 * OTP's start_child returns an error. Before the fix the exception escaped
 * Supervisor.supervise, which caught only CancelledException: the supervisor
 * died without stopAll, and its other children were killed through their links
 * all at once instead of being stopped in reverse start order.
 */
@Timeout(20)
class SupervisorChildStartFailureTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("sup-start-fail").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void aChildWhoseStartThrowsLeavesTheSupervisorAndItsOtherChildrenRunning() throws Exception {
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        Supervisor sup = Supervisor.builder().intensity(10, Duration.ofMinutes(1))
                .child(Supervisor.ChildSpec.of("a", () -> {
                    try {
                        for (;;) {
                            Green.receive();
                        }
                    } catch (CancelledException e) {
                        events.add("a stopped: " + e.getClass().getSimpleName());
                        throw e;
                    }
                }))
                .start(rt);
        Pid a = sup.child("a").orElseThrow();

        Supervisor.ChildSpec bad = Actors.childSpec("bad", () -> {
            throw new IllegalStateException("no initial state");
        }, (Integer s, Object m) -> s);
        assertThatThrownBy(() -> sup.startChild(bad)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'bad' failed to start").hasRootCauseMessage("no initial state");
        assertThat(sup.whichChildren()).as("the failed child was not added")
                .extracting(Supervisor.ChildInfo::name).containsExactly("a");

        assertThat(events.poll(200, TimeUnit.MILLISECONDS)).as("a child stopped").isNull();
        assertThat(sup.handle().isDone()).as("supervisor ended: %s", sup.handle()).isFalse();
        assertThat(rt.isAlive(a)).isTrue();
        sup.shutdown();
    }
}
