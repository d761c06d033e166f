package io.verdant.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PairedRatioTest {
    @Test
    void coverageIsTheBinomialOrderStatisticProbability() {
        assertThat(PairedRatio.coverage(5, 1)).isCloseTo(1 - 2.0 / 32, within(1e-12));
        assertThat(PairedRatio.coverage(9, 2)).isCloseTo(1 - 2 * 10.0 / 512, within(1e-12));
        assertThat(PairedRatio.coverage(9, 3)).isCloseTo(1 - 2 * 46.0 / 512, within(1e-12));
        assertThat(PairedRatio.coverage(1, 1)).isZero();
    }

    @Test
    void nineRoundsGiveTheSecondSmallestAndSecondLargestRatio() {
        double[] a = {10, 20, 30, 40, 50, 60, 70, 80, 90};
        double[] b = {10, 10, 10, 10, 10, 10, 10, 10, 10};
        PairedRatio p = PairedRatio.of(a, b);
        assertThat(p.n()).isEqualTo(9);
        assertThat(p.median()).isEqualTo(5.0);
        assertThat(p.low()).isEqualTo(2.0);
        assertThat(p.high()).isEqualTo(8.0);
        assertThat(p.coverage()).isGreaterThanOrEqualTo(PairedRatio.COVERAGE);
    }

    @Test
    void fiveRoundsGiveTheExtremesWithTheirOwnCoverage() {
        PairedRatio p = PairedRatio.of(new double[] {3, 1, 2, 5, 4}, new double[] {1, 1, 1, 1, 1});
        assertThat(p.low()).isEqualTo(1.0);
        assertThat(p.high()).isEqualTo(5.0);
        assertThat(p.coverage()).isCloseTo(0.9375, within(1e-12));
        assertThat(p.describe()).isEqualTo("median of 5 round ratios 3.000, [1.000, 5.000] (93 % interval)");
    }

    @Test
    void ratiosArePairedRoundByRoundNotSortedSideBySide() {
        // Each round b moves with a (a shared slow period): the pairs divide it out.
        double[] a = {110, 220, 330, 440, 550, 660, 770};
        double[] b = {100, 200, 300, 400, 500, 600, 700};
        PairedRatio p = PairedRatio.of(a, b);
        assertThat(p.low()).isCloseTo(1.1, within(1e-12));
        assertThat(p.high()).isCloseTo(1.1, within(1e-12));
        assertThat(p.verdict("<=", 1.15)).isEqualTo("met");
        assertThat(p.verdict("<=", 1.05)).isEqualTo("MISSED");
    }

    @Test
    void withSeveralForksTheSamplesAreTheForksMedians() {
        // Three forks of three rounds: each fork's rounds agree, the forks differ (a JVM effect).
        double[] a = {1.0, 1.0, 1.0, 1.2, 1.2, 1.2, 0.9, 0.9, 0.9};
        double[] b = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        PairedRatio p = PairedRatio.of(a, b, 3);
        assertThat(p.n()).isEqualTo(3);
        assertThat(p.forks()).isTrue();
        assertThat(p.median()).isEqualTo(1.0);
        assertThat(p.low()).isEqualTo(0.9);
        assertThat(p.high()).isEqualTo(1.2);
        assertThat(p.coverage()).isCloseTo(0.75, within(1e-12));
        assertThat(p.describe()).startsWith("median of 3 fork ratios 1.000, [0.900, 1.200] (75 % interval)");
        // The same nine values as rounds of one JVM would claim far more certainty.
        assertThat(PairedRatio.of(a, b).forks()).isFalse();
        assertThat(PairedRatio.of(a, b).coverage()).isGreaterThan(0.95);
        assertThatThrownBy(() -> PairedRatio.of(a, b, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whole forks");
    }

    @Test
    void anIntervalAcrossTheTargetIsUnresolvedBothWays() {
        PairedRatio p = PairedRatio.of(new double[] {0.9, 1.0, 1.1, 1.2, 0.95, 1.05, 1.15},
                new double[] {1, 1, 1, 1, 1, 1, 1});
        assertThat(p.verdict("<=", 1.0)).isEqualTo("unresolved");
        assertThat(p.verdict(">=", 1.0)).isEqualTo("unresolved");
        assertThat(p.verdict(">=", 0.8)).isEqualTo("met");
        assertThat(p.verdict(">=", 1.5)).isEqualTo("MISSED");
        assertThat(p.verdict("<=", 1.5)).isEqualTo("met");
        assertThat(p.verdict("<=", 0.5)).isEqualTo("MISSED");
    }

    @Test
    void badInputIsRefusedWithTheReason() {
        assertThatThrownBy(() -> PairedRatio.of(new double[] {1, 2}, new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same number of rounds");
        assertThatThrownBy(() -> PairedRatio.of(new double[0], new double[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PairedRatio.of(new double[] {1, 0}, new double[] {1, 1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("round 1");
        assertThat(PairedRatio.pairable(new double[] {1, 2}, new double[] {1})).isFalse();
        assertThat(PairedRatio.pairable(new double[] {1, 0}, new double[] {1, 1})).isFalse();
        assertThat(PairedRatio.pairable(new double[] {1, Double.NaN}, new double[] {1, 1})).isFalse();
        assertThat(PairedRatio.pairable(new double[] {1, 2}, new double[] {1, 1})).isTrue();
        assertThatThrownBy(() -> PairedRatio.of(new double[] {1}, new double[] {1}).verdict("<", 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aComparisonPrintsAPairedNoteBesideEachRatio() throws Exception {
        AtomicInteger aCalls = new AtomicInteger();
        AtomicInteger bCalls = new AtomicInteger();
        Harness h = new Harness() {
            @Override
            public String name() {
                return "paired-test";
            }

            @Override
            public String description() {
                return "two fake systems";
            }

            @Override
            protected int defaultWarmups() {
                return 0;
            }

            @Override
            protected List<Entry> entries() {
                // a is twice b in every round, while both drift together.
                return List.of(
                        local("a", "t", "a", 1, "ms", List.of(), () -> () -> 2.0 * (1 + aCalls.getAndIncrement() % 3)),
                        local("b", "t", "b", 1, "ms", List.of(), () -> () -> 1.0 * (1 + bCalls.getAndIncrement() % 3)));
            }

            @Override
            protected void summarize(Report report, Map<String, Double> m) {
                ratios(report, "a/b", m, "a", "b", "<=", 1.0);
                plainRatio(report, "b/a", m, "b", "a");
            }
        };
        String text = printed(() -> h.run(new Report()));
        // The medians' ratio is 2 too, but the drift (1, 2, 3) would spread unpaired ratios.
        assertThat(text).contains("# ratio a/b = 2.000 (target <= 1: MISSED)");
        assertThat(text).contains("# paired a/b: median of 5 round ratios 2.000, [2.000, 2.000] (93 % interval): MISSED");
        // A ratio without a target gets its interval and no verdict.
        assertThat(text).contains("# paired b/a: median of 5 round ratios 0.500, [0.500, 0.500] (93 % interval)\n");
        // Outside summarize no rounds are kept, so nothing is paired.
        assertThat(printed(() -> Harness.paired(new Report(), "x", "a", "b", "<=", 1.0))).isEmpty();
    }

    interface Action {
        void run() throws Exception;
    }

    private static String printed(Action action) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
