package io.verdant.test;

/**
 * How {@link VerdantTest} chooses, at every scheduling point of a schedule,
 * which green thread runs next. Each schedule is one seed; the strategy turns
 * the seed into choices.
 */
public enum Strategy {
    /**
     * Uniform among the runnable green threads at every step (and a random
     * chance to switch at a non-blocking Verdant operation). The default: good
     * at bugs that need one or two unlucky switches.
     */
    RANDOM,
    /**
     * Probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010):
     * random priorities per green thread, and {@code depth - 1} points of the
     * schedule where the running thread's priority drops below all others. A
     * bug that needs {@code depth} specific orderings among many steps is
     * found with a probability per schedule that does not shrink with the
     * number of threads the way {@link #RANDOM}'s does. The depth is
     * {@link VerdantTest#depth()}.
     */
    PCT,
    /**
     * No exploration: the first submitted green thread runs first and a thread
     * runs until it blocks, yields or ends, as one Verdant worker would run it.
     * A reproducible order with virtual time; one schedule is enough.
     */
    NATURAL
}
