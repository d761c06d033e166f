package io.verdant.internal.det;

import io.verdant.Determinism;

import java.util.List;
import java.util.SplittableRandom;

/**
 * How a deterministic runtime chooses who runs next. Implementations read
 * only the seeded random source they are given, the runnable set (kept by the
 * {@link DetScheduler} in submission order) and state of their own, so a
 * choice depends on nothing but the seed and the history of the schedule.
 * One instance per run. Carrier only.
 */
abstract class DetStrategy {
    /**
     * Picks the index of the next task to run.
     *
     * @param runnable the runnable tasks, at least one, in submission order
     * @param step the number of this step (1-based)
     * @param rng the schedule's seeded random source
     * @return an index in {@code [0, runnable.size())}
     */
    abstract int pick(List<DetTask> runnable, long step, SplittableRandom rng);

    /**
     * At a scheduling point of the running task {@code current} (a Verdant
     * operation that does not block): whether it should give up the carrier.
     *
     * @param current the running task
     * @param runnable the other runnable tasks, at least one
     * @param step the number of this step (1-based)
     * @param rng the schedule's seeded random source
     * @return true to switch (the current thread yields)
     */
    abstract boolean switchAtPoint(DetTask current, List<DetTask> runnable, long step, SplittableRandom rng);

    /** A task is admitted for the first time (it has its id now). */
    void admitted(DetTask t, SplittableRandom rng) {
    }

    /**
     * The bodies started from outside have all ended at step {@code step}: later
     * steps race the closer and are not part of the schedule.
     */
    void bodyEnded(long step) {
    }

    /**
     * Where a replay of saved steps first differed from its recording, or null
     * (always null for the strategies that choose by themselves). Read by the
     * scheduler after each pick and point, which fails the run with it.
     */
    String divergence() {
        return null;
    }

    static DetStrategy of(Determinism d, SplittableRandom rng) {
        String steps = d.replayedSteps();
        if (steps != null) {
            return new Replay(StepScript.parse(steps));
        }
        if (d.pctDepth() > 0) {
            return new Pct(d.pctDepth(), d.expectedSteps(), rng);
        }
        return d.strategy().equals("natural") ? NATURAL : RANDOM;
    }

    /** Uniform among the runnable tasks; at a point, switch with probability others/(others+1). */
    static final DetStrategy RANDOM = new DetStrategy() {
        @Override
        int pick(List<DetTask> runnable, long step, SplittableRandom rng) {
            return rng.nextInt(runnable.size());
        }

        @Override
        boolean switchAtPoint(DetTask current, List<DetTask> runnable, long step, SplittableRandom rng) {
            int others = runnable.size();
            return rng.nextInt(others + 1) != 0;
        }
    };

    /** First submitted first (FIFO); a thread runs until it blocks, yields or ends. */
    static final DetStrategy NATURAL = new DetStrategy() {
        @Override
        int pick(List<DetTask> runnable, long step, SplittableRandom rng) {
            return 0;
        }

        @Override
        boolean switchAtPoint(DetTask current, List<DetTask> runnable, long step, SplittableRandom rng) {
            return false;
        }
    };

    /**
     * PCT (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010). Every task
     * gets a random priority when first admitted, above {@code depth}; the
     * highest-priority runnable task runs (at a point, the running task switches
     * only if a runnable one has a higher priority). {@code depth - 1} change
     * points are drawn uniformly (with replacement, as in the paper) from
     * {@code [1, k]}, {@code k} the expected number of steps; at the i-th
     * change point (in step order) the task about to run or running gets
     * priority {@code depth - 1 - i}, below every initial priority, so it runs
     * again only when nothing of higher priority can. Steps count dispatches
     * and points alike.
     *
     * <p>Deferred change points. A change point acts only at a step with an
     * alternative: a dispatch with more than one runnable task, or a
     * scheduling point with another task runnable. A step without one (the
     * only runnable task dispatched, or a point with nothing else runnable,
     * which the scheduler records without asking the strategy) cannot change
     * the order, so a change point that falls there, or several that fall on
     * one step, wait: each later step with an alternative applies the earliest
     * pending one, one per step, in order. Before, such a change point was
     * spent on the lone task or skipped, and a run had fewer than
     * {@code depth - 1} change points that could act, which weakened PCT's
     * bound for bugs of that depth (PctChangePointTest). Deferral depends only
     * on the steps (which the seed decides), so the same seed still gives the
     * same schedule.
     */
    static final class Pct extends DetStrategy {
        private final int depth;
        /** Sorted change points (step numbers); next is the index of the next one not yet passed. */
        private final long[] changes;
        private int next;

