package io.verdant.internal;

/**
 * Starts the JDK's socket pollers off Verdant's carriers.
 *
 * <p>On Linux the JDK's default poller mode runs its sub-pollers as virtual
 * threads created with {@code Thread.ofVirtual()} when class
 * {@code sun.nio.ch.Poller} is initialised, so they inherit the scheduler of
 * whichever thread first touches a socket. If that were a green thread, the
 * sub-pollers would live on our carriers forever. Initialising the class once,
 * from a virtual thread on the JDK's default scheduler, before any runtime
 * starts, pins them to the default scheduler instead.
 */
final class JdkPollers {
    private static volatile boolean initialised;

    private JdkPollers() {
    }

    /** Any thread but a green thread; idempotent. */
    static void ensureInitialised() {
        if (initialised) {
            return;
        }
        synchronized (JdkPollers.class) {
            if (initialised) {
                return;
            }
            Thread t = Thread.ofVirtual().name("verdant-poller-init").start(() -> {
                try {
                    Class.forName("sun.nio.ch.Poller", true, null);
                } catch (ClassNotFoundException | LinkageError e) {
                    // Another JDK or poller implementation: nothing to pin.
                }
            });
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            initialised = true;
        }
    }
}
