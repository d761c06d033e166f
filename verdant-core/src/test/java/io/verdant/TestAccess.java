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

    /**
     * @return true if {@code m}'s spin lock is free now (a try that never spins; released
     *         again at once)
     */
    static boolean mutexSpinLockFree(Mutex<?> m) {
        try {
            java.lang.reflect.Field f = Mutex.class.getDeclaredField("core");
            f.setAccessible(true);
            Object core = f.get(m);
            java.lang.reflect.Field s = core.getClass().getDeclaredField("spin");
            s.setAccessible(true);
            io.verdant.internal.sync.SpinLock spin = (io.verdant.internal.sync.SpinLock) s.get(core);
            boolean free = spin.tryLock();
            if (free) {
                spin.unlock();
            }
            return free;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
