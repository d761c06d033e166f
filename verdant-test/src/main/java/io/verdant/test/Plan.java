package io.verdant.test;

import io.verdant.Determinism;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * What one {@link VerdantTest} method explores: either {@code count} schedules
 * with seeds {@code seedBase, seedBase + 1, ...} under one strategy, or the one
 * schedule a replay key names. Immutable.
 *
 * @param count how many schedules at most (1 for a replay)
 * @param seedBase the first seed (the replayed seed for a replay)
 * @param settings the strategy and policy of every schedule (its seed is ignored),
 *        or the replayed settings
 * @param replay true if this plan replays one schedule
 * @param check true to run each schedule twice and compare (check mode)
 * @param parallelism how many schedules run at once
 * @param timeoutNanos the real-time budget of the exploration, or 0 for none
 */
record Plan(int count, long seedBase, Determinism settings, boolean replay, boolean check, int parallelism,
            long timeoutNanos) {
    /** System property or JUnit configuration parameter: a replay key that every selected method runs. */
    static final String REPLAY = "verdant.replay";
    /** System property or JUnit configuration parameter: overrides {@link VerdantTest#schedules()}. */
    static final String SCHEDULES = "verdant.schedules";

    /**
     * The plan of a method annotated {@code spec}, with the overrides that
     * {@code parameter} (JUnit configuration parameters, which fall back to
     * system properties) gives.
     *
     * @throws IllegalArgumentException naming the method and the bad setting
     */
    static Plan of(VerdantTest spec, String where, Function<String, Optional<String>> parameter) {
        String replayKey = parameter.apply(REPLAY).map(String::strip).filter(s -> !s.isEmpty())
                .orElse(spec.replay().strip());
        if (!replayKey.isEmpty()) {
            Determinism d;
            try {
                d = Determinism.replay(replayKey);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("@VerdantTest on " + where + ": bad replay key: " + e.getMessage(), e);
            }
            return new Plan(1, d.seedValue(), limits(spec, where, d), true, spec.checkDeterminism(), 1,
                    timeout(spec, where));
        }
        int count = spec.schedules();
        Optional<String> override = parameter.apply(SCHEDULES).map(String::strip).filter(s -> !s.isEmpty());
        if (override.isPresent()) {
            try {
                count = Integer.parseInt(override.get());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-D" + SCHEDULES + " must be a number of schedules, was '"
                        + override.get() + "'", e);
            }
        }
        if (count < 1) {
            throw new IllegalArgumentException("@VerdantTest on " + where + ": schedules must be at least 1, was " + count
                    + (override.isPresent() ? " (from " + SCHEDULES + ")" : ""));
        }
        Determinism settings = switch (spec.strategy()) {
            case RANDOM -> Determinism.seed(0);
            case NATURAL -> Determinism.seed(0).natural();
            case PCT -> {
                try {
                    yield Determinism.seed(0).pct(spec.depth());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("@VerdantTest on " + where + ": " + e.getMessage(), e);
                }
            }
        };
        if (spec.lenient()) {
            settings = settings.lenient();
        }
        if (spec.parallelism() < 1 || spec.parallelism() > io.verdant.Exploration.MAX_PARALLELISM) {
            throw new IllegalArgumentException("@VerdantTest on " + where + ": parallelism must be between 1 and "
                    + io.verdant.Exploration.MAX_PARALLELISM + ", was " + spec.parallelism());
        }
        return new Plan(count, spec.seedBase(), limits(spec, where, settings), false, spec.checkDeterminism(),
                spec.parallelism(), timeout(spec, where));
    }

    /** {@code d} with the annotation's step limit and leak check. */
    private static Determinism limits(VerdantTest spec, String where, Determinism d) {
        if (spec.maxSteps() < 1) {
            throw new IllegalArgumentException("@VerdantTest on " + where + ": maxSteps must be at least 1, was "
                    + spec.maxSteps());
        }
        return d.maxSteps(spec.maxSteps()).failOnLeak(spec.failOnLeak())
                .failOnUnjoinedFailure(spec.failOnUnjoinedFailure());
    }

    /** The annotation's budget in nanoseconds (saturating), or 0. */
    private static long timeout(VerdantTest spec, String where) {
        if (spec.timeout() < 0) {
            throw new IllegalArgumentException("@VerdantTest on " + where + ": timeout must not be negative, was "
                    + spec.timeout());
        }
        return spec.timeoutUnit().toNanos(spec.timeout());
    }

    /** For messages: "pct3, seeds from 0x0" or "replay of v1:random:0x6". */
    String describe() {
        if (replay) {
            return "replay of " + settings.replayKey();
        }
        return settings.strategy() + (settings.isLenient() ? ", lenient" : "") + (check ? ", check mode" : "")
                + ", seeds from 0x" + Long.toHexString(seedBase).toUpperCase(Locale.ROOT);
    }
}
