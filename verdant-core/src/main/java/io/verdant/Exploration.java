package io.verdant;

import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Runs a body under many deterministic schedules, one fresh deterministic
 * runtime per schedule ({@link Verdant#deterministic(Config, Determinism)}),
 * with seeds {@code seedBase, seedBase + 1, ...}, and stops at the first
 * schedule that fails. The failure names the schedule's replay key, so the
 * failing run can be repeated with {@link Determinism#replay(String)}.
 *
 * <pre>{@code
 * int runs = Exploration.of(() -> {
 *     int[] counter = new int[1];
 *     var a = Green.spawn(() -> { int v = counter[0]; Green.checkpoint(); counter[0] = v + 1; });
 *     var b = Green.spawn(() -> { int v = counter[0]; Green.checkpoint(); counter[0] = v + 1; });
 *     a.join();
 *     b.join();
 *     return counter[0];
 * }).schedules(100).run();
 * }</pre>
 *
 * <p>Without an assertion the body above never fails; the body is expected to
 * throw (for example an {@link AssertionError}) when it sees a wrong result.
 * The strategy is {@code random}; other strategies are not built yet.
 */
public final class Exploration {
    private final Callable<?> body;
    private int schedules = 100;
    private long seedBase;
    private Config config = Config.defaults();

    private Exploration(Callable<?> body) {
        this.body = body;
    }

    /**
     * An exploration of {@code body}, which runs as the root green thread of each schedule.
     *
     * @param body the code under test; it signals a bug by throwing
     * @return the exploration (100 schedules from seed 0 unless changed)
     * @throws NullPointerException if {@code body} is null
     */
    public static Exploration of(Callable<?> body) {
        return new Exploration(Objects.requireNonNull(body, "body"));
    }

    /**
     * Sets how many schedules to run at most.
     *
     * @param count the number of schedules, at least 1
     * @return this exploration
     * @throws IllegalArgumentException if {@code count} is less than 1
     */
    public Exploration schedules(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("schedules must be at least 1, was " + count);
        }
        this.schedules = count;
        return this;
    }

    /**
     * Sets the seed of the first schedule; schedule {@code i} uses {@code seedBase + i}.
     *
     * @param seedBase the first seed
     * @return this exploration
     */
    public Exploration seedBase(long seedBase) {
        this.seedBase = seedBase;
        return this;
    }

    /**
     * Sets the settings of each schedule's runtime (its workers and time slice are ignored).
     *
     * @param config the runtime settings
     * @return this exploration
     * @throws NullPointerException if {@code config} is null
     */
    public Exploration config(Config config) {
        this.config = Objects.requireNonNull(config, "config");
        return this;
    }

    /**
     * Runs the schedules in seed order until one fails.
     *
     * @return the number of schedules run (all of them passed)
     * @throws ScheduleFailedException for the first schedule that failed: its
     *         message starts with the replay key; the body's own failure, if it
     *         threw, is the cause; a {@link DeadlockException} if the schedule
     *         deadlocked
     */
    public int run() {
        for (int i = 0; i < schedules; i++) {
            Determinism d = Determinism.seed(seedBase + i);
            try (Verdant rt = Verdant.deterministic(config, d)) {
                try {
                    rt.run(body);
                } catch (GreenFailedException e) {
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    throw new ScheduleFailedException("schedule " + (i + 1) + " of " + schedules + " failed: " + cause,
                            rt.trace(), cause);
                }
            }
        }
        return schedules;
    }
}
