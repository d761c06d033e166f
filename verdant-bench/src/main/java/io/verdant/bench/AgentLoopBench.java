package io.verdant.bench;

import org.example.kernels.LoopKernels;
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

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The agent's steady-state cost: tight loops (LoopKernels) as compiled, and
 * again with {@code -jvmArgsAppend -javaagent:verdant-agent.jar=include=org.example.kernels.*},
 * which puts a Green.checkpoint() (one volatile read and a branch) on every
 * back-edge. The loops run on a platform thread, so the checkpoint takes its
 * fast path every time: this is the price of the poll, not of yielding.
 *
 * <pre>
 *   java -jar benchmarks.jar AgentLoopBench -f 1 -wi 3 -i 5 -w 1s -r 1s
 *   java -jar benchmarks.jar AgentLoopBench -f 1 -wi 3 -i 5 -w 1s -r 1s \
 *        -jvmArgsAppend "-javaagent:verdant-agent/target/verdant-agent-0.2.0.jar=include=org.example.kernels.*"
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED"})
public class AgentLoopBench {
    private int[] ints;
    private int[] dst;
    private int[] unsorted;
    private int[] work;
    private double[][] a;
    private double[][] b;
    private double[][] c;

    @Setup(Level.Trial)
    public void setUp() {
        Random r = new Random(42);
        ints = r.ints(10_000).toArray();
        dst = new int[ints.length];
        unsorted = r.ints(10_000).toArray();
        work = new int[unsorted.length];
        int n = 64;
        a = new double[n][n];
        b = new double[n][n];
        c = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                a[i][j] = r.nextDouble();
                b[i][j] = r.nextDouble();
            }
        }
    }

    @Benchmark
    public long sum() {
        return LoopKernels.sum(ints);
    }

    @Benchmark
    public int[] copy() {
        LoopKernels.copy(ints, dst);
        return dst;
    }

    @Benchmark
    public double[][] matmul() {
        LoopKernels.matmul(a, b, c);
        return c;
    }

    @Benchmark
    public int[] sort() {
        System.arraycopy(unsorted, 0, work, 0, work.length);
        LoopKernels.sort(work, 0, work.length - 1);
        return work;
    }
}
