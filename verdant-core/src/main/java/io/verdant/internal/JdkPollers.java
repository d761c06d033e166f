package io.verdant.internal;

import io.verdant.internal.sched.PollerHost;
import io.verdant.internal.vthread.VirtualThreads;

import java.util.concurrent.Executor;

/**
 * Chooses where the JDK's socket sub-pollers run, before any runtime starts.
 *
 * <p>On Linux the JDK's default poller mode runs its sub-pollers as virtual
 * threads created with {@code Thread.ofVirtual()} when class
 * {@code sun.nio.ch.Poller} is initialised, so they inherit the scheduler of
 * whichever thread first touches a socket. If that were a green thread, the
 * sub-pollers would live on that runtime's carriers forever, and stop with it.
 * So the class is initialised once, when the first runtime starts, from a
 * virtual thread whose scheduler is {@link PollerHost}: the sub-pollers then run
 * on the carriers of whichever runtime is alive (their wake-ups of its green
 * threads are carrier-local pushes), and on the JDK's default scheduler while
 * none is. The initialisation itself, and each sub-poller's first run, happen on
 * short-lived platform threads (PollerHost, "Start-up"), so start-up does not
 * wait for a carrier of the default scheduler. With {@code -Dio.verdant.jdkPollers=default} (or where PollerHost
 * cannot reach the default scheduler) the virtual thread is one of the default
 * scheduler's, and the sub-pollers stay off Verdant's carriers, as before issue
 * 11. Either way, if the JVM used a socket from a virtual thread before the first
 * runtime started, the sub-pollers already live on the default scheduler.
 *
 * <p>The threads made here serve the JVM, not the thread that starts the first
 * runtime: they inherit nothing from it (no inheritable thread locals; the
 * system class loader as context class loader). They copied its inheritable
 * thread locals, so a childValue that threw failed that Verdant.start
 * (JdkPollersTest, PollerInitContextProbe).
 *
 * <p>The sub-pollers outlive every runtime and keep their scheduler:
 * {@link PollerHost#jdkScheduler()}, which holds PollerHost only weakly, so that
 * they do not keep the class loader that loaded Verdant from being collected
 * once its runtimes are closed.
 */
final class JdkPollers {
    /** System property: {@code default} keeps the JDK's sub-pollers on its default scheduler. */
    static final String PROPERTY = "io.verdant.jdkPollers";

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
            Runnable init = () -> {
                try {
                    Class.forName("sun.nio.ch.Poller", true, null);
                } catch (ClassNotFoundException | LinkageError e) {
                    // Another JDK or poller implementation: nothing to pin.
                }
            };
            PollerHost host = PollerHost.INSTANCE;
            Executor scheduler = host == null || "default".equalsIgnoreCase(System.getProperty(PROPERTY))
                    ? null : host.jdkScheduler();
            boolean hosted = scheduler != null;
            boolean interrupted = false;
            try {
                Thread t;
                if (hosted) {
                    // Not the JDK's default scheduler: its carriers may all be busy (PollerHost, "Start-up").
                    host.bootstrap(r -> Thread.ofPlatform().daemon().name("verdant-poller-bootstrap")
                            .inheritInheritableThreadLocals(false).start(r));
                    t = VirtualThreads.newThreadInheritingNothing(scheduler, "verdant-poller-init", init, null,
                            ClassLoader.getSystemClassLoader());
                    t.start();
                } else {
                    t = Thread.ofVirtual().name("verdant-poller-init").inheritInheritableThreadLocals(false)
                            .start(init);
                }
                // Uninterruptibly: a start() that returned before t ran would let a green
                // thread initialise the poller, and the sub-pollers would inherit its
                // scheduler and stop with its runtime (every socket of the JVM would hang).
                for (;;) {
                    try {
                        t.join();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } finally {
                if (hosted) {
                    host.bootstrap(null);
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            initialised = true;
        }
    }
}
