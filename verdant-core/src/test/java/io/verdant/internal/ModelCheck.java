package io.verdant.internal;

/**
 * What the Lincheck model-checking tests share: a plain check (Lincheck
 * compares objects with equals, which AssertJ's assertions refuse) and a race
 * of a few parts on threads of their own, which the model checker interleaves.
 */
public final class ModelCheck {
    private ModelCheck() {
    }

    /** Throws {@code AssertionError(what)} unless {@code ok}. */
    public static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    /** Runs each part on a thread of its own and waits for all of them. */
    public static void race(Runnable... parts) {
        Thread[] ts = new Thread[parts.length];
        for (int i = 0; i < parts.length; i++) {
            ts[i] = new Thread(parts[i]);
            ts[i].start();
        }
        try {
            for (Thread t : ts) {
                t.join();
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
