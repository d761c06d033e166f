package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * {@link Determinism#failOnUnjoinedFailure(boolean)}: a green thread that fails
 * while nobody observes its failure fails the schedule (on by default), naming
 * the thread and its exception with the replay key; a join, even after the
 * thread ended, a failure handler, a cancellation or turning the check off do not.
 */
@Timeout(120)
class UnobservedFailureTest {
    /** Failures go to the default (logging) path: no failure handler, which would count as an observer. */
    private static final Config PLAIN = Config.builder().deadLetterHandler((p, m) -> { }).build();

    private static Integer forgetsAFailure() {
        Green.spawner().name("forgotten").spawn(() -> {
            throw new IllegalStateException("boom in a child");
        });
        Green.sleep(Duration.ofSeconds(1)); // the child has ended, failed, before the body returns
        return 1;
    }

    @Test
    void aFailureNobodyObservedFailsTheScheduleNamingTheThreadAndItsException() {
        try (Verdant rt = Verdant.deterministic(PLAIN, Determinism.seed(3))) {
            ScheduleFailedException e = catchThrowableOfType(ScheduleFailedException.class,
                    () -> rt.run(UnobservedFailureTest::forgetsAFailure));
            assertThat(e).isNotNull();
            assertThat(e.getMessage()).startsWith("[replay v1:random:0x3]")
                    .contains("'forgotten'")
                    .contains("IllegalStateException: boom in a child")
                    .contains("nobody observed it")
                    .contains("Determinism.failOnUnjoinedFailure");
            assertThat(e.getCause()).isInstanceOf(IllegalStateException.class).hasMessage("boom in a child");
        }
        // The same under an exploration: the first schedule fails, with its replay key.
        ScheduleFailedException x = catchThrowableOfType(ScheduleFailedException.class,
                () -> Exploration.of(UnobservedFailureTest::forgetsAFailure).schedules(5).config(PLAIN).run());
        assertThat(x).isNotNull();
        assertThat(x.scheduleNumber()).isEqualTo(1);
        assertThat(x.getMessage()).startsWith("[replay v1:random:0x0]").contains("'forgotten'");
    }

    @Test
    void aJoinAfterTheThreadEndedObservesTheFailure() {
        try (Verdant rt = Verdant.deterministic(PLAIN, Determinism.seed(3))) {
            String seen = rt.run(() -> {
                GreenHandle<Void> h = Green.spawn(() -> {
                    throw new IllegalStateException("expected");
                });
                Green.sleep(Duration.ofSeconds(1)); // h has ended before the join
                assertThat(h.isDone()).isTrue();
                try {
                    h.join();
                    return "no failure";
                } catch (GreenFailedException e) {
                    return e.getCause().getMessage();
                }
            });
            assertThat(seen).isEqualTo("expected");
        }
        // A callback registered after the end is given the failure: observed too.
        try (Verdant rt = Verdant.deterministic(PLAIN, Determinism.seed(3))) {
            String seen = rt.run(() -> {
                GreenHandle<Void> h = Green.spawn(() -> {
                    throw new IllegalStateException("expected");
                });
                Green.sleep(Duration.ofSeconds(1));
                String[] got = new String[1];
                h.onComplete((v, t) -> got[0] = t.getMessage());
                return got[0];
            });
            assertThat(seen).isEqualTo("expected");
        }
    }

    @Test
    void theCheckCanBeTurnedOffAndAFailureHandlerOrACancellationIsNotAnUnobservedFailure() {
        try (Verdant rt = Verdant.deterministic(PLAIN, Determinism.seed(3).failOnUnjoinedFailure(false))) {
            assertThat(rt.run(UnobservedFailureTest::forgetsAFailure)).isEqualTo(1);
        }
        AtomicInteger handled = new AtomicInteger();
        Config handler = Config.builder().failureHandler((h, t) -> handled.incrementAndGet()).build();
        try (Verdant rt = Verdant.deterministic(handler, Determinism.seed(3))) {
            assertThat(rt.run(UnobservedFailureTest::forgetsAFailure)).isEqualTo(1);
        }
        assertThat(handled).hasValue(1);
        try (Verdant rt = Verdant.deterministic(PLAIN, Determinism.seed(3))) {
            assertThat(rt.run(() -> {
                GreenHandle<Void> h = Green.spawn(() -> Green.sleep(Duration.ofDays(1)));
                Green.sleep(Duration.ofSeconds(1));
                h.cancel(); // ends with a CancelledException, which is not a failure to report
                Green.sleep(Duration.ofSeconds(1));
                return 2;
            })).isEqualTo(2);
        }
        assertThat(Determinism.seed(1).isFailOnUnjoinedFailure()).isTrue();
        assertThat(Determinism.seed(1).failOnUnjoinedFailure(false).isFailOnUnjoinedFailure()).isFalse();
        assertThat(Determinism.seed(1).failOnUnjoinedFailure(false)).isNotEqualTo(Determinism.seed(1));
    }

    @Test
    void aFailureOfTheBodyItselfIsReportedAsTheBodysNotAsUnobserved() {
        try (Verdant rt = Verdant.deterministic(PLAIN, Determinism.seed(3))) {
            assertThatThrownBy(() -> rt.run(() -> {
                throw new IllegalArgumentException("the body's own");
            })).isInstanceOf(GreenFailedException.class).hasRootCauseMessage("the body's own");
        }
    }
}
