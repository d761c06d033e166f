package io.verdant;

import java.util.Locale;
import java.util.Objects;

/**
 * The settings of a deterministic runtime ({@link Verdant#deterministic(Config, Determinism)}):
 * a seed and the strategy that, from that seed, chooses which green thread runs
 * next at every scheduling point. The same settings and the same program give
 * the same schedule, the same trace hash and the same virtual end time.
 *
 * <p>Strategies: {@code random} (the default: uniform among the runnable
 * threads, and at a non-blocking Verdant operation a random chance to switch)
 * and {@code natural} (first submitted runs first; a thread runs until it
 * blocks, yields or ends: a reproducible order and virtual time, no
 * exploration). A value is immutable.
 *
 * <p>A failed deterministic run names its settings as a one-line replay key,
 * {@code v1:<strategy>:0x<seed in hex>} (for example {@code v1:random:0x2A}),
 * which {@link #replay(String)} turns back into these settings.
 */
public final class Determinism {
    private static final String VERSION = "v1";
    private static final String RANDOM = "random";
    private static final String NATURAL = "natural";

    private final long seed;
    private final String strategy;

    private Determinism(long seed, String strategy) {
        this.seed = seed;
        this.strategy = strategy;
    }

    /**
     * Settings with the {@code random} strategy and the given seed.
     *
     * @param seed the seed of every choice the runtime makes
     * @return the settings
     */
    public static Determinism seed(long seed) {
        return new Determinism(seed, RANDOM);
    }

    /**
     * The settings a replay key names.
     *
     * @param replayKey a key as printed by a failed run, such as {@code v1:random:0x2A}
     * @return the settings
     * @throws NullPointerException if {@code replayKey} is null
     * @throws IllegalArgumentException if {@code replayKey} is not of the form
     *         {@code v1:random:0x<hex>} or {@code v1:natural:0x<hex>}
     */
    public static Determinism replay(String replayKey) {
        Objects.requireNonNull(replayKey, "replayKey");
        String[] parts = replayKey.trim().split(":");
        if (parts.length != 3 || !parts[0].equals(VERSION)
                || !(parts[1].equals(RANDOM) || parts[1].equals(NATURAL))
                || !parts[2].toLowerCase(Locale.ROOT).startsWith("0x") || parts[2].length() < 3) {
            throw new IllegalArgumentException("replayKey: expected v1:random:0x<hex seed> or v1:natural:0x<hex seed>, got '"
                    + replayKey + "'");
        }
        long seed;
        try {
            seed = Long.parseUnsignedLong(parts[2].substring(2), 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("replayKey: the seed '" + parts[2] + "' is not a 64-bit hex number", e);
        }
        return new Determinism(seed, parts[1]);
    }

    /**
     * These settings with the {@code random} strategy.
     *
     * @return settings with the same seed and the {@code random} strategy
     */
    public Determinism random() {
        return new Determinism(seed, RANDOM);
    }

    /**
     * These settings with the {@code natural} strategy (first submitted runs
     * first; no switch at non-blocking operations).
     *
     * @return settings with the same seed and the {@code natural} strategy
     */
    public Determinism natural() {
        return new Determinism(seed, NATURAL);
    }

    /**
     * The seed.
     *
     * @return the seed of every choice the runtime makes
     */
    public long seedValue() {
        return seed;
    }

    /**
     * The strategy's name.
     *
     * @return {@code "random"} or {@code "natural"}
     */
    public String strategy() {
        return strategy;
    }

    /**
     * The one-line key that names these settings, for {@link #replay(String)}.
     *
     * @return for example {@code v1:random:0x2A}
     */
    public String replayKey() {
        return VERSION + ":" + strategy + ":0x" + Long.toHexString(seed).toUpperCase(Locale.ROOT);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Determinism d && d.seed == seed && d.strategy.equals(strategy);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(seed) * 31 + strategy.hashCode();
    }

    @Override
    public String toString() {
        return "Determinism[" + replayKey() + "]";
    }
}
