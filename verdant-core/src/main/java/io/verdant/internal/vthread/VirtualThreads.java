package io.verdant.internal.vthread;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.Executor;

/**
 * The one place Verdant touches JDK internals: the package-private constructor
 * {@code java.lang.ThreadBuilders$VirtualThreadBuilder(Executor)}, which builds
 * virtual threads whose scheduler is an {@link Executor} of ours. Everything else
 * (park, unpark, mount, stack switching, growable stacks) is the JDK's.
 *
 * <p>The constructor is resolved once, on first use, into a {@link MethodHandle}.
 * Without {@code --add-opens java.base/java.lang=ALL-UNNAMED} (or
 * {@code =io.verdant} on the module path) resolution fails and {@link #check()}
 * throws an {@link IllegalStateException} that names the flag.
 */
public final class VirtualThreads {
    /** The JVM option Verdant needs on the class path. */
    public static final String OPENS_FLAG = "--add-opens java.base/java.lang=ALL-UNNAMED";
    /** The JVM option Verdant needs on the module path. */
    public static final String OPENS_FLAG_MODULE = "--add-opens java.base/java.lang=io.verdant";

    private static final MethodHandle BUILDER;
    private static final Throwable FAILURE;

    static {
        MethodHandle h = null;
        Throwable failure = null;
        try {
            Class<?> builderClass = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder");
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(builderClass, MethodHandles.lookup());
            h = lookup.findConstructor(builderClass, MethodType.methodType(void.class, Executor.class))
                    .asType(MethodType.methodType(Thread.Builder.OfVirtual.class, Executor.class));
        } catch (Throwable t) {
            failure = t;
        }
        BUILDER = h;
        FAILURE = failure;
    }

    private VirtualThreads() {
    }

    /**
     * Fails with a message naming the missing JVM flag if virtual threads with a
     * custom scheduler cannot be created in this JVM.
     *
     * @throws IllegalStateException if the reflective factory is unavailable
     */
    public static void check() {
        if (BUILDER == null) {
            throw new IllegalStateException(
                    "Verdant cannot create virtual threads on its own scheduler: java.lang is not open to it. "
                            + "Start the JVM with " + OPENS_FLAG + " (class path) or "
                            + OPENS_FLAG_MODULE + " (module path). Cause: " + FAILURE, FAILURE);
        }
    }

    /**
     * Creates an unstarted virtual thread that submits its continuation to
     * {@code scheduler}. Any thread may call this.
     *
     * @param name the thread name, or null for an unnamed thread
     */
    public static Thread newThread(Executor scheduler, String name, Runnable task) {
        check();
        Thread.Builder.OfVirtual builder;
        try {
            builder = (Thread.Builder.OfVirtual) BUILDER.invokeExact(scheduler);
        } catch (Throwable t) {
            throw new IllegalStateException("virtual thread builder failed", t);
        }
        if (name != null) {
            builder.name(name);
        }
        return builder.unstarted(task);
    }
}
