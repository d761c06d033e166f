package io.verdant.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * The ratio of two entries taken round by round, with a distribution-free
 * interval for its median, so that a verdict can say "unresolved" where the
 * machine's noise is larger than the distance to the target.
 *
 * <pre>
 * Pairing
 *   Round r of every entry ran in the same pass of the harness's round loop
 *   (same fork, one after the other), so a[r] / b[r] compares two figures taken
 *   seconds apart: noise that lasts longer than a round (a neighbour on the
 *   shared cores, the host's memory traffic) divides out, noise within a round
 *   does not. The interval is for the median of these ratios, which is close
 *   to, but not the same as, the ratio of the two medians the table quotes.
 *
 * Samples: rounds with one fork, forks with several
 *   Rounds of one JVM are not independent: what the JIT compiled and where the
 *   heap put things hold for all of them (metrics-cost at pingpong 2 workers,
 *   seven forks: per-fork ratios 0.95-1.11, rounds within a fork much closer).
 *   So with several forks (bench.forks) the samples are the forks: each fork's
 *   median of its round ratios, and the interval says how far a new JVM may
 *   land. With one fork the samples are its rounds, and the interval holds
 *   for that JVM's compiled code only ("round ratios" in the note says which).
 *
 * Interval (order statistics; no distribution assumed)
 *   With n samples sorted, [r(j), r(n+1-j)] (1-based) holds the population
 *   median with probability 1 - 2 P(X < j), X ~ Binomial(n, 1/2), for
 *   independent samples. j is the largest with that probability at least
 *   95 %; with n <= 5 no j reaches it, and [min, max] is given with its own
 *   probability (94 % at n = 5, 75 % at 3 forks).
 *
 * Verdict against a target "<= t": met if the whole interval is at most t,
 * MISSED if all of it is above t, otherwise unresolved (">=" mirrored).
 * </pre>
 *
 * @param n the number of samples (round pairs, or forks)
 * @param forks whether the samples are forks' medians (else rounds)
 * @param median the median of the samples
 * @param low the interval's lower end
 * @param high the interval's upper end
 * @param coverage the interval's probability of holding the median
 */
record PairedRatio(int n, boolean forks, double median, double low, double high, double coverage) {
    /** The probability the interval aims for. */
    static final double COVERAGE = 0.95;

    /**
     * The paired ratio of {@code a} over {@code b}, round by round, one fork.
     *
     * @throws IllegalArgumentException if the arrays differ in length, are empty,
     *         or hold a value that is not positive and finite
     */
    static PairedRatio of(double[] a, double[] b) {
        return of(a, b, a.length);
    }

    /**
     * The paired ratio of {@code a} over {@code b}, whose rounds are
     * {@code perFork} consecutive values per fork: the forks' medians of their
     * round ratios are the samples if there is more than one fork.
     *
     * @throws IllegalArgumentException if the arrays differ in length, are empty,
     *         are not whole forks, or hold a value that is not positive and finite
     */
    static PairedRatio of(double[] a, double[] b, int perFork) {
        if (a.length != b.length || a.length == 0) {
            throw new IllegalArgumentException("need the same number of rounds on both sides, at least one: "
                    + a.length + " and " + b.length);
        }
        int n = a.length;
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
            if (!positiveFinite(a[i]) || !positiveFinite(b[i])) {
                throw new IllegalArgumentException("round " + i + " is not a positive finite pair: " + a[i] + ", "
                        + b[i]);
            }
            r[i] = a[i] / b[i];
        }
        if (perFork < 1 || n % perFork != 0) {
            throw new IllegalArgumentException(n + " rounds are not whole forks of " + perFork);
        }
        boolean forks = n > perFork;
        if (forks) {
            double[] perForkRatios = new double[n / perFork];
            for (int f = 0; f < perForkRatios.length; f++) {
                perForkRatios[f] = Harness.median(Arrays.copyOfRange(r, f * perFork, (f + 1) * perFork));
            }
            r = perForkRatios;
            n = r.length;
        }
        Arrays.sort(r);
        int j = 1;
        while (j + 1 <= (n + 1) / 2 && coverage(n, j + 1) >= COVERAGE) {
            j++;
        }
        return new PairedRatio(n, forks, Harness.median(r), r[j - 1], r[n - j], coverage(n, j));
    }

    /** Whether {@link #of} takes {@code a} and {@code b}: as many rounds each, at least one, every value positive and finite. */
    static boolean pairable(double[] a, double[] b) {
        if (a.length != b.length || a.length == 0) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (!positiveFinite(a[i]) || !positiveFinite(b[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean positiveFinite(double x) {
        return x > 0 && Double.isFinite(x);
    }

    /** 1 - 2 P(X < j) for X ~ Binomial(n, 1/2): the probability that [r(j), r(n+1-j)] holds the median. */
    static double coverage(int n, int j) {
        double below = 0;
        double term = Math.pow(0.5, n); // P(X = 0)
        for (int x = 0; x < j; x++) {
            below += term;
            term = term * (n - x) / (x + 1);
        }
        return Math.max(0, 1 - 2 * below);
    }

    /** "met", "MISSED" or "unresolved" against {@code op} ("<=" or ">=") {@code target}. */
    String verdict(String op, double target) {
        boolean atMost = switch (op) {
            case "<=" -> true;
            case ">=" -> false;
            default -> throw new IllegalArgumentException("op must be <= or >=: " + op);
        };
        if (atMost ? high <= target : low >= target) {
            return "met";
        }
        if (atMost ? low > target : high < target) {
            return "MISSED";
        }
        return "unresolved";
    }

    /** "median of n round ratios m, [low, high] (c % interval)", or "fork ratios" (each a fork's median). */
    String describe() {
        return String.format(Locale.ROOT, "median of %d %s ratios %.3f, [%.3f, %.3f] (%.0f %% interval)", n,
                forks ? "fork" : "round", median, low, high, Math.floor(coverage * 100));
    }
}
