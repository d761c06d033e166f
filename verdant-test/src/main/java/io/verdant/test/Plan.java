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
 */
record Plan(int count, long seedBase, Determinism settings, boolean replay, boolean check) {
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
            return new Plan(1, d.seedValue(), d, true, spec.checkDeterminism());
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
        return new Plan(count, spec.seedBase(), settings, false, spec.checkDeterminism());
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
