package io.verdant.agent;

import java.lang.classfile.ClassFile;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.security.ProtectionDomain;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The agent's {@link ClassFileTransformer}: decides which classes to instrument,
 * runs {@link LoopInstrumenter}, counts, and reports failures.
 *
 * <pre>
 * Threads
 *   transform() is called by whichever thread loads a class, concurrently, and
 *   re-entrantly when something it does loads a class (a logger, say). It holds no
 *   lock while instrumenting: counters are LongAdders, the set of reported failures
 *   is concurrent, the per-loader visibility cache is a synchronized WeakHashMap
 *   touched only for a lookup or an insert. The one lock is held only around adding
 *   a module's read edge (see Modules).
 *
 * Never load classes here
 *   Loading a class from inside a transformer can deadlock on class-loading locks
 *   or recurse into this transformer. Nothing here loads one: the instrumenter
 *   keeps the stack maps it is given (or resolves types by reading class files as
 *   resources), and the check that a loader can see io.verdant.Green looks for the
 *   resource io/verdant/Green.class.
 *
 * Failures
 *   Any Throwable from instrumenting a class is caught; transform() returns null,
 *   so the JVM defines the class exactly as it was, and the failure is logged at
 *   WARNING once per class name (retransformation or a second loader do not repeat
 *   it). The totals count a class's first transformation only (its definition, or
 *   the attach's retransformation of a class loaded before): a later
 *   retransformation or redefinition instruments it again, uncounted. A loader
 *   that cannot see io.verdant.Green is reported once, and its
 *   classes are left alone (instrumenting them would throw NoClassDefFoundError at
 *   the first loop).
 *
 * Modules
 *   Code in a named module may only call Green.checkpoint() if its module reads
 *   Verdant's. Before a named module's first class is instrumented, the transformer
 *   adds that read edge with Instrumentation.redefineModule (no class is loaded),
 *   under a lock: another class of that module loading meanwhile waits for the
 *   edge, for its checkpoint call would otherwise fail to resolve, for good.
 * </pre>
 */
final class SafepointTransformer implements ClassFileTransformer {
    private static final System.Logger LOG = System.getLogger("io.verdant.agent");
    private static final String GREEN_RESOURCE = "io/verdant/Green.class";

    private final AgentOptions options;
    private final LoopInstrumenter instrumenter;
    private final Instrumentation inst;
    /** The module io.verdant.Green lives in, if it was visible from the system loader at start-up. */
    private final Module verdantModule;

    private final LongAdder classes = new LongAdder();
    private final LongAdder methods = new LongAdder();
    private final LongAdder safepoints = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder nanos = new LongAdder();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final Map<ClassLoader, Boolean> seesGreen = Collections.synchronizedMap(new WeakHashMap<>());
    private final Set<Module> modulesRead = ConcurrentHashMap.newKeySet();
    /** Classes loaded before the agent attached, while the attach retransforms them (their first pass). */
    private final Set<Class<?>> firstPass = ConcurrentHashMap.newKeySet();

    SafepointTransformer(AgentOptions options, Instrumentation inst, Module verdantModule) {
        this.options = options;
        this.instrumenter = new LoopInstrumenter(options.entry(), options.skipCounted());
        this.inst = inst;
        this.verdantModule = verdantModule;
    }

    /** Whether a class with this name and loader is one the agent instruments. */
    boolean selects(ClassLoader loader, String internalName) {
        return notTheJdks(loader) && options.selects(internalName);
    }

