package io.verdant.internal.sched;

/**
 * The rule that sets a carrier's next spin phase from the outcome of its last
 * one (Scheduler, "Adaptive spin"): pure functions of owner-only state kept in
 * the carrier ({@code Worker.spinBudget}, {@code Worker.spinCredit}), called by
 * that carrier at the end of a search that spun.
 *
 * <pre>
 * What a spin is for
 *   A spin that finds work saves the carrier a park and a wake-up: its own
 *   futex wait and switch, a producer's signalWork (idle-list lock and a futex
 *   wake), the woken carrier's search. A spin that expires saves nothing. So a
 *   spin pays only while the spin time spent per find stays below what a park
 *   round trip costs (FIND_WORTH_NANOS), wherever in the budget finds fall.
 *
 * Credit (owner only, nanoseconds; clamped to [-CREDIT_CAP, CREDIT_CAP])
 *   Every spin phase debits the time it spun; a phase that found work is also
 *   credited FIND_WORTH_NANOS. The clamp keeps the memory short: after a change
 *   of workload a few phases turn the sign.
 *
 * Budget (between SPIN_FLOOR_NANOS and the scheduler's spinNanos)
 *   expired                  1/8 shorter (17 expiries in a row take 20 us to the floor)
 *   found, credit >= 0       twice as long
 *   found, credit < 0        unchanged: that find cost more spin than it saved
 *   Without the credit (-Dverdant.spinCredit=false, the rule of before) every
 *   find doubled the budget, so the budget stayed at the top while more than
 *   ~16 % of spins found work, however late: under wrk -t2 -c100 (2 workers)
 *   24 % of 10.7 us spins found work, 44 us of spin per find, and the spin was
 *   0.21 us of the server's carrier CPU per request (perf; BENCHMARKS.md, http).
 *   A spawn burst finds its work within a pass or two (well under
 *   FIND_WORTH_NANOS): the credit stays positive and the budget at the top.
 * </pre>
 */
final class SpinBudget {
    /**
     * What a find is worth: the CPU a park round trip would have cost. A bare
     * park-and-unpark hand-off between two platform threads took 0.9-1.1 us of
     * CPU on the 2-core VM of BENCHMARKS.md (loaded, indicative); a carrier's
     * park adds the idle-list bookkeeping on both sides and the woken carrier's
     * search. 4 us: rounded up, so the rule errs towards spinning. Chosen, not tuned.
     */
    static final long FIND_WORTH_NANOS = 4_000;
    /** The credit's bound either way: two of the longest spins. Chosen, not tuned. */
    static final long CREDIT_CAP = 2 * Scheduler.SPIN_NANOS;
    /**
     * False only with {@code -Dverdant.spinCredit=false}: every find doubles the
     * budget, as before the credit (a benchmarking switch, not an API: one jar is
     * measured both ways). Read once, at class initialisation.
     */
    static final boolean CREDIT = !"false".equalsIgnoreCase(System.getProperty("verdant.spinCredit"));

    private SpinBudget() {
    }

    /**
     * The carrier's credit after a spin phase.
     *
     * @param credit the credit before it
     * @param spun   how long the phase spun, in nanoseconds (the runtime's clock)
     * @param found  whether it found work
     * @return the new credit, clamped
     */
    static long credit(long credit, long spun, boolean found) {
        long c = credit - Math.max(0, spun) + (found ? FIND_WORTH_NANOS : 0);
        return Math.max(-CREDIT_CAP, Math.min(CREDIT_CAP, c));
    }

    /**
     * The carrier's next spin budget.
     *
     * @param length the budget of the phase that just ended
     * @param credit the credit after it ({@link #credit})
     * @param found  whether it found work
     * @param max    the longest spin in force (the scheduler's spinNanos)
     * @return the next budget, at least {@link Scheduler#SPIN_FLOOR_NANOS} (at most
     *         {@code max}, unless {@code max} is below the floor)
     */
    static long next(long length, long credit, boolean found, long max) {
        if (!found) {
            return Math.max(Scheduler.SPIN_FLOOR_NANOS, length - (length >> 3));
        }
        if (credit >= 0 || !CREDIT) {
            return Math.min(max, length << 1);
        }
        return length;
    }
}
