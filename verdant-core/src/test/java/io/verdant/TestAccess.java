package io.verdant;

import io.verdant.internal.GreenThread;

/** Test-only peeks at runtime internals through a green thread of the runtime. */
final class TestAccess {
    private TestAccess() {
    }

    /** Timers armed on {@code rt}'s wheel (the probe's own sleep is not armed while it reads). */
    static int timers(Verdant rt) {
        return rt.run(() -> GreenThread.current().runtime().timers.size());
    }
}
