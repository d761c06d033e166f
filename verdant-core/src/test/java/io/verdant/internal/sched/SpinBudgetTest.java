package io.verdant.internal.sched;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The spin credit (SpinBudget; Scheduler, "Adaptive spin"), phase by phase:
 * spins that find work late, as under wrk (24 % of spins found work, late in
 * 20 us budgets), go down to the floor, where the rule before the credit kept
 * them at the top; spins that find work at once (a spawn burst) still climb to
 * the top from the floor, even from the lowest credit.
 */
@Timeout(10)
class SpinBudgetTest {
    private static final long MAX = Scheduler.SPIN_NANOS;

    /** The rule before the credit: every find doubles the budget. */
    private static long before(long length, boolean found) {
        return found ? Math.min(MAX, length << 1) : Math.max(Scheduler.SPIN_FLOOR_NANOS, length - (length >> 3));
    }

    @Test
    void spinsThatFindWorkLateGoToTheFloor() {
        long budget = MAX;
        long credit = 0;
        long old = MAX;
        for (int phase = 0; phase < 400; phase++) {
            boolean found = phase % 4 == 3; // one spin in four finds work, three quarters into it
            long spun = found ? budget - budget / 4 : budget;
            credit = SpinBudget.credit(credit, spun, found);
            budget = SpinBudget.next(budget, credit, found, MAX);
            old = before(old, found);
        }
        assertThat(budget).as("budget with the credit").isEqualTo(Scheduler.SPIN_FLOOR_NANOS);
        assertThat(credit).as("credit").isLessThan(0);
        // The same phases under the rule before: the finds held the budget near the top.
        assertThat(old).as("budget by the rule before").isGreaterThanOrEqualTo(MAX / 2);
    }

    @Test
    void atTheFloorLateFindsDoNotGrowTheBudget() {
        long budget = Scheduler.SPIN_FLOOR_NANOS;
        long credit = -SpinBudget.CREDIT_CAP;
        for (int phase = 0; phase < 400; phase++) {
            boolean found = phase % 4 == 0; // one in four, at the end of the floor's spin
            credit = SpinBudget.credit(credit, budget, found);
            budget = SpinBudget.next(budget, credit, found, MAX);
            assertThat(budget).as("budget at phase %d", phase).isEqualTo(Scheduler.SPIN_FLOOR_NANOS);
        }
    }

    @Test
    void spinsThatFindWorkAtOnceClimbToTheTopFromTheLowestCredit() {
        long budget = Scheduler.SPIN_FLOOR_NANOS;
        long credit = -SpinBudget.CREDIT_CAP;
        int phases = 0;
        while (budget < MAX && phases < 100) {
            credit = SpinBudget.credit(credit, 300, true); // a spawn found within a pass
            budget = SpinBudget.next(budget, credit, true, MAX);
            phases++;
        }
        assertThat(budget).isEqualTo(MAX);
        // CREDIT_CAP / (FIND_WORTH_NANOS - 300) finds to turn the credit, then log2(MAX / floor) doublings.
        assertThat(phases).as("phases to the top").isLessThanOrEqualTo(
                (int) (SpinBudget.CREDIT_CAP / (SpinBudget.FIND_WORTH_NANOS - 300)) + 1 + 4);
    }

    @Test
    void creditIsClampedAndAnExpiryAlwaysShortens() {
        assertThat(SpinBudget.credit(0, 10 * MAX, false)).isEqualTo(-SpinBudget.CREDIT_CAP);
        long c = 0;
        for (int i = 0; i < 1_000; i++) {
            c = SpinBudget.credit(c, 0, true);
        }
        assertThat(c).isEqualTo(SpinBudget.CREDIT_CAP);
        assertThat(SpinBudget.next(MAX, SpinBudget.CREDIT_CAP, false, MAX)).isEqualTo(MAX - MAX / 8);
        assertThat(SpinBudget.next(Scheduler.SPIN_FLOOR_NANOS, 0, false, MAX)).isEqualTo(Scheduler.SPIN_FLOOR_NANOS);
        assertThat(SpinBudget.credit(0, -5, false)).as("a clock that stepped back debits nothing").isZero();
    }
}
