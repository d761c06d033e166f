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
     * Case {@code index} completed, with the value received (null for a send case).
     * Filled in by the select, not allocated by it: made before the select takes or
     * sends anything (a Select keeps one), so no allocation can fail once a case has
     * fired, which would lose a value taken or a partner completed
     * (SelectResultOutOfMemoryTest). Equal by index and value, as a record.
     */
    final class Fired implements SelectResult {
        private int index;
        private Object value;

        /**
         * @param index the case's index
         * @param value the value received (null for a send case)
         */
        public Fired(int index, Object value) {
            this.index = index;
            this.value = value;
        }

        /** @return the case's index */
        public int index() {
            return index;
        }

        /** @return the value received (null for a send case) */
        public Object value() {
            return value;
        }

        /** The select: case {@code index} fired with {@code value}; returns this. */
        Fired fill(int index, Object value) {
            this.index = index;
            this.value = value;
            return this;
        }

        /** Its reader, once it has read it: holds no value any more. */
        public void clear() {
            this.index = -1;
            this.value = null;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Fired f && f.index == index && java.util.Objects.equals(f.value, value);
        }

        @Override
        public int hashCode() {
            return 31 * index + java.util.Objects.hashCode(value);
        }

        @Override
        public String toString() {
            return "Fired[index=" + index + ", value=" + value + "]";
        }
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