        Pct(int depth, long k, SplittableRandom rng) {
            this.depth = depth;
            this.changes = new long[depth - 1];
            for (int i = 0; i < changes.length; i++) {
                changes[i] = 1 + rng.nextLong(k);
            }
            java.util.Arrays.sort(changes);
        }

        @Override
        void admitted(DetTask t, SplittableRandom rng) {
            // 62 random bits above depth: distinct with overwhelming probability; ties go to the lower index.
            t.priority = depth + 1 + (rng.nextLong() >>> 2);
        }

        /**
         * At a step with an alternative: lowers {@code t} for the earliest pending change
         * point, if one is due (at this step or deferred from a step without an
         * alternative; see "Deferred change points"). One per step.
         *
         * @return true if {@code t} was lowered
         */
        private boolean change(DetTask t, long step) {
            if (next < changes.length && changes[next] <= step) {
                t.priority = depth - 1 - next;
                next++;
                return true;
            }
            return false;
        }

        private static int highest(List<DetTask> runnable) {
            int best = 0;
            long bp = runnable.get(0).priority;
            for (int i = 1, n = runnable.size(); i < n; i++) {
                long p = runnable.get(i).priority;
                if (p > bp) {
                    bp = p;
                    best = i;
                }
            }
            return best;
        }

        @Override
        int pick(List<DetTask> runnable, long step, SplittableRandom rng) {
            if (runnable.size() == 1) {
                return 0; // no alternative: a change point due now waits for one
            }
            int i = highest(runnable);
            if (change(runnable.get(i), step)) {
                i = highest(runnable);
            }
            return i;
        }

        @Override
        boolean switchAtPoint(DetTask current, List<DetTask> runnable, long step, SplittableRandom rng) {
            // The scheduler asks only when another task is runnable: an alternative.
            change(current, step);
            return runnable.get(highest(runnable)).priority > current.priority;
        }
    }

    /**
     * The replay of saved steps ({@link StepScript}): at each step it makes the
     * recorded choice, after checking that the step is of the recorded kind (a
     * dispatch or a point of the same task) and that the runnable set holds the
     * same task ids in the same order. The first difference, a run that goes on
     * past the recording, or a body that ends before it, is reported through
     * {@link #divergence()}; from then on (and after the body has ended) it
     * behaves as {@code natural}, so the run can be wound up and closed.
     */
    static final class Replay extends DetStrategy {
        private final StepScript script;
        private String divergence;
        private boolean off;

        Replay(StepScript script) {
            this.script = script;
        }

        @Override
        String divergence() {
            return divergence;
        }

        private void diverge(long step, String found) {
            int i = (int) (step - 1);
            divergence = "the replay of saved steps diverged at step " + step + ": recorded "
                    + (i < script.size() ? script.describe(i) : "nothing (the recording ends after " + script.size()
                    + " steps)") + "; found " + found;
            off = true;
        }

        private static String set(List<DetTask> runnable) {
            StringBuilder sb = new StringBuilder("[");
            for (int j = 0; j < runnable.size(); j++) {
                sb.append(j > 0 ? " #" : "#").append(runnable.get(j).id);
            }
            return sb.append(']').toString();
        }

        @Override
        int pick(List<DetTask> runnable, long step, SplittableRandom rng) {
            if (off) {
                return 0;
            }
            int i = (int) (step - 1);
            if (i >= script.size() || script.type(i) != StepLog.DISPATCH || !script.sameSet(i, runnable)) {
                diverge(step, "a dispatch, runnable " + set(runnable));
                return 0;
            }
            long want = script.task(i);
            for (int j = 0, n = runnable.size(); j < n; j++) {
                if (runnable.get(j).id == want) {
                    return j;
                }
            }
            throw new AssertionError("StepScript.parse checks that a dispatched task is in its set");
        }

        @Override
        boolean switchAtPoint(DetTask current, List<DetTask> runnable, long step, SplittableRandom rng) {
            if (off) {
                return false;
            }
            int i = (int) (step - 1);
            if (i >= script.size() || script.type(i) == StepLog.DISPATCH || script.task(i) != current.id
                    || !script.sameSet(i, runnable)) {
                diverge(step, "a scheduling point of #" + current.id + " " + current.name() + " at " + current.kind
                        + ", runnable " + set(runnable));
                return false;
            }
            return script.type(i) == StepLog.SWITCH;
        }

        @Override
        void bodyEnded(long step) {
            if (!off && step < script.size()) {
                diverge(step + 1, "the end of the body (it ended after " + step + " steps)");
            }
            off = true;
        }
    }
}
