package io.verdant.bench.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.TimeUnit;

/**
 * The floor of a stackful hand-off on this JDK: one raw
 * {@code jdk.internal.vm.Continuation} resumed ({@code run}: a thaw) until it
 * yields again ({@code Continuation.yield}: a freeze), with no scheduler, no
 * virtual thread, no queue and no lock around it. A hand-off between two
 * threads on one carrier (ring, pingpong at 1 worker) costs at least one freeze
 * (the sender parks) and one thaw (the receiver resumes) per hop, in Verdant
 * and in default virtual threads alike, so {@link #yieldRun} is the
 * per-hop floor that both are measured against.
 *
 * <pre>
 * continuations  how many continuations are resumed round-robin. 1: everything
 *                stays in the L1 cache (the pingpong floor). 10000: each resume
 *                touches a stack and objects last used 10,000 resumes ago, as a
 *                ring of 10,000 threads does (the ring floor: cache misses included).
 * depth          extra frames below the yield loop in each continuation; the
 *                JDK's lazy thaw (return barrier) copies only the top frames, so
 *                depth should barely matter; measured to show it.
 * </pre>
 *
 * <p>Reaches {@code jdk.internal.vm} by method handles (nothing to add at compile
 * time); the fork adds {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED}.
 * Run with {@code -prof gc} to confirm it allocates nothing per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED"})
public class ContinuationFloorJmh {
    private static final MethodHandle NEW_CONTINUATION;
    private static final MethodHandle RUN;
    private static final MethodHandle YIELD;
    private static final Object SCOPE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            Class<?> scopeClass = Class.forName("jdk.internal.vm.ContinuationScope");
            Class<?> contClass = Class.forName("jdk.internal.vm.Continuation");
            SCOPE = l.findConstructor(scopeClass, MethodType.methodType(void.class, String.class))
                    .invoke("verdant-floor");
            NEW_CONTINUATION = l.findConstructor(contClass, MethodType.methodType(void.class, scopeClass, Runnable.class))
                    .asType(MethodType.methodType(Object.class, Object.class, Runnable.class));
            RUN = l.findVirtual(contClass, "run", MethodType.methodType(void.class))
                    .asType(MethodType.methodType(void.class, Object.class));
            YIELD = l.findStatic(contClass, "yield", MethodType.methodType(boolean.class, scopeClass))
                    .asType(MethodType.methodType(boolean.class, Object.class));
        } catch (Throwable t) {
            throw new ExceptionInInitializerError(
                    "needs --add-exports java.base/jdk.internal.vm=ALL-UNNAMED: " + t);
        }
    }

    /** Continuations resumed round-robin; see the class comment. */
    @Param({"1", "10000"})
    public int continuations;

    /** Frames below the yield loop; see the class comment. */
    @Param({"0"})
    public int depth;

    private Object[] conts;
    private int next;

    /**
     * Starts every continuation and runs it to its first yield.
     *
     * @throws Throwable never (the method handles' signature)
     */
    @Setup(Level.Trial)
    public void setUp() throws Throwable {
        conts = new Object[continuations];
        for (int i = 0; i < continuations; i++) {
            int d = depth;
            Object c = (Object) NEW_CONTINUATION.invokeExact(SCOPE, (Runnable) () -> descend(d));
            RUN.invokeExact(c);
            conts[i] = c;
        }
        next = 0;
    }

    private static void descend(int d) {
        if (d > 0) {
            descend(d - 1);
            return;
        }
        try {
            for (;;) {
                boolean ignored = (boolean) YIELD.invokeExact(SCOPE);
            }
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * One thaw and one freeze: resumes the next continuation, which yields at once.
     *
     * @throws Throwable never (the method handle's signature)
     */
    @Benchmark
    public void yieldRun() throws Throwable {
        Object[] cs = conts;
        int i = next;
        RUN.invokeExact(cs[i]);
        next = i + 1 == cs.length ? 0 : i + 1;
    }
}
