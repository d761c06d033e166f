package io.verdant.internal.chan;

/**
 * A select's nodes: the waiter (never queued, its own owner) and one case
 * node per channel, owned by the waiter. The fields only a select needs live
 * here, so a plain send or receive allocates a smaller {@link Node}; the
 * states and who writes what are described there.
 */
final class SelectNode extends Node {
    /** A case: the channel it is queued in (to unlink it); the waiter: null. */
    final ChannelImpl<?> channel;
    /** A case: its index among the select's cases; the waiter: -1. */
    final int caseIndex;
    /** The waiter: the case node whose partner claimed it, written after the winning CAS. */
    SelectNode fired;
    /** The waiter: its case nodes and their channels in lock order, written before a case is
     * queued (under those locks): for a close that abandons the select (SelectCore.withdrawAbandoned). */
    SelectNode[] cases;
    ChannelImpl<?>[] locks;

    /** A select's waiter, for the calling thread. */
    SelectNode() {
        super(null, false, null);
        this.channel = null;
        this.caseIndex = -1;
    }

    /** Case {@code caseIndex} of {@code owner}'s select, on {@code channel}. */
    SelectNode(SelectNode owner, ChannelImpl<?> channel, int caseIndex, boolean send, Object item) {
        super(owner, send, item);
        this.channel = channel;
        this.caseIndex = caseIndex;
    }
}
