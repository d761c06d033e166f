package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A schedule saved as its list of choices and replayed from it
 * ({@link Determinism#replaySteps(String)}, {@link ScheduleFailedException#steps()},
 * {@link Verdant#steps()}): the replay makes the recorded choices, and the first
 * step whose runnable set or running thread differs fails it with a
 * {@link NondeterminismException} naming the step.
 */
@Timeout(120)
class ReplayStepsTest {

    /** A worker that reaches {@code points} scheduling points, joined by the body. */
    private static Callable<Integer> workerWithPoints(int points) {
        return () -> {
            GreenHandle<Void> a = Green.spawner().name("worker").spawn(() -> {
                for (int i = 0; i < points; i++) {
                    Green.schedulingPoint();
                }
            });
            GreenHandle<Void> b = Green.spawner().name("other").spawn(() -> Green.schedulingPoint());
            a.join();
            b.join();
            return points;
        };
    }

    private static String recorded(Determinism d, Callable<?> body) {
        try (Verdant rt = Verdant.deterministic(DetRuns.QUIET, d.recordSteps(true))) {
            rt.run(body);
            return rt.steps();
        }
    }

    @Test
    void theStepsOfAFailedScheduleReplayItExactly() {
        Callable<Integer> lost = () -> DetRuns.lostUpdateFails(2, 10);
        ScheduleFailedException e = catchThrowableOfType(ScheduleFailedException.class,
                () -> Exploration.of(lost).settings(Determinism.seed(0)).schedules(50).config(DetRuns.QUIET).run());
        assertThat(e).isNotNull();
        String steps = e.steps();
        assertThat(steps).startsWith("v1:steps:0x" + e.replayKey().substring(e.replayKey().lastIndexOf("0x") + 2) + " 0/0 ");
        // The saved steps replay the schedule: same failure, same trace (hash, steps, virtual time).
        for (int i = 0; i < 3; i++) {
            List<ScheduleTrace> traces = new ArrayList<>();
            assertThatThrownBy(() -> DetRuns.runDet(Determinism.replaySteps(steps), lost, traces))
                    .isInstanceOf(GreenFailedException.class).hasRootCauseMessage(e.getCause().getMessage());
            assertThat(traces.getFirst().hash()).isEqualTo(e.trace().hash());
            assertThat(traces.getFirst().steps()).isEqualTo(e.trace().steps());
            assertThat(traces.getFirst().replayKey()).isEqualTo("v1:steps:" + e.replayKey().substring(e.replayKey().lastIndexOf(':') + 1));
        }
        // Also through Determinism.replay (the text is not a key, but replay hands it over), and wrapped.
        assertThat(Determinism.replay(steps)).isEqualTo(Determinism.replaySteps(steps));
        assertThatThrownBy(() -> DetRuns.runDet(Determinism.replaySteps(steps.replace(' ', '\n')), lost, null))
                .isInstanceOf(GreenFailedException.class);
    }

    @Test
    void anExplorationOfSavedStepsReplaysItsOwnFailure() {
        Callable<Integer> lost = () -> DetRuns.lostUpdateFails(2, 10);
        ScheduleFailedException found = catchThrowableOfType(ScheduleFailedException.class,
                () -> Exploration.of(lost).schedules(50).config(DetRuns.QUIET).run());
        Exploration saved = Exploration.of(lost).settings(Determinism.replaySteps(found.steps())).config(DetRuns.QUIET);
        ScheduleFailedException failed = catchThrowableOfType(ScheduleFailedException.class, saved::run);
        assertThat(failed).isNotNull();
        assertThat(failed.replayKey()).startsWith("v1:steps:0x");
        // Exploration.replay runs the failed schedule again: the same saved steps, the same failure.
        ScheduleFailedException again = saved.replay(failed);
        assertThat(again).isNotNull().hasRootCauseMessage(found.getCause().getMessage());
        assertThat(again.trace()).isEqualTo(failed.trace());
    }

    @Test
    void savedStepsSurviveAChangeThatDoesNotTouchTheSchedule() {
        String steps = recorded(Determinism.seed(7), workerWithPoints(3));
        // The same program with plain work added (logging, an assertion): the same steps.
        Callable<Integer> changed = () -> {
            StringBuilder log = new StringBuilder("start");
            int n = workerWithPoints(3).call();
            log.append(" end ").append(n);
            assertThat(log).hasToString("start end 3");
            return n;
        };
        List<ScheduleTrace> traces = new ArrayList<>();
        assertThat(DetRuns.runDet(Determinism.replaySteps(steps), changed, traces)).isEqualTo(3);
        assertThat(DetRuns.runDet(Determinism.seed(7), workerWithPoints(3), traces)).isEqualTo(3);
        assertThat(traces.get(0).hash()).isEqualTo(traces.get(1).hash());
        assertThat(traces.get(0).steps()).isEqualTo(traces.get(1).steps());
    }

    @Test
    void aChangedScheduleFailsAtTheFirstStepThatDiffersNamingBothSides() {
        String before = recorded(Determinism.seed(3).natural(), workerWithPoints(3));
        String after = recorded(Determinism.seed(3).natural(), workerWithPoints(4));
        String[] a = before.split(" ");
        String[] b = after.split(" ");
        int same = 0;
        while (same < a.length && same < b.length && a[same].equals(b[same])) {
            same++;
        }
        assertThat(same).isLessThan(a.length); // token 0 is the header: the steps differ somewhere
        long firstDifferent = same; // tokens are 1-based steps after the header

        NondeterminismException e = catchThrowableOfType(NondeterminismException.class,
                () -> DetRuns.runDet(Determinism.replaySteps(before), workerWithPoints(4), null));
        assertThat(e).isNotNull();
        assertThat(e.step()).isEqualTo(firstDifferent);
        assertThat(e.getMessage()).startsWith("[replay v1:steps:0x3]")
                .contains("the replay of saved steps diverged at step " + firstDifferent + ": recorded ")
                .contains("; found ")
                .contains("runnable [")
                .contains("last steps");
        // The replay of the unchanged program passes.
        assertThat(DetRuns.runDet(Determinism.replaySteps(before), workerWithPoints(3), null)).isEqualTo(3);
    }

    @Test
    void aRunThatGoesOnPastTheRecordingFailsWhereTheRecordingEnds() {
        String steps = recorded(Determinism.seed(4), workerWithPoints(3));
        String[] tokens = steps.split(" ");
        int kept = tokens.length - 1 - 3; // drop the last three steps
        String cut = String.join(" ", java.util.Arrays.copyOf(tokens, kept + 1));
        NondeterminismException e = catchThrowableOfType(NondeterminismException.class,
                () -> DetRuns.runDet(Determinism.replaySteps(cut), workerWithPoints(3), null));
        assertThat(e).isNotNull();
        assertThat(e.step()).isEqualTo(kept + 1);
        assertThat(e.getMessage()).contains("recorded nothing (the recording ends after " + kept + " steps)");
    }

    /** Counts the runs of {@link #flaky}: it starts one more thread on every other run. */
    private static int flakyRuns;

    private static Integer flaky() throws Exception {
        if (flakyRuns++ % 2 == 1) {
            Green.spawn(() -> { }).join(); // the program reads state the schedule does not control
        }
        return workerWithPoints(2).call();
    }

    @Test
    void replayingARunOnItsOwnStepsIsANondeterminismCheck() throws Exception {
        flakyRuns = 0;
        String steps = recorded(Determinism.seed(9), ReplayStepsTest::flaky);
        NondeterminismException e = catchThrowableOfType(NondeterminismException.class,
                () -> DetRuns.runDet(Determinism.replaySteps(steps), ReplayStepsTest::flaky, null));
        assertThat(e).isNotNull();
        assertThat(e.step()).isGreaterThan(1);
        assertThat(e.getMessage()).contains("diverged at step " + e.step());
        // A deterministic body passes the same check.
        String again = recorded(Determinism.seed(9), workerWithPoints(2));
        assertThat(DetRuns.runDet(Determinism.replaySteps(again).recordSteps(true), workerWithPoints(2), null))
                .isEqualTo(2);
        try (Verdant rt = Verdant.deterministic(DetRuns.QUIET, Determinism.replaySteps(again).recordSteps(true))) {
            rt.run(workerWithPoints(2));
            assertThat(rt.steps()).isEqualTo(again);
        }
    }

    @Test
    void theTextFormIsCheckedAndTheSettingsKeepTheSteps() {
        String steps = "v1:steps:0x2A 0/0 0=1 1/1";
        Determinism d = Determinism.replaySteps(steps);
        assertThat(d.strategy()).isEqualTo("steps");
        assertThat(d.seedValue()).isEqualTo(0x2A);
        assertThat(d.replayKey()).isEqualTo("v1:steps:0x2A");
        assertThat(d.replayedSteps()).isEqualTo(steps);
        assertThat(d.withSeed(5).replayedSteps()).isEqualTo(steps);
        assertThat(Determinism.replaySteps("v1:steps:0x2A:lenient\n 0/0").isLenient()).isTrue();
        assertThat(Determinism.seed(1).replayedSteps()).isNull();
        assertThatThrownBy(() -> Determinism.replaySteps("v1:steps:0x2A")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds no step");
        assertThatThrownBy(() -> Determinism.replay("v1:steps:0x2A")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds no step");
        assertThatThrownBy(() -> Determinism.replaySteps("v1:random:0x2A 0/0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("v1:steps:0x");
        assertThatThrownBy(() -> Determinism.replaySteps("v1:steps:0x2A 0/1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not in its runnable set");
        assertThatThrownBy(() -> Determinism.replaySteps("v1:steps:0x2A 0:0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("step 1");
        assertThatThrownBy(() -> Determinism.replaySteps(null)).isInstanceOf(NullPointerException.class);
        try (Verdant rt = Verdant.deterministic(DetRuns.QUIET, Determinism.seed(1))) {
            rt.run(() -> 1);
            assertThatThrownBy(rt::steps).isInstanceOf(IllegalStateException.class).hasMessageContaining("recordSteps");
        }
    }
}
