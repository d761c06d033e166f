package io.verdant.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The transformer in this JVM, with a stand-in Instrumentation: no agent installed. */
@Timeout(30)
class SafepointTransformerTest {
    private static final ClassLoader LOADER = SafepointTransformerTest.class.getClassLoader();

    /**
     * Two classes of one named module loaded at once: the second must not be
     * handed back (and run its checkpoints) before the first has given the module
     * its read edge to Verdant, or its first loop throws IllegalAccessError, and
     * keeps throwing it (a failed resolution is final).
     */
    @Test
    void noClassOfANamedModuleIsReturnedBeforeTheModuleReadsVerdant() throws Exception {
        CountDownLatch inRedefine = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean edge = new AtomicBoolean();
        Instrumentation inst = instrumentation((method, args) -> {
            if (method.equals("redefineModule")) {
                inRedefine.countDown();
                assertThat(release.await(20, TimeUnit.SECONDS)).isTrue();
                edge.set(true);
                return null;
            }
            throw new UnsupportedOperationException(method);
        });
        // java.base reads no unnamed module: the transformer must add the edge.
        Module named = Object.class.getModule();
        SafepointTransformer t = new SafepointTransformer(AgentOptions.parse("include=acme.**"), inst,
                LOADER.getUnnamedModule());
        byte[] spin = LoopInstrumenterTest.bytes("acme/loops/Spin");
        byte[] battery = LoopInstrumenterTest.bytes("acme/loops/Battery");

        Thread first = Thread.ofPlatform().start(
                () -> t.transform(named, LOADER, "acme/loops/Spin", null, null, spin));
        AtomicReference<byte[]> secondBytes = new AtomicReference<>();
        AtomicBoolean edgeWhenSecondReturned = new AtomicBoolean();
        try {
            assertThat(inRedefine.await(20, TimeUnit.SECONDS)).isTrue();
            Thread second = Thread.ofPlatform().start(() -> {
                secondBytes.set(t.transform(named, LOADER, "acme/loops/Battery", null, null, battery));
                edgeWhenSecondReturned.set(edge.get());
            });
            // The second either returns at once (the defect) or waits for the first.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (second.getState() != Thread.State.TERMINATED && second.getState() != Thread.State.BLOCKED
                    && second.getState() != Thread.State.WAITING) {
                assertThat(System.nanoTime() - deadline).isNegative();
                Thread.onSpinWait();
            }
            release.countDown();
            second.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(second.isAlive()).isFalse();
        } finally {
            release.countDown();
            first.join(TimeUnit.SECONDS.toMillis(20));
        }
        assertThat(secondBytes.get()).as("Battery instrumented").isNotNull();
        assertThat(edgeWhenSecondReturned).as("the module read Verdant when Battery was returned").isTrue();
        assertThat(t.stats().classes()).isEqualTo(2);
    }

    /**
     * Classes of a loader that cannot see io.verdant.Green, loaded by three threads at
     * once: all are left alone, and the loader is reported once, not once per thread
     * that looked it up before the first had recorded the answer.
     */
    @Test
    void aLoaderThatCannotSeeGreenIsReportedOnceWhenItsClassesLoadInParallel() throws Exception {
        int threads = 3;
        CountDownLatch looking = new CountDownLatch(threads);
        ClassLoader blind = new ClassLoader(null) {
            @Override
            public java.net.URL getResource(String name) {
                looking.countDown();
                try {
                    // All three look before any has its answer; bounded, so a change that
                    // looks once per loader only waits here, then passes.
                    looking.await(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }

            @Override
            public String toString() {
                return "blind-test-loader";
            }
        };
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger("io.verdant.agent");
        java.util.List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getMessage() != null && r.getMessage().contains("blind-test-loader")) {
                    warnings.add(r.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(capture);
        try {
            SafepointTransformer t = new SafepointTransformer(AgentOptions.parse("include=acme.**"),
                    instrumentation((method, args) -> {
                        throw new UnsupportedOperationException(method);
                    }), LOADER.getUnnamedModule());
            byte[] spin = LoopInstrumenterTest.bytes("acme/loops/Spin");
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread[] ts = new Thread[threads];
            for (int i = 0; i < threads; i++) {
                ts[i] = Thread.ofPlatform().start(() -> {
                    try {
                        assertThat(t.transform(null, blind, "acme/loops/Spin", null, null, spin)).isNull();
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                });
            }
            for (Thread th : ts) {
                th.join(TimeUnit.SECONDS.toMillis(20));
                assertThat(th.isAlive()).isFalse();
            }
            assertThat(failure.get()).isNull();
            assertThat(t.stats().classes()).isZero();
        } finally {
            jul.removeHandler(capture);
        }
        assertThat(warnings).hasSize(1);
    }

    /** A redefineModule that fails leaves no class of that module instrumented without the edge. */
    @Test
    void aModuleWhoseReadEdgeCouldNotBeAddedGetsNoInstrumentedClass() throws Exception {
        AtomicBoolean fail = new AtomicBoolean(true);
        AtomicBoolean edge = new AtomicBoolean();
        Instrumentation inst = instrumentation((method, args) -> {
            if (method.equals("redefineModule")) {
                if (fail.get()) {
                    throw new IllegalStateException("injected: redefineModule failed");
                }
                edge.set(true);
                return null;
            }
            throw new UnsupportedOperationException(method);
        });
        Module named = Object.class.getModule();
        SafepointTransformer t = new SafepointTransformer(AgentOptions.parse("include=acme.**"), inst,
                LOADER.getUnnamedModule());
        assertThat(t.transform(named, LOADER, "acme/loops/Spin", null, null, LoopInstrumenterTest.bytes("acme/loops/Spin")))
                .isNull();
        byte[] battery = t.transform(named, LOADER, "acme/loops/Battery", null, null,
                LoopInstrumenterTest.bytes("acme/loops/Battery"));
        assertThat(battery == null || edge.get()).as("instrumented without the read edge").isTrue();
        fail.set(false);
        assertThat(t.transform(named, LOADER, "acme/loops/Battery", null, null,
                LoopInstrumenterTest.bytes("acme/loops/Battery"))).isNotNull();
        assertThat(edge).isTrue();
    }

    /**
     * A class retransformed after it was loaded (another agent, Mockito's inline
     * mocks, a profiler) is instrumented again from its original bytes, but it is
     * still one class with the same methods and checkpoints: the totals must not
     * grow. A class that failed is counted once too.
     */
    @Test
    void aRetransformedClassIsCountedOnce() throws Exception {
        SafepointTransformer t = new SafepointTransformer(AgentOptions.parse("include=acme.**"),
                instrumentation((method, args) -> {
                    throw new UnsupportedOperationException(method);
                }), LOADER.getUnnamedModule());
        Module unnamed = LOADER.getUnnamedModule();
        byte[] spin = LoopInstrumenterTest.bytes("acme/loops/Spin");
        assertThat(t.transform(unnamed, LOADER, "acme/loops/Spin", null, null, spin)).isNotNull();
        AgentStats loaded = t.stats();
        assertThat(loaded.classes()).isEqualTo(1);
        for (int i = 0; i < 3; i++) {
            assertThat(t.transform(unnamed, LOADER, "acme/loops/Spin", acme.loops.Spin.class, null, spin))
                    .isNotNull();
        }
        AgentStats after = t.stats();
        assertThat(new long[] {after.classes(), after.methods(), after.safepoints(), after.failed()})
                .containsExactly(loaded.classes(), loaded.methods(), loaded.safepoints(), 0);

        byte[] huge = LoopInstrumenterTest.acmeHuge();
        assertThat(t.transform(unnamed, LOADER, "acme/gen/Huge", null, null, huge)).isNull();
        // Its retransformation (any loaded class stands in for the class object).
        assertThat(t.transform(unnamed, LOADER, "acme/gen/Huge", acme.loops.Spin.class, null, huge)).isNull();
        assertThat(t.stats().failed()).isEqualTo(1);
    }

    /**
     * A class defined with a null name ({@code ClassLoader.defineClass(null, bytes, ...)},
     * as some code generators do) reaches the transformer with a null className (the
     * JVMTI ClassFileLoadHook passes none): it is selected by the name in its bytes.
     */
    @Test
    void aClassDefinedWithoutANameIsSelectedByTheNameInItsBytes() throws Exception {
        SafepointTransformer t = new SafepointTransformer(AgentOptions.parse("include=acme.loops.Spin"),
                instrumentation((method, args) -> {
                    throw new UnsupportedOperationException(method);
                }), LOADER.getUnnamedModule());
        Module unnamed = LOADER.getUnnamedModule();
        byte[] spin = LoopInstrumenterTest.bytes("acme/loops/Spin");
        byte[] out = t.transform(unnamed, LOADER, null, null, null, spin);
        assertThat(out).as("instrumented").isNotNull();
        assertThat(LoopInstrumenterTest.checkpointsBeforeBackEdges(out, false)).isPositive();
        assertThat(t.stats().classes()).isEqualTo(1);
        assertThat(t.transform(unnamed, LOADER, null, null, null, LoopInstrumenterTest.bytes("acme/loops/Battery")))
                .as("not included").isNull();
        assertThat(t.transform(unnamed, LOADER, null, null, null, new byte[] {1, 2, 3}))
                .as("not a class file").isNull();
        assertThat(t.stats().classes()).isEqualTo(1);
    }

    interface Handler {
        Object handle(String method, Object[] args) throws Exception;
    }

    private static Instrumentation instrumentation(Handler h) {
        return (Instrumentation) Proxy.newProxyInstance(LOADER, new Class<?>[] {Instrumentation.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "test instrumentation";
                    default -> h.handle(method.getName(), args);
                });
    }
}
