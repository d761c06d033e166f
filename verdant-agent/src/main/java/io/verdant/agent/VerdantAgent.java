package io.verdant.agent;

import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.util.ArrayList;
import java.util.List;

/**
 * The Verdant java agent: makes loops in code nobody instrumented by hand
 * preemptible, by inserting {@code io.verdant.Green.checkpoint()} before every
 * loop back-edge (and optionally at method entry) of the classes it is told to
 * instrument. See {@link AgentOptions} for the argument grammar.
 *
 * <pre>
 *   java -javaagent:verdant-agent.jar=include=com.acme.**;exclude=com.acme.hot.* -jar app.jar
 * </pre>
 *
 * <p>The application itself must have verdant-core on its class or module path:
 * the agent only emits calls to it. At start-up the agent logs its settings at
 * INFO through {@link System.Logger} (logger {@code io.verdant.agent}); it logs
 * the totals ({@link AgentStats}) once at INFO when start-up has settled (no new
 * class instrumented for {@value #SETTLE_MILLIS} ms, or after
 * {@value #MAX_SETTLE_MILLIS} ms at the latest), and {@link #report()} logs and
 * returns them on request at any time.
 *
 * <p>In a deterministic runtime ({@code Verdant.deterministic}) the inserted
 * checkpoints are scheduling points, as an explicit {@code Green.checkpoint()}:
 * a seed runs another schedule with the agent than without it (or with other
 * options). The agent sets the system property {@value #AGENT_PROPERTY} to its
 * options, and a failed schedule's message names them.
 */
public final class VerdantAgent {
    private static final System.Logger LOG = System.getLogger("io.verdant.agent");
    /**
     * Start-up counts as settled after this long without a newly instrumented class.
     * Not measured: class loading in a starting application comes in bursts well
     * under a second apart; a second later the log line is still "at start-up".
     */
    static final long SETTLE_MILLIS = 1000;
    /** Log the totals after this long even if classes keep arriving (an application that never settles). */
    static final long MAX_SETTLE_MILLIS = 60_000;
    /** Exit status of a JVM started with a bad {@code -javaagent} argument string (as for a bad command line). */
    static final int BAD_ARGUMENTS_STATUS = 1;
    /**
     * The system property the agent sets to its options ({@link AgentOptions#toString()})
     * when it installs; a deterministic runtime's failure message names them.
     */
    public static final String AGENT_PROPERTY = "verdant.agent";
    private static volatile SafepointTransformer transformer;

    private VerdantAgent() {
    }

    /**
     * Entry point for {@code -javaagent}. Matching classes already loaded (by an
     * agent given before this one, or a custom system class loader) are
     * retransformed. A bad argument string prints one line
     * naming the problem on standard error and ends the JVM with status 1 before
     * the application starts: running uninstrumented would silently drop the
     * preemption the user asked for.
     *
     * @param args the string after {@code -javaagent:verdant-agent.jar=}, or null
     * @param inst the JVM's instrumentation
     */
    public static void premain(String args, Instrumentation inst) {
        AgentOptions options;
        try {
            options = AgentOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.flush();
            // Not an exception: the JVM would bury the message in a FATAL ERROR dump.
            System.exit(BAD_ARGUMENTS_STATUS);
            return;
        }
        install(options, args, inst, false);
    }

    /**
     * Entry point for attaching to a running JVM: also retransforms matching
     * classes already loaded. A bad argument string fails the attach (the
     * attaching tool sees the exception); the running application is not stopped.
     *
     * @param args the agent arguments, or null
     * @param inst the JVM's instrumentation
     * @throws IllegalArgumentException naming the bad option
     */
    public static void agentmain(String args, Instrumentation inst) {
        install(AgentOptions.parse(args), args, inst, true);
    }

    /**
     * The totals so far, also logged at INFO; all zero if the agent is not
     * installed in this JVM. Any thread.
     *
     * @return the totals
     */
    public static AgentStats report() {
        AgentStats s = stats();
        LOG.log(System.Logger.Level.INFO, s.toString());
        return s;
    }

