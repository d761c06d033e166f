package io.verdant.test;

import io.verdant.DeadlockException;
import io.verdant.Determinism;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Mutex;
import io.verdant.ScheduleFailedException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.TestExecutionResult.Status;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The extension itself, through JUnit's EngineTestKit: fixture classes (nested,
 * enabled only under the test kit) use {@link VerdantTest}; each test here runs
 * one fixture and asserts its outcome, message and report entries.
 */
@Timeout(120)
class VerdantExtensionTest {
    /** Two threads increment a plain counter with a scheduling point between read and write. */
    static int racyIncrements() {
        return DetBodies.racyIncrements(2, 3);
    }

    /** The same increments under a mutex. */
    static int lockedIncrements() {
        Mutex<int[]> counter = new Mutex<>(new int[1]);
        List<GreenHandle<Void>> hs = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            hs.add(Green.spawn(() -> {
                for (int i = 0; i < 3; i++) {
                    try (Mutex.Guard<int[]> g = counter.lock(Duration.ofSeconds(10))) {
                        int v = g.get()[0];
                        Green.schedulingPoint();
                        g.get()[0] = v + 1;
                    }
                }
            }));
        }
        Green.joinAll(hs);
        try (Mutex.Guard<int[]> g = counter.lock(Duration.ofSeconds(10))) {
            return g.get()[0];
        }
    }

    // ------------------------------------------------------------------ fixtures

    @ExtendWith(OnlyInTestKit.class)
    static class LostUpdate {
        @VerdantTest(schedules = 50)
        void incrementsAreNotLost() {
            int n = racyIncrements();
            if (n != 6) {
                throw new AssertionError("lost update: counter is " + n + ", expected 6");
            }
        }
    }

    @ExtendWith(OnlyInTestKit.class)
    static class NoLostUpdate {
        @VerdantTest(schedules = 50)
        void incrementsAreNotLost() {
            assertThat(lockedIncrements()).isEqualTo(6);
        }
    }

    @ExtendWith(OnlyInTestKit.class)
    static class LostUpdatePct {
        @VerdantTest(schedules = 200, strategy = Strategy.PCT, depth = 2)
        void incrementsAreNotLost() {
            assertThat(racyIncrements()).isEqualTo(6);
        }
    }

    @ExtendWith(OnlyInTestKit.class)
    static class Recording {
        static final List<Schedule> SEEN = new CopyOnWriteArrayList<>();
        static final List<Determinism> SETTINGS = new CopyOnWriteArrayList<>();
        static final List<Boolean> GREEN = new CopyOnWriteArrayList<>();

        @VerdantTest(schedules = 5, seedBase = 100)
        void records(Schedule schedule, Determinism determinism) {
            SEEN.add(schedule);
            SETTINGS.add(determinism);
            GREEN.add(Green.isGreen());
        }
    }

    @ExtendWith(OnlyInTestKit.class)
    static class ReplayByAnnotation {
        static final List<Schedule> SEEN = new CopyOnWriteArrayList<>();

        @VerdantTest(schedules = 1000, replay = "v1:random:0x2A")
        void records(Schedule schedule) {
            SEEN.add(schedule);
        }
    }

    @ExtendWith(OnlyInTestKit.class)
    static class Deadlock {
        private static final Duration FOREVER = Duration.ofSeconds(Long.MAX_VALUE);

        @VerdantTest(schedules = 50)
        void twoMutexesInOppositeOrders() {
            Mutex<String> m1 = new Mutex<>("one");
            Mutex<String> m2 = new Mutex<>("two");
            GreenHandle<Void> a = Green.spawner().name("alice").spawn(() -> {
                try (Mutex.Guard<String> g1 = m1.lock(FOREVER)) {
                    Green.schedulingPoint();
                    try (Mutex.Guard<String> g2 = m2.lock(FOREVER)) {
                        g2.set(g1.get() + "+alice");
                    }
                }
            });
            GreenHandle<Void> b = Green.spawner().name("bob").spawn(() -> {
                try (Mutex.Guard<String> g2 = m2.lock(FOREVER)) {
                    Green.schedulingPoint();
                    try (Mutex.Guard<String> g1 = m1.lock(FOREVER)) {
                        g1.set(g2.get() + "+bob");
                    }
                }
            });
            a.join();
            b.join();
        }
    }

    @ExtendWith(OnlyInTestKit.class)
    static class NoSchedules {
        @VerdantTest(schedules = 0)
        void never() {
        }
    }

    @ExtendWith(OnlyInTestKit.class)
    static class NoSchedulesWithAParameter {
        @VerdantTest(schedules = 0)
        void never(Schedule schedule) {
        }
    }

    @ExtendWith(OnlyInTestKit.class)
    static class Assumption {
        @VerdantTest(schedules = 10)
        void aborts() {
            Assumptions.assumeTrue(false, "not on this machine");
        }
    }

    // ------------------------------------------------------------------ tests

    @Test
    void aBuggyTestFailsWithTheReplayKeyOnItsFirstLineAndTheBodysFailureAsCause() {
        TestKit.Result r = TestKit.run(LostUpdate.class);
        assertThat(r.status()).isEqualTo(Status.FAILED);
        assertThat(r.thrown()).isInstanceOf(ScheduleFailedException.class)
                .cause().isInstanceOf(AssertionError.class).hasMessageContaining("lost update");
        String key = ((ScheduleFailedException) r.thrown()).replayKey();
        assertThat(key).startsWith("v1:random:0x");
        List<String> lines = r.message().lines().toList();
        assertThat(lines.get(0)).startsWith("[replay " + key + "] LostUpdate.incrementsAreNotLost: schedule ")
                .contains(" of 50 failed (random, seeds from 0x0): java.lang.AssertionError: lost update");
        assertThat(lines.get(1)).isEqualTo("  replay: @VerdantTest(replay = \"" + key + "\")  or  -Dverdant.replay=" + key);
        int index = Integer.parseInt(r.entries().get("verdant.failedSchedule"));
        assertThat(index).isBetween(0, 49);
        assertThat(Long.parseUnsignedLong(key.substring("v1:random:0x".length()), 16)).isEqualTo(index);
        assertThat(r.entries()).containsEntry("verdant.replay", key)
                .containsEntry("verdant.schedules", Integer.toString(index + 1));
        System.out.println("lost update (2 threads x 3) found by @VerdantTest at schedule index " + index);
    }

    @Test
    void theReplayPropertyRunsExactlyTheFailingScheduleAgain() {
        TestKit.Result first = TestKit.run(LostUpdate.class);
        ScheduleFailedException f = (ScheduleFailedException) first.thrown();
        for (int i = 0; i < 3; i++) {
            TestKit.Result again = TestKit.run(LostUpdate.class, "verdant.replay", f.replayKey());
            assertThat(again.status()).isEqualTo(Status.FAILED);
            ScheduleFailedException g = (ScheduleFailedException) again.thrown();
            assertThat(g.replayKey()).isEqualTo(f.replayKey());
            assertThat(g.trace()).isEqualTo(f.trace()); // same hash, steps, virtual time
            assertThat(g.getCause()).hasMessage(f.getCause().getMessage());
            assertThat(g.getMessage()).contains("the replayed schedule failed");
            assertThat(again.entries()).containsEntry("verdant.schedules", "1");
        }
    }

    @Test
    void aCorrectTestPassesEverySchedule() {
        TestKit.Result r = TestKit.run(NoLostUpdate.class);
        assertThat(r.status()).as(String.valueOf(r.thrown())).isEqualTo(Status.SUCCESSFUL);
        assertThat(r.entries()).containsEntry("verdant.schedules", "50");
    }

    @Test
    void theSchedulesPropertyOverridesTheCount() {
        TestKit.Result r = TestKit.run(NoLostUpdate.class, "verdant.schedules", "7");
        assertThat(r.status()).isEqualTo(Status.SUCCESSFUL);
        assertThat(r.entries()).containsEntry("verdant.schedules", "7");
    }

    @Test
    void pctFailuresCarryAPctReplayKeyThatReplays() {
        TestKit.Result r = TestKit.run(LostUpdatePct.class);
        assertThat(r.status()).isEqualTo(Status.FAILED);
        ScheduleFailedException f = (ScheduleFailedException) r.thrown();
        assertThat(f.replayKey()).startsWith("v1:pct2:0x");
        assertThat(r.message()).contains("(pct2, seeds from 0x0)");
        TestKit.Result again = TestKit.run(LostUpdatePct.class, "verdant.replay", f.replayKey());
        assertThat(((ScheduleFailedException) again.thrown()).trace()).isEqualTo(f.trace());
        System.out.println("lost update (2 threads x 3) found by pct(2) at schedule index "
                + r.entries().get("verdant.failedSchedule"));
    }

    @Test
    void eachScheduleRunsOnAGreenThreadWithItsOwnScheduleAndSeed() {
        Recording.SEEN.clear();
        Recording.SETTINGS.clear();
        Recording.GREEN.clear();
        TestKit.Result r = TestKit.run(Recording.class);
        assertThat(r.status()).isEqualTo(Status.SUCCESSFUL);
        assertThat(Recording.SEEN).extracting(Schedule::index).containsExactly(0, 1, 2, 3, 4);
        assertThat(Recording.SEEN).extracting(Schedule::count).containsOnly(5);
        assertThat(Recording.SETTINGS).extracting(Determinism::seedValue).containsExactly(100L, 101L, 102L, 103L, 104L);
        assertThat(Recording.SEEN).extracting(Schedule::determinism).isEqualTo(Recording.SETTINGS);
        assertThat(Recording.GREEN).containsOnly(true);
    }

    @Test
    void replayInTheAnnotationRunsOneSchedule() {
        ReplayByAnnotation.SEEN.clear();
        TestKit.Result r = TestKit.run(ReplayByAnnotation.class);
        assertThat(r.status()).isEqualTo(Status.SUCCESSFUL);
        assertThat(ReplayByAnnotation.SEEN).hasSize(1);
        assertThat(ReplayByAnnotation.SEEN.getFirst().replayKey()).isEqualTo("v1:random:0x2A");
        assertThat(ReplayByAnnotation.SEEN.getFirst().count()).isEqualTo(1);
    }

    @Test
    void aDeadlockFailsTheTestWithWhoWaitsOnWhom() {
        TestKit.Result r = TestKit.run(Deadlock.class);
        assertThat(r.status()).isEqualTo(Status.FAILED);
        assertThat(r.thrown().getCause()).isInstanceOf(DeadlockException.class);
        assertThat(r.message()).contains("deadlock").contains("alice").contains("bob").contains("Mutex")
                .contains("replay: @VerdantTest(replay = \"v1:random:0x");
        System.out.println(r.message());
    }

    @Test
    void badSettingsFailNamingTheSetting() {
        TestKit.Result r = TestKit.run(NoSchedules.class);
        assertThat(r.status()).isEqualTo(Status.FAILED);
        assertThat(r.thrown()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schedules must be at least 1, was 0").hasMessageContaining("NoSchedules.never");
        TestKit.Result bad = TestKit.run(NoLostUpdate.class, "verdant.replay", "v2:nonsense");
        assertThat(bad.thrown()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad replay key");
        TestKit.Result count = TestKit.run(NoLostUpdate.class, "verdant.schedules", "many");
        assertThat(count.thrown()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("verdant.schedules");
    }

    @Test
    void badSettingsOfAMethodWithAScheduleParameterFailTheSameWay() {
        TestKit.Result r = TestKit.run(NoSchedulesWithAParameter.class);
        assertThat(r.status()).isEqualTo(Status.FAILED);
        assertThat(r.thrown()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("@VerdantTest on NoSchedulesWithAParameter.never: schedules must be at least 1, was 0");
        TestKit.Result bad = TestKit.run(NoSchedulesWithAParameter.class, "verdant.replay", "v1:random:0xZZ");
        assertThat(bad.thrown()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("@VerdantTest on NoSchedulesWithAParameter.never: bad replay key: ");
    }

    @Test
    void aFailedAssumptionAbortsTheTest() {
        TestKit.Result r = TestKit.run(Assumption.class);
        assertThat(r.status()).isEqualTo(Status.ABORTED);
        assertThat(r.entries()).containsEntry("verdant.schedules", "1");
    }
}
