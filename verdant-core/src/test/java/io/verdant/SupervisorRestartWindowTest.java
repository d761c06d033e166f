package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The restart intensity's sliding window, on a deterministic runtime's virtual
 * clock (restart instants exact to the nanosecond): "more than maxRestarts
 * restarts within period", as OTP's supervisor counts them. A restart exactly
 * {@code period} older than the newest is still within the window (OTP keeps
 * restarts with {@code R >= Now - Period}); one older than that is forgotten, so
 * restarts spaced further apart never add up, and the supervisor holds at most
 * maxRestarts timestamps between restarts.
 */
@Timeout(60)
class SupervisorRestartWindowTest {
    private static final Duration PERIOD = Duration.ofMillis(100);
    private static final int CRASHES = 20;

    /** A supervisor of one child that sleeps {@code gap}, records the virtual time and crashes, at most CRASHES times. */
    private static Supervisor crashEvery(Verdant rt, Duration gap, List<Long> crashedAt) {
        return Supervisor.builder().name("window").intensity(1, PERIOD)
                .child(Supervisor.ChildSpec.of("c", () -> {
                    Green.sleep(gap);
                    if (crashedAt.size() < CRASHES) {
                        crashedAt.add(Green.nanoTime());
                        throw new IllegalStateException("crash (expected by the test)");
                    }
                    Green.receive(); // the last incarnation stays until the shutdown
                    return null;
                }))
                .start(rt); // linked to nobody: its giving up is looked at through its handle
    }

    @Test
    void restartsSpacedMoreThanThePeriodApartNeverAddUp() {
        List<Long> crashedAt = new CopyOnWriteArrayList<>();
        LogCapture log = new LogCapture("io.verdant.supervisor");
        try (Verdant rt = Verdant.deterministic(DetRuns.QUIET, Determinism.seed(1))) {
            rt.run(() -> {
                Supervisor sup = crashEvery(rt, PERIOD.plusMillis(1), crashedAt);
                // Virtual time: each look costs nothing real; bounded at 10 s of it (the crashes take 2).
                for (int looks = 0; crashedAt.size() < CRASHES || sup.children().isEmpty()
                        || sup.restartCount() < CRASHES; looks++) {
                    assertThat(sup.handle().isDone()).as("supervisor ended after %s", crashedAt).isFalse();
                    assertThat(looks).as("looks for the last restart").isLessThan(100);
                    Green.sleep(PERIOD);
                }
                assertThat(sup.restartCount()).isEqualTo(CRASHES);
                assertThat(sup.restartTimesHeld()).as("restart timestamps held").isEqualTo(1);
                sup.shutdown();
                return null;
            });
        } finally {
            log.close();
        }
        for (int i = 1; i < crashedAt.size(); i++) {
            assertThat(crashedAt.get(i) - crashedAt.get(i - 1)).as("virtual time between crashes %d and %d", i - 1, i)
                    .isEqualTo(PERIOD.plusMillis(1).toNanos());
        }
    }

    @Test
    void aRestartExactlyOnePeriodAfterAnotherIsWithinTheWindow() {
        List<Long> crashedAt = new CopyOnWriteArrayList<>();
        LogCapture log = new LogCapture("io.verdant.supervisor");
        try (Verdant rt = Verdant.deterministic(DetRuns.QUIET, Determinism.seed(1))) {
            rt.run(() -> {
                Supervisor sup = crashEvery(rt, PERIOD, crashedAt);
                assertThatThrownBy(() -> sup.handle().join(Duration.ofSeconds(10))) // virtual seconds
                        .isInstanceOf(GreenFailedException.class)
                        .hasCauseInstanceOf(RestartIntensityException.class);
                assertThat(sup.restartCount()).as("restarts before giving up").isEqualTo(1);
                return null;
            });
        } finally {
            log.close();
        }
        assertThat(crashedAt).as("crash instants").hasSize(2);
        assertThat(crashedAt.get(1) - crashedAt.get(0)).as("virtual time between the crashes")
                .isEqualTo(PERIOD.toNanos());
    }
}
