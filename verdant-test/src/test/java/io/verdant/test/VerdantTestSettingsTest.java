package io.verdant.test;

import io.verdant.Channel;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.ScheduleFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.TestExecutionResult.Status;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-test settings of {@link VerdantTest}: {@code config}, {@code maxSteps},
 * {@code failOnLeak}, {@code timeout} and {@code parallelism}, through JUnit's
 * EngineTestKit as in {@link VerdantExtensionTest}.
 */
@Timeout(120)
class VerdantTestSettingsTest {
    /** Runtime settings with a recognisable name. */
    public static final class NamedConfig implements Supplier<Config> {
        public NamedConfig() {
        }

        @Override
        public Config get() {
            return Config.builder().name("named-by-the-test").failureHandler((h, t) -> { }).build();
        }
    }

    // ------------------------------------------------------------------ fixtures

    @ExtendWith(OnlyInTestKit.class)
    static class WithConfig {
        static final List<String> NAMES = new CopyOnWriteArrayList<>();

        @VerdantTest(schedules = 3, config = NamedConfig.class)
        void recordsTheRuntimeName() {
            NAMES.add(Green.runtime().toString());
        }
    }

    @ExtendWith(OnlyInTestKit.class)
    static class Livelock {
        @VerdantTest(schedules = 5, maxSteps = 200)
        void yieldsForever() {
            while (!Green.cancelled()) {
                Green.yield();
            }
        }
    }

    @ExtendWith(OnlyInTestKit.class)
    static class Leak {
        @VerdantTest(schedules = 5, failOnLeak = true)
        void forgetsAThread() {
            Channel<String> never = Channel.rendezvous();
            Green.spawner().name("forgotten").spawn(() -> never.receive());
        }
    }

    /** A child fails and nobody joins it. */
    static void forgetAFailure() {
        Green.spawner().name("forgotten").spawn(() -> {
            throw new IllegalStateException("boom");
        });
        Green.sleep(java.time.Duration.ofSeconds(1));
    }

    @ExtendWith(OnlyInTestKit.class)
    static class Unjoined {
        @VerdantTest(schedules = 5)
        void forgetsAFailure() {
            forgetAFailure();
        }
    }

    @ExtendWith(OnlyInTestKit.class)
    static class UnjoinedAllowed {
        @VerdantTest(schedules = 5, failOnUnjoinedFailure = false)
        void forgetsAFailure() {
            forgetAFailure();
        }
    }

    @ExtendWith(OnlyInTestKit.class)
    static class LostUpdate {
        @VerdantTest(schedules = 50)
        void incrementsAreNotLost() {
            int n = VerdantExtensionTest.racyIncrements();
            if (n != 6) {
                throw new AssertionError("lost update: counter is " + n);
            }
        }
    }

    @ExtendWith(OnlyInTestKit.class)
    static class ReplaySteps {
        static final List<Integer> SEEN = new CopyOnWriteArrayList<>();

        @VerdantTest
        void incrementsAreNotLost() {
            int n = VerdantExtensionTest.racyIncrements();
            SEEN.add(n);
            if (n != 6) {
                throw new AssertionError("lost update: counter is " + n);
            }
        }
    }

    @ExtendWith(OnlyInTestKit.class)
    static class OutOfTime {
        @VerdantTest(schedules = 1000, timeout = 1, timeoutUnit = TimeUnit.NANOSECONDS)
        void neverFails() {
            Green.yield();
        }
    }

    /** Check mode with a budget that runs out during the first run of schedule 1 (which takes 1.2 s). */
    @ExtendWith(OnlyInTestKit.class)
    static class CheckModeOutOfTime {
        @VerdantTest(schedules = 10, checkDeterminism = true, timeout = 1)
        void slowButDeterministic() {
            long start = System.nanoTime();
            while (System.nanoTime() - start < 1_200_000_000L) {
                Thread.onSpinWait(); // real time passes; the schedule's steps do not depend on it
            }
            Green.yield();
            Green.yield();
        }
    }

    @ExtendWith(OnlyInTestKit.class)
    static class LostUpdateParallel {
        @VerdantTest(schedules = 50, parallelism = 3)
        void incrementsAreNotLost() {
            int n = VerdantExtensionTest.racyIncrements();
            if (n != 6) {
                throw new AssertionError("lost update: counter is " + n + ", expected 6");
            }
        }
    }

    // ------------------------------------------------------------------ tests

    @Test
    void eachScheduleRunsWithTheConfigTheTestNames() {
        WithConfig.NAMES.clear();
        TestKit.Result r = TestKit.run(WithConfig.class);
        assertThat(r.status()).as(String.valueOf(r.thrown())).isEqualTo(Status.SUCCESSFUL);
        assertThat(WithConfig.NAMES).hasSize(3).allMatch(n -> n.contains("named-by-the-test"));
    }

