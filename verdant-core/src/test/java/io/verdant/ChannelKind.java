package io.verdant;

/** The channel kinds the contract and stress tests run against (for {@code @EnumSource}). */
enum ChannelKind {
    RENDEZVOUS(0),
    BOUNDED_1(1),
    BOUNDED_2(2),
    BOUNDED_3(3),
    BOUNDED_64(64),
    UNBOUNDED(Integer.MAX_VALUE);

    /** Values it buffers before a sender waits (0: a rendezvous). */
    final int capacity;

    ChannelKind(int capacity) {
        this.capacity = capacity;
    }

    /** @return true if a send can complete with no receiver waiting */
    boolean buffers() {
        return capacity > 0;
    }

    /** @return a new, empty channel of this kind */
    <T> Channel<T> make() {
        return switch (this) {
            case RENDEZVOUS -> Channel.rendezvous();
            case UNBOUNDED -> Channel.unbounded();
            default -> Channel.bounded(capacity);
        };
    }
}
