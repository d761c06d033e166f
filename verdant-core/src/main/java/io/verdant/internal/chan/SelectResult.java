package io.verdant.internal.chan;

/**
 * How a select ended: one case fired, one case found its channel closed, the
 * default ran (nothing was ready), or the deadline passed.
 */
public sealed interface SelectResult permits SelectResult.Fired, SelectResult.Closed,
        SelectResult.Default, SelectResult.TimedOut {
    /** Nothing was ready and the select has a default. */
    SelectResult DEFAULT = new Default();
    /** The deadline passed with no case ready. */
    SelectResult TIMED_OUT = new TimedOut();

    /**
     * Case {@code index} completed.
     *
     * @param index the case's index
     * @param value the value received (null for a send case)
     */
    record Fired(int index, Object value) implements SelectResult {
    }

    /**
     * Case {@code index} was chosen and its channel is closed: nothing was sent or taken.
     *
     * @param index the case's index
     */
    record Closed(int index) implements SelectResult {
    }

    /** See {@link #DEFAULT}. */
    record Default() implements SelectResult {
    }

    /** See {@link #TIMED_OUT}. */
    record TimedOut() implements SelectResult {
    }
}
