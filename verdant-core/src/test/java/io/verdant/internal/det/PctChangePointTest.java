package io.verdant.internal.det;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PCT's change points: one that falls on a step with no alternative (a
 * scheduling point with nothing else runnable, which the scheduler does not
 * even show the strategy, or a dispatch of the only runnable task) is deferred
 * to the next step that has one, and lowers the task that runs there. Before,
 * such a change point was skipped (or spent on the lone task), and a run had
 * fewer than depth - 1 effective change points.
 */
@Timeout(60)
class PctChangePointTest {
    private static final long K = 10;

    private static DetTask task(long id, long priority) {
        DetTask t = new DetTask(null, null, () -> { });
        t.id = id;
        t.priority = priority;
        return t;
    }

    /** The step of PCT(2)'s only change point for {@code seed}: the strategy's first draw. */
    private static long changeStep(long seed) {
        return 1 + new SplittableRandom(seed).nextLong(K);
    }

    @Test
    void aChangePointOnADispatchOfTheOnlyRunnableTaskIsDeferredToTheNextChoice() {
        for (long seed = 0; seed < 50; seed++) {
            SplittableRandom rng = new SplittableRandom(seed);
            DetStrategy pct = new DetStrategy.Pct(2, K, rng);
            long c = changeStep(seed);
            DetTask lone = task(0, 100);
            DetTask a = task(1, 90);
            DetTask b = task(2, 80);
            for (long s = 1; s <= c; s++) {
                assertThat(pct.pick(List.of(lone), s, rng)).isZero();
            }
            assertThat(lone.priority).as("seed %d: no alternative at step %d, the lone task keeps its priority", seed, c)
                    .isEqualTo(100);
            // Step c + 1: a's scheduling point with b runnable, the first step with an alternative.
            assertThat(pct.switchAtPoint(a, List.of(b), c + 1, rng)).as("seed %d: a is lowered and gives way", seed)
                    .isTrue();
            assertThat(a.priority).isLessThan(b.priority);
        }
    }

    @Test
    void aChangePointOnAPointWithNothingElseRunnableIsDeferredToTheNextChoice() {
        for (long seed = 0; seed < 50; seed++) {
            SplittableRandom rng = new SplittableRandom(seed);
            DetStrategy pct = new DetStrategy.Pct(2, K, rng);
            long c = changeStep(seed);
            DetTask lone = task(0, 100);
            DetTask a = task(1, 90);
            DetTask b = task(2, 80);
            for (long s = 1; s < c; s++) {
                assertThat(pct.pick(List.of(lone), s, rng)).isZero();
            }
            // Step c: a scheduling point of the lone task with nothing else runnable: the scheduler
            // records it without asking the strategy (DetScheduler.point).
            // Step c + 1: a dispatch with a choice: the highest task, a, is lowered; b runs.
            assertThat(pct.pick(new ArrayList<>(List.of(a, b)), c + 1, rng)).as("seed %d", seed).isEqualTo(1);
        }
    }

    @Test
    void withSeveralChangePointsEachStepWithAnAlternativeTakesOneInTurn() {
        SplittableRandom draws = new SplittableRandom(7);
        DetStrategy pct = new DetStrategy.Pct(4, 1, draws); // k = 1: all three change points fall on step 1
        DetTask a = task(1, 100);
        DetTask b = task(2, 90);
        DetTask c = task(3, 80);
        List<DetTask> all = List.of(a, b, c);
        // Step 1: a is lowered (below every initial priority); b is the highest now.
        assertThat(pct.pick(all, 1, draws)).isEqualTo(1);
        // Step 2: the second change point lowers b further than a; c runs.
        assertThat(pct.pick(all, 2, draws)).isEqualTo(2);
        // Step 3: the third lowers c below both; a (the highest of the lowered) runs.
        assertThat(pct.pick(all, 3, draws)).isEqualTo(0);
        assertThat(a.priority).isGreaterThan(b.priority);
        assertThat(b.priority).isGreaterThan(c.priority);
    }

    @Test
    void theSameSeedMakesTheSameChoices() {
        for (long seed = 0; seed < 20; seed++) {
            assertThat(choices(seed)).isEqualTo(choices(seed));
        }
    }

    /** A mixed sequence of steps, alone and with alternatives, under PCT(3). */
    private static List<Integer> choices(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        DetStrategy pct = new DetStrategy.Pct(3, 30, rng);
        List<DetTask> tasks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            DetTask t = task(i, 0);
            pct.admitted(t, rng);
            tasks.add(t);
        }
        List<Integer> out = new ArrayList<>();
        SplittableRandom shape = new SplittableRandom(99);
        for (long s = 1; s <= 40; s++) {
            int n = 1 + shape.nextInt(tasks.size());
            List<DetTask> runnable = tasks.subList(0, n);
            out.add(pct.pick(runnable, s, rng));
        }
        return out;
    }
}
