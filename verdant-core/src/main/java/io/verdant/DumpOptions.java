package io.verdant;

/**
 * How {@link Verdant#dump(Appendable, DumpOptions)} writes: as text or JSON,
 * with or without stacks. Immutable; each setter returns a new instance.
 *
 * <pre>{@code
 * rt.dump(System.out, DumpOptions.text().stacks(true));
 * }</pre>
 */
public final class DumpOptions {
    /** Stacks are taken for at most this many threads by default (a stack walk costs microseconds each). */
    public static final int DEFAULT_MAX_STACKS = 10_000;

    private final boolean json;
    private final boolean stacks;
    private final int maxStacks;

    private DumpOptions(boolean json, boolean stacks, int maxStacks) {
        this.json = json;
        this.stacks = stacks;
        this.maxStacks = maxStacks;
    }

    /**
     * Human-readable text: the supervisor trees, then unsupervised threads by parent, then deadlocks.
     *
     * @return text options without stacks
     */
    public static DumpOptions text() {
        return new DumpOptions(false, false, DEFAULT_MAX_STACKS);
    }

    /**
     * JSON whose thread fields reuse the names of the JDK's thread dump
     * ({@code jcmd <pid> Thread.dump_to_file -format=json}: {@code tid}, {@code name},
     * {@code state}, {@code parkBlocker}, {@code stack}), so the two can be joined on {@code tid}.
     *
     * @return JSON options without stacks
     */
    public static DumpOptions json() {
        return new DumpOptions(true, false, DEFAULT_MAX_STACKS);
    }

    /**
     * Whether to include each thread's stack (identical stacks of sibling threads are collapsed).
     *
     * @param on true to include stacks
     * @return a copy with the setting changed
     */
    public DumpOptions stacks(boolean on) {
        return new DumpOptions(json, on, maxStacks);
    }

    /**
     * The most threads whose stacks are taken; the others are listed without.
     *
     * @param n the limit, at least 0
     * @return a copy with the setting changed
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public DumpOptions maxStacks(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("maxStacks must not be negative, was " + n);
        }
        return new DumpOptions(json, stacks, n);
    }

    /**
     * Whether the output is JSON.
     *
     * @return true for JSON, false for text
     */
    public boolean isJson() {
        return json;
    }

    /**
     * Whether stacks are included.
     *
     * @return true if stacks are taken
     */
    public boolean hasStacks() {
        return stacks;
    }

    /**
     * The limit on stacks taken.
     *
     * @return the most threads whose stacks are taken
     */
    public int maxStacks() {
        return maxStacks;
    }

    @Override
    public String toString() {
        return "DumpOptions[" + (json ? "json" : "text") + ", stacks=" + stacks + ", maxStacks=" + maxStacks + "]";
    }
}
