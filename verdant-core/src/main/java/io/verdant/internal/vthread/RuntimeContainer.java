package io.verdant.internal.vthread;

import java.lang.classfile.ClassFile;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static java.lang.constant.ConstantDescs.CD_Object;
import static java.lang.constant.ConstantDescs.CD_String;
import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_void;
import static java.lang.constant.ConstantDescs.INIT_NAME;

/**
 * A runtime's own JDK thread container: its green threads are started in it
 * instead of the JDK's root container (issue 11, spawn; issue 12, thread dumps).
 *
 * <pre>
 * Why
 *   Thread.start() puts a virtual thread in the root container, which by
 *   default (jdk.trackAllThreads) tracks every virtual thread in one JVM-wide
 *   ConcurrentHashMap: a put as the thread starts, a remove as it ends, a
 *   32-byte map node per live thread (parked: 31 bytes less per thread without
 *   it), and, with a spawner on one carrier and its
 *   children ending on another, a bin and a counter cell written from both
 *   cores per thread (a profile of spawn at 2 workers: 9 % of the samples in
 *   those two calls). A runtime already tracks its threads in its pid table,
 *   so its container adds nothing per thread: threads() streams the pid table.
 *   For thread dumps (jcmd Thread.dump_to_file, HotSpotDiagnosticMXBean) the
 *   container is registered with the JDK, so a dump lists a runtime's green
 *   threads under a container named after the runtime instead of in the flat
 *   root list.
 *
 * How (JDK internals, as VirtualThreads)
 *   jdk.internal.vm.ThreadContainer is not exported, so the subclass is made at
 *   run time with the class-file API and defined in java.lang through a private
 *   lookup of Thread (what --add-opens java.base/java.lang allows): a class of
 *   java.base may extend it and call ThreadContainers.registerContainer and
 *   the package-private Thread.start(ThreadContainer) and
 *   Thread.threadContainer(). The class is defined once per JVM (another copy
 *   of Verdant finds it by name). Where any step fails (a JDK that changed
 *   these internals), available() is false and start(Thread) is Thread.start():
 *   the root container, as before.
 *   onStart and onExit are ThreadContainer's empty ones; a green thread started
 *   elsewhere (GreenThreadFactory's unstarted threads, which their user
 *   starts) stays in the root container and out of this one's stream.
 * </pre>
 *
 * <p>Thread-safety: {@link #start} from any thread; {@link #close} once, by the
 * closing runtime; the stream's supplier is called by dumping threads.
 */
public final class RuntimeContainer {
    private static final String CLASS_NAME = "java.lang.VerdantThreadContainer";
    /** (String, Supplier)ThreadContainer as (String, Supplier)Object, or null where unavailable. */
    private static final MethodHandle NEW;
    /** Thread.start(ThreadContainer) as (Thread, Object)void, or null. */
    private static final MethodHandle START;
    /** ThreadContainers.registerContainer as (Object)Object, or null. */
    private static final MethodHandle REGISTER;
    /** ThreadContainers.deregisterContainer as (Object)void, or null. */
    private static final MethodHandle DEREGISTER;
    /** Thread.threadContainer() as (Thread)Object, or null. */
    private static final MethodHandle CONTAINER_OF;