    /**
     * The totals so far, not logged. Any thread.
     *
     * @return the totals
     */
    public static AgentStats stats() {
        SafepointTransformer t = transformer;
        return t == null ? new AgentStats(0, 0, 0, 0, 0) : t.stats();
    }

    private static synchronized void install(AgentOptions options, String args, Instrumentation inst, boolean attached) {
        if (transformer != null) {
            LOG.log(System.Logger.Level.WARNING, "verdant-agent: already installed; ignoring a second start with '"
                    + args + "'");
            return;
        }
        // Warm the class-file API up on a class of our own, outside any transformer,
        // so the JDK classes it needs are loaded before the first class is instrumented.
        warmUp();
        SafepointTransformer t = new SafepointTransformer(options, inst, verdantModule());
        transformer = t;
        inst.addTransformer(t, inst.isRetransformClassesSupported());
        // Read by verdant-core's ScheduleFailedException: the checkpoints are scheduling points of a
        // deterministic runtime, so a failure's replay key replays only under the same agent options.
        System.setProperty(AGENT_PROPERTY, options.toString());
        LOG.log(System.Logger.Level.INFO, "verdant-agent: inserting Green.checkpoint() at loop back-edges"
                + (options.entry() ? " and method entries" : "") + " of " + options);
        // Classes loaded before the transformer was added: after an attach, all the application's;
        // at premain, those another agent given first (or a custom system class loader) loaded.
        retransformLoaded(t, inst);
        if (attached) {
            report();
        } else {
            Thread.ofPlatform().daemon().name("verdant-agent-report").start(() -> reportWhenSettled(t));
        }
    }

    /** Logs the totals once, when no class has been instrumented for SETTLE_MILLIS. */
    private static void reportWhenSettled(SafepointTransformer t) {
        long deadline = System.nanoTime() + MAX_SETTLE_MILLIS * 1_000_000;
        long last = -1;
        try {
            for (;;) {
                Thread.sleep(SETTLE_MILLIS);
                AgentStats s = t.stats();
                long now = s.classes() + s.failed();
                if ((now == last && now > 0) || System.nanoTime() - deadline > 0) {
                    LOG.log(System.Logger.Level.INFO, s.toString());
                    return;
                }
                last = now;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void warmUp() {
        try (var in = VerdantAgent.class.getResourceAsStream("VerdantAgent.class")) {
            if (in != null) {
                new LoopInstrumenter(true).instrument(in.readAllBytes(), VerdantAgent.class.getClassLoader());
            }
        } catch (Exception | LinkageError e) {
            LOG.log(System.Logger.Level.DEBUG, "verdant-agent: warm-up failed", e);
        }
    }

    /** io.verdant.Green's module if the system loader sees it now (before any transformer runs). */
    private static Module verdantModule() {
        try {
            return Class.forName("io.verdant.Green", false, ClassLoader.getSystemClassLoader()).getModule();
        } catch (ClassNotFoundException | LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "verdant-agent: io.verdant.Green (verdant-core) is not on the "
                    + "system class path; only classes of loaders that can see it will be instrumented");
            return null;
        }
    }

    private static void retransformLoaded(SafepointTransformer t, Instrumentation inst) {
        if (!inst.isRetransformClassesSupported()) {
            return; // the transformer was added as not retransform-capable: nothing to do
        }
        List<Class<?>> todo = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (!c.isHidden() && !c.isArray() && !c.isPrimitive() && inst.isModifiableClass(c)
                    && t.selects(c.getClassLoader(), c.getName().replace('.', '/'))) {
                todo.add(c);
            }
        }
        for (Class<?> c : todo) {
            try {
                t.retransformLoaded(c);
            } catch (UnmodifiableClassException | RuntimeException | LinkageError e) {
                LOG.log(System.Logger.Level.WARNING, "verdant-agent: could not retransform " + c.getName()
                        + ": " + e);
            }
        }
    }
}
