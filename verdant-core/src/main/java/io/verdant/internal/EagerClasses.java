package io.verdant.internal;

/**
 * Initialises, once per JVM on the shallow stack of the first runtime's start,
 * the classes whose static initialiser would otherwise first run wherever user
 * code first reaches them, perhaps near the end of a green thread's stack (a
 * runaway recursion). A StackOverflowError inside a static initialiser leaves
 * the class erroneous for good: every later use in the JVM throws
 * NoClassDefFoundError. Listed: the classes whose initialiser a user's first
 * call can reach with little stack left; each is proven by DeepFirstUseTest.
 * Verdant's JFR event classes, which exist only with jdk.jfr, are initialised
 * for the same reason by JfrEvents.registerPeriodic.
 */
final class EagerClasses {
    private static final String[] NAMES = {
        "io.verdant.Mutex", // registers with WaitReasons (a lambda, a ClassValue): the first new Mutex
        // Its superclass, the JDK's CompletableFuture (VarHandles, ForkJoinPool), would be left erroneous too.
        "io.verdant.HandleCompletableFuture", // the first GreenHandle.toCompletableFuture
        "io.verdant.internal.OffThreadLog", // the first record a green thread logs (a failing callback, a dead letter)
        // Cheap to initialise, but with the classes loaded ahead (an AOT or CDS cache) the first use of each
        // needs so little stack that its initialiser is what overflows:
        "io.verdant.internal.chan.ChannelImpl", // the first new channel (a Thread, an AtomicLong)
        "io.verdant.internal.chan.Node", // the first channel wait (a VarHandle)
        // The first select that times out or takes its default, often in its wait (DEFAULT, TIMED_OUT: two
        // records to load); seen left erroneous by SelectStackOverflowTest, which selects at every depth.
        "io.verdant.internal.chan.SelectResult",
        "io.verdant.Supervisor", // the first Supervisor.builder (a System.Logger)
    };

    private static volatile boolean done;

    private EagerClasses() {
    }

    static void initialize() {
        if (done) {
            return;
        }
        ClassLoader loader = EagerClasses.class.getClassLoader();
        for (String name : NAMES) {
            try {
                Class.forName(name, true, loader);
            } catch (ClassNotFoundException e) {
                throw new AssertionError("Verdant class " + name + " not found", e); // never: it is in this module
            }
        }
        done = true;
    }
}
