package io.verdant;

import io.verdant.internal.GreenThread;

/** Test-only peeks at runtime internals through a green thread of the runtime. */
final class TestAccess {
    private TestAccess() {
    }

    /** Nodes queued in {@code ch} (parked operations, live or dead). */
    static int queuedNodes(Channel<?> ch) {
        return io.verdant.internal.chan.ChannelTestAccess.queuedNodes(ch);
    }

    /** Timers armed on {@code rt}'s wheel (the probe's own sleep is not armed while it reads). */
    static int timers(Verdant rt) {
        return rt.run(() -> GreenThread.current().runtime().timers.size());
    }
}
