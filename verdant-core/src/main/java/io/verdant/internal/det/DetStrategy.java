package io.verdant.internal.det;

import java.util.SplittableRandom;

/**
 * How a deterministic runtime chooses who runs next. Implementations read
 * only the seeded random source they are given and the size of the runnable
 * set, which the {@link DetScheduler} keeps in submission order, so a choice
 * depends on nothing but the seed and the history of the schedule.
 * Carrier thread only.
 */
public interface DetStrategy {
    /**
     * Picks the index of the next task to run.
     *
     * @param runnable how many tasks can run, at least 1
     * @param rng the schedule's seeded random source
     * @return an index in {@code [0, runnable)}
     */
    int pick(int runnable, SplittableRandom rng);

    /**
     * At a scheduling point of a running green thread (a Verdant operation that
     * does not block): whether it should give up the carrier.
     *
     * @param others how many other tasks can run, at least 1
     * @param rng the schedule's seeded random source
     * @return true to switch (the current thread yields)
     */
    boolean switchAtPoint(int others, SplittableRandom rng);

    /** Uniform among the runnable tasks; at a point, switch with probability others/(others+1). */
    DetStrategy RANDOM = new DetStrategy() {
        @Override
        public int pick(int runnable, SplittableRandom rng) {
            return rng.nextInt(runnable);
        }

        @Override
        public boolean switchAtPoint(int others, SplittableRandom rng) {
            return rng.nextInt(others + 1) != 0;
        }
    };

    /** First submitted first (FIFO); a thread runs until it blocks, yields or ends. */
    DetStrategy NATURAL = new DetStrategy() {
        @Override
        public int pick(int runnable, SplittableRandom rng) {
            return 0;
        }

        @Override
        public boolean switchAtPoint(int others, SplittableRandom rng) {
            return false;
        }
    };
}
