package io.verdant.bench;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.Verdant;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * The cost observability adds per dispatch (design/observability.md, acceptance:
 * metrics at most 3 ns per dispatch; exact CPU timing at most 50 ns). One green
 * thread yields {@link #YIELDS} times on a one-carrier runtime: each yield is one
 * dispatch. Compare, in the same run:
 * <ul>
 * <li>{@code DispatchOverhead.yields} with {@code cpuTiming=false}: metrics on (the default);</li>
 * <li>{@code DispatchOverhead.MetricsOff.yields}: the same JVM flags plus
 *     {@code -Dverdant.metrics=false} (the per-slice stamp removed);</li>
 * <li>{@code cpuTiming=true}: exact per-slice timing (two clock reads per dispatch).</li>
 * </ul>
 * Figures are per dispatch (ns). Run on a quiet machine, e.g.
 * {@code java -jar verdant-bench/target/benchmarks.jar DispatchOverhead -f 3 -wi 5 -i 10}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED"})
public class DispatchOverhead {
    /** Yields per invocation: enough that starting and joining the thread is under 1% of it. */
    static final int YIELDS = 10_000;

    @Param({"false", "true"})
    public boolean cpuTiming;

    Verdant rt;

    @Setup(Level.Trial)
    public void start() {
        rt = Verdant.start(Config.builder().workers(1).name("dispatch-overhead").cpuTiming(cpuTiming).build());
    }

    @TearDown(Level.Trial)
    public void stop() {
        rt.close();
    }

    @Benchmark
    @OperationsPerInvocation(YIELDS)
    public void yields() {
        rt.run(() -> {
            for (int i = 0; i < YIELDS; i++) {
                Green.yield();
            }
        });
    }

    /** The same with the per-slice stamp compiled out ({@code -Dverdant.metrics=false}). */
    @Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED", "-Dverdant.metrics=false"})
    public static class MetricsOff extends DispatchOverhead {
    }
}
