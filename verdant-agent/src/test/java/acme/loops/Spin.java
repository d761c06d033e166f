package acme.loops;

import java.util.concurrent.atomic.AtomicLong;

/** An endless CPU loop with no hand-written checkpoint and nothing that blocks. */
public final class Spin {
    private Spin() {
    }

    public static void forever(AtomicLong progress) {
        long x = 0;
        for (;;) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            if ((x & 0xFF) == 0) {
                progress.lazySet(progress.get() + 1);
            }
        }
    }
}