    @Test
    void maxStepsFailsALivelockWithTheReplayKey() {
        TestKit.Result r = TestKit.run(Livelock.class);
        assertThat(r.status()).isEqualTo(Status.FAILED);
        assertThat(r.message()).contains("more than 200 steps (Determinism.maxSteps): a livelock?")
                .contains("replay: @VerdantTest(replay = \"v1:random:0x0:maxSteps=200\")"); // the key names the limit
    }

    @Test
    void failOnLeakFailsTheTestNamingTheLeakedThread() {
        TestKit.Result r = TestKit.run(Leak.class);
        assertThat(r.status()).isEqualTo(Status.FAILED);
        assertThat(r.thrown()).isInstanceOf(ScheduleFailedException.class);
        assertThat(r.message()).contains("leak").contains("[forgotten]").contains("Determinism.failOnLeak");
    }

    @Test
    void anUnobservedFailureFailsTheTestUnlessTurnedOff() {
        TestKit.Result r = TestKit.run(Unjoined.class);
        assertThat(r.status()).isEqualTo(Status.FAILED);
        assertThat(r.message()).contains("schedule 1 of 5 failed").contains("'forgotten'").contains("nobody observed it")
                .contains("replay: @VerdantTest(replay = \"v1:random:0x0\")");
        assertThat(r.thrown()).hasRootCauseMessage("boom");
        TestKit.Result ok = TestKit.run(UnjoinedAllowed.class);
        assertThat(ok.status()).as(String.valueOf(ok.thrown())).isEqualTo(Status.SUCCESSFUL);
    }

    @Test
    void aFailureShowsItsSavedStepsWhichReplayItThroughTheReplayParameter() {
        TestKit.Result r = TestKit.run(LostUpdate.class);
        assertThat(r.status()).isEqualTo(Status.FAILED);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("steps:  @VerdantTest\\(replay = \"([^\"]+)\"\\)")
                .matcher(r.message());
        assertThat(m.find()).as(r.message()).isTrue();
        String steps = m.group(1);
        assertThat(steps).startsWith("v1:steps:0x");
        ReplaySteps.SEEN.clear();
        TestKit.Result again = TestKit.run(ReplaySteps.class, Plan.REPLAY, steps);
        assertThat(again.status()).isEqualTo(Status.FAILED);
        assertThat(again.message()).contains("the replayed schedule failed").contains("lost update")
                .contains("replay: the same saved steps");
        assertThat(ReplaySteps.SEEN).hasSize(1).allMatch(n -> n != 6);
    }

    @Test
    void aSpentTimeoutFailsTheTestSayingHowManySchedulesPassed() {
        TestKit.Result r = TestKit.run(OutOfTime.class);
        assertThat(r.status()).isEqualTo(Status.FAILED);
        assertThat(r.thrown()).isInstanceOf(AssertionError.class);
        assertThat(r.message()).contains("OutOfTime.neverFails: @VerdantTest timeout of PT0.000000001S spent after 0 of "
                + "1000 schedules passed");
        assertThat(r.entries()).containsEntry("verdant.outOfTime", "true");
    }

    @Test
    void aTimeoutSpentBetweenTheTwoRunsOfCheckModeIsReportedAsSpentNotAsNondeterminism() {
        TestKit.Result r = TestKit.run(CheckModeOutOfTime.class);
        assertThat(r.status()).isEqualTo(Status.FAILED);
        assertThat(r.thrown()).as(String.valueOf(r.thrown())).isNotInstanceOf(ScheduleFailedException.class)
                .isInstanceOf(AssertionError.class);
        assertThat(r.message()).contains("CheckModeOutOfTime.slowButDeterministic: @VerdantTest timeout of PT1S spent")
                .doesNotContain("not deterministic");
        assertThat(r.entries()).containsEntry("verdant.outOfTime", "true");
    }

    @Test
    void parallelSchedulesReportTheFailureASequentialRunReports() {
        TestKit.Result sequential = TestKit.run(VerdantExtensionTest.LostUpdate.class);
        TestKit.Result parallel = TestKit.run(LostUpdateParallel.class);
        assertThat(parallel.status()).isEqualTo(Status.FAILED);
        ScheduleFailedException s = (ScheduleFailedException) sequential.thrown();
        ScheduleFailedException p = (ScheduleFailedException) parallel.thrown();
        assertThat(p.replayKey()).isEqualTo(s.replayKey());
        assertThat(p.trace()).isEqualTo(s.trace());
        assertThat(parallel.entries().get("verdant.failedSchedule"))
                .isEqualTo(sequential.entries().get("verdant.failedSchedule"));
    }
}
