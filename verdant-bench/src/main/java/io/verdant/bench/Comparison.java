package io.verdant.bench;

/**
 * One side-by-side benchmark of the comparison runner: it runs every system it
 * compares (verdant, vt-default, platform, ...) alternately, after warm-up, and
 * reports each measurement through {@link Report}.
 */
public interface Comparison {
    /** The name used on the command line and in {@code bench=} of RESULT lines. */
    String name();

    /** One line saying what is measured and against which systems. */
    String description();

    void run(Report report) throws Exception;
}
