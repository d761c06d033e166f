package io.verdant.bench.jmh;

import io.verdant.Green;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * The cost of {@link Green#checkpoint()} on its fast path (no preemption
 * request pending): a tight arithmetic loop with a checkpoint per iteration
 * versus the same loop without, and the call alone. Target: at most 3% slower,
 * at most 2 ns per call, no allocation (run with {@code -prof gc}).
 *
 * <p>Runs on JMH's platform threads: the fast path is the same read and branch
 * in and out of a green thread (outside one, a pending request elsewhere sends
 * it to a slow path that returns at once).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED"})
public class CheckpointJmh {
    @Param("1000")
    public int iterations;

    public long seed = 42;

    /** xorshift64: a dependent chain of shifts and xors the JIT can neither vectorize nor fold. */
    @Benchmark
    public long loop() {
        long x = seed;
        for (int i = 0; i < iterations; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }

    @Benchmark
    public long loopWithCheckpoint() {
        long x = seed;
        for (int i = 0; i < iterations; i++) {
            Green.checkpoint();
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }

    @Benchmark
    public void checkpointAlone() {
        Green.checkpoint();
    }
}
