package io.verdant.bench.jmh;

import io.verdant.agent.LoopInstrumenter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The agent's start-up cost: instrumenting every class of a real, loop-heavy
 * third-party library (XZ for Java, org.tukaani:xz, from Maven Central) —
 * parse, find back-edges, rewrite; classes without loops are parsed and
 * returned unchanged, as in the agent. One operation = the whole library
 * ({@link #CLASSES} classes); divide by the class count for the per-class cost.
 * Run it warm (default mode) and cold ({@code -bm ss -wi 0 -i 1 -f 5}: the first
 * pass in a fresh JVM, class-file API not yet loaded or compiled).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AgentInstrumentJmh {
    /** Set by setUp; printed so the per-class figure can be computed from the score. */
    public static int CLASSES;

    private List<byte[]> classes;
    private LoopInstrumenter instrumenter;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        classes = xzClasses();
        CLASSES = classes.size();
        instrumenter = new LoopInstrumenter(false);
        System.out.println("AgentInstrumentJmh: " + CLASSES + " classes of org.tukaani.xz");
    }

    @Benchmark
    public void instrumentLibrary(Blackhole bh) {
        for (byte[] b : classes) {
            bh.consume(instrumenter.instrument(b, AgentInstrumentJmh.class.getClassLoader()));
        }
    }

    /** Every class file under org/tukaani/xz/ in the jar that holds XZ (the shaded benchmarks.jar or xz's own). */
    static List<byte[]> xzClasses() throws IOException {
        URL url = AgentInstrumentJmh.class.getClassLoader().getResource("org/tukaani/xz/XZ.class");
        if (url == null || !(url.openConnection() instanceof JarURLConnection jc)) {
            throw new IOException("org.tukaani.xz is not in a jar on the class path: " + url);
        }
        List<byte[]> out = new ArrayList<>();
        try (JarFile jar = new JarFile(new java.io.File(jc.getJarFileURL().getPath()))) {
            for (Enumeration<JarEntry> en = jar.entries(); en.hasMoreElements(); ) {
                JarEntry e = en.nextElement();
                if (e.getName().startsWith("org/tukaani/xz/") && e.getName().endsWith(".class")) {
                    try (InputStream in = jar.getInputStream(e)) {
                        out.add(in.readAllBytes());
                    }
                }
            }
        }
        return out;
    }
}