    /** The loader half of the never list: not the boot or the platform loader. */
    private static boolean notTheJdks(ClassLoader loader) {
        return loader != null && loader != ClassLoader.getPlatformClassLoader();
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (className == null && notTheJdks(loader)) {
            // Defined with a null name (ClassLoader.defineClass(null, ...)): the JVM passes
            // none, so select by the name in the bytes (hidden classes never come here).
            className = nameIn(classfileBuffer);
        }
        if (!selects(loader, className)) {
            return null;
        }
        long start = System.nanoTime();
        try {
            if (!canSeeGreen(loader)) {
                return null;
            }
            LoopInstrumenter.Result r = instrumenter.instrument(classfileBuffer, loader);
            if (r == null) {
                return null;
            }
            if (module != null && module.isNamed()) {
                addReadEdge(module, loader);
            }
            if (firstPass(classBeingRedefined)) {
                classes.increment();
                methods.add(r.methods());
                safepoints.add(r.safepoints());
            }
            if (options.verbose()) {
                LOG.log(System.Logger.Level.INFO, "verdant-agent: instrumented {0}: {1} methods, {2} safepoints",
                        className.replace('/', '.'), r.methods(), r.safepoints());
            }
            return r.bytes();
        } catch (Throwable t) {
            if (firstPass(classBeingRedefined)) {
                failed.increment();
            }
            if (reported.add(className)) {
                LOG.log(System.Logger.Level.WARNING, "verdant-agent: left " + className.replace('/', '.')
                        + " unchanged, it could not be instrumented: " + t, t);
            }
            return null;
        } finally {
            nanos.add(System.nanoTime() - start);
        }
    }

    /** The internal name of the class in {@code bytes}, or null if they are not a class file. */
    private static String nameIn(byte[] bytes) {
        try {
            return ClassFile.of().parse(bytes).thisClass().asInternalName();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Whether this transformation is the class's first, the one the totals count:
     * its definition, or the attach's retransformation of a class loaded before.
     * A later retransformation or redefinition (another agent, a profiler, inline
     * mocks) instruments the class again from its original bytes, uncounted.
     */
    private boolean firstPass(Class<?> classBeingRedefined) {
        return classBeingRedefined == null || firstPass.contains(classBeingRedefined);
    }

    /**
     * Retransforms a class loaded before the agent attached, counted as its first
     * instrumentation.
     *
     * @throws UnmodifiableClassException as {@link Instrumentation#retransformClasses}
     */
    void retransformLoaded(Class<?> c) throws UnmodifiableClassException {
        firstPass.add(c);
        try {
            inst.retransformClasses(c);
        } finally {
            firstPass.remove(c);
        }
    }

    private boolean canSeeGreen(ClassLoader loader) {
        Boolean known = seesGreen.get(loader);
        if (known != null) {
            return known;
        }
        boolean sees = loader.getResource(GREEN_RESOURCE) != null;
        // Classes of one loader load in parallel: only the thread that records the answer reports it.
        if (seesGreen.putIfAbsent(loader, sees) == null && !sees) {
            LOG.log(System.Logger.Level.WARNING, "verdant-agent: class loader " + loader
                    + " cannot see io.verdant.Green (verdant-core); its classes are left uninstrumented");
        }
        return sees;
    }

    /**
     * Gives {@code module} its read edge to Verdant before any of its classes is
     * returned: a second class of the module waits here until the first has added
     * it, and the module counts as done only once it has (a failure is retried).
     */
    private void addReadEdge(Module module, ClassLoader loader) {
        if (modulesRead.contains(module)) {
            return;
        }
        synchronized (modulesRead) {
            if (!modulesRead.contains(module)) {
                redefineToRead(module, loader);
                modulesRead.add(module);
            }
        }
    }

    private void redefineToRead(Module module, ClassLoader loader) {
        Module target = verdantModule;
        if (target == null && module.getLayer() != null) {
            target = module.getLayer().findModule("io.verdant").orElse(null);
        }
        if (target == null) {
            target = loader.getUnnamedModule();
        }
        if (!module.canRead(target)) {
            inst.redefineModule(module, Set.of(target), Map.of(), Map.of(), Set.of(), Map.of());
        }
    }

    AgentStats stats() {
        return new AgentStats(classes.sum(), methods.sum(), safepoints.sum(), failed.sum(), nanos.sum());
    }
}