    static {
        MethodHandle create = null;
        MethodHandle start = null;
        MethodHandle register = null;
        MethodHandle deregister = null;
        MethodHandle containerOf = null;
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup());
            Class<?> c = define(lookup);
            Class<?> tc = c.getSuperclass();
            create = lookup.findConstructor(c, MethodType.methodType(void.class, String.class, Supplier.class))
                    .asType(MethodType.methodType(Object.class, String.class, Supplier.class));
            start = lookup.findVirtual(Thread.class, "start", MethodType.methodType(void.class, tc))
                    .asType(MethodType.methodType(void.class, Thread.class, Object.class));
            register = lookup.findStatic(c, "register", MethodType.methodType(Object.class, tc))
                    .asType(MethodType.methodType(Object.class, Object.class));
            deregister = lookup.findStatic(c, "deregister", MethodType.methodType(void.class, Object.class));
            containerOf = lookup.findVirtual(Thread.class, "threadContainer", MethodType.methodType(tc))
                    .asType(MethodType.methodType(Object.class, Thread.class));
        } catch (Throwable t) {
            create = null; // not opened, or a JDK whose internals differ: the root container
        }
        NEW = create;
        START = create == null ? null : start;
        REGISTER = create == null ? null : register;
        DEREGISTER = create == null ? null : deregister;
        CONTAINER_OF = create == null ? null : containerOf;
    }

    private final Object container;
    private final Object key;

    private RuntimeContainer(Object container, Object key) {
        this.container = container;
        this.key = key;
    }

    /** Whether this JDK lets a runtime have its own container (else every thread starts in the root). */
    public static boolean available() {
        return NEW != null;
    }

    /**
     * A container named {@code name}, registered with the JDK for thread dumps,
     * whose threads are the live ones {@code candidates} streams that were
     * started in it. Where containers are unavailable, one that starts threads
     * with {@link Thread#start()}.
     *
     * @param name       the name a thread dump shows
     * @param candidates the runtime's live threads (a snapshot, no nulls; any thread may ask)
     * @return the container
     */
    public static RuntimeContainer open(String name, Supplier<Stream<Thread>> candidates) {
        if (NEW == null) {
            return new RuntimeContainer(null, null);
        }
        Object[] self = new Object[1];
        Supplier<Stream<Thread>> mine = () -> candidates.get().filter(t -> containerOf(t) == self[0]);
        try {
            Object c = NEW.invokeExact(name, (Supplier<?>) mine);
            self[0] = c;
            Object key = REGISTER.invokeExact(c);
            return new RuntimeContainer(c, key);
        } catch (Throwable t) {
            return new RuntimeContainer(null, null);
        }
    }

    /**
     * Starts {@code thread} (unstarted) in this container: what
     * {@link Thread#start()} does, with this container instead of the root.
     *
     * @throws IllegalThreadStateException if it was started already
     */
    public void start(Thread thread) {
        if (container == null) {
            thread.start();
            return;
        }
        try {
            START.invokeExact(thread, container);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t); // Thread.start declares no checked exception
        }
    }

    /** Removes this container from the JDK's registry (thread dumps no longer list it). Once. */
    public void close() {
        if (key != null) {
            try {
                DEREGISTER.invokeExact(key);
            } catch (Throwable t) {
                // The registry holds it weakly: it goes with the runtime anyway.
            }
        }
    }

    private static Object containerOf(Thread t) {
        try {
            return (Object) CONTAINER_OF.invokeExact(t);
        } catch (Throwable e) {
            return null;
        }
    }

    /** Defines the ThreadContainer subclass in java.lang, or finds the one another copy of Verdant defined. */
    private static Class<?> define(MethodHandles.Lookup lookup) throws IllegalAccessException {
        ClassDesc self = ClassDesc.of(CLASS_NAME);
        ClassDesc tc = ClassDesc.of("jdk.internal.vm.ThreadContainer");
        ClassDesc tcs = ClassDesc.of("jdk.internal.vm.ThreadContainers");
        ClassDesc supplier = ClassDesc.of("java.util.function.Supplier");
        ClassDesc stream = ClassDesc.of("java.util.stream.Stream");
        byte[] bytes = ClassFile.of().build(self, cb -> {
            cb.withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SUPER);
            cb.withSuperclass(tc);
            cb.withField("name", CD_String, ClassFile.ACC_PRIVATE | ClassFile.ACC_FINAL);
            cb.withField("threads", supplier, ClassFile.ACC_PRIVATE | ClassFile.ACC_FINAL);
            // A shared container (no owner): ThreadContainer(true).
            cb.withMethodBody(INIT_NAME, MethodTypeDesc.of(CD_void, CD_String, supplier), ClassFile.ACC_PUBLIC, c -> c
                    .aload(0).iconst_1().invokespecial(tc, INIT_NAME, MethodTypeDesc.of(CD_void, CD_boolean))
                    .aload(0).aload(1).putfield(self, "name", CD_String)
                    .aload(0).aload(2).putfield(self, "threads", supplier)
                    .return_());
            cb.withMethodBody("name", MethodTypeDesc.of(CD_String), ClassFile.ACC_PUBLIC, c -> c
                    .aload(0).getfield(self, "name", CD_String).areturn());
            cb.withMethodBody("threads", MethodTypeDesc.of(stream), ClassFile.ACC_PUBLIC, c -> c
                    .aload(0).getfield(self, "threads", supplier)
                    .invokeinterface(supplier, "get", MethodTypeDesc.of(CD_Object))
                    .checkcast(stream).areturn());
            cb.withMethodBody("register", MethodTypeDesc.of(CD_Object, tc),
                    ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, c -> c
                    .aload(0).invokestatic(tcs, "registerContainer", MethodTypeDesc.of(CD_Object, tc)).areturn());
            cb.withMethodBody("deregister", MethodTypeDesc.of(CD_void, CD_Object),
                    ClassFile.ACC_PUBLIC | ClassFile.ACC_STATIC, c -> c
                    .aload(0).invokestatic(tcs, "deregisterContainer", MethodTypeDesc.of(CD_void, CD_Object))
                    .return_());
        });
        try {
            return lookup.defineClass(bytes);
        } catch (LinkageError duplicate) {
            try {
                return Class.forName(CLASS_NAME, false, null);
            } catch (ClassNotFoundException e) {
                throw duplicate;
            }
        }
    }
}
