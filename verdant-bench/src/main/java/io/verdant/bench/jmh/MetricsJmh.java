package io.verdant.bench.jmh;

import io.verdant.Channel;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * What the always-on metrics cost per dispatch (issue 12: at most 3 ns): the
 * same benchmarks with metrics on ({@code MetricsJmh}, the default) and off
 * ({@code MetricsJmh.Off}: the same JVM flags plus {@code -Dverdant.metrics=false},
 * the benchmarking switch that removes the statistics kept on the switch and park
 * paths), each in its own fork. Subtract the two scores of one benchmark.
 * <ul>
 * <li>{@code yield}: one green thread yielding {@link #OPS} times on a
 * one-carrier runtime: one dispatch per operation (the per-slice lastRanAt stamp);</li>
 * <li>{@code pingpong}: two green threads passing a message back and forth over
 * rendezvous channels on one carrier, {@link #OPS} round trips: per operation
 * two parks and two dispatches (the stamp and the waits count).</li>
 * </ul>
 * Run: {@code java -jar verdant-bench/target/benchmarks.jar 'MetricsJmh' -f 3 -wi 5 -i 10}
 * (the regex matches both classes).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED", "-Xss16m"})
public class MetricsJmh {
    /** Operations per invocation: enough to amortise starting and joining the threads (~20 µs). */
    static final int OPS = 10_000;

    private Verdant rt;

    /** Starts a one-carrier runtime. */
    @Setup(Level.Trial)
    public void start() {
        rt = Verdant.start(Config.builder().workers(1).name("metrics-jmh").build());
    }

    /** Closes it. */
    @TearDown(Level.Trial)
    public void stop() {
        rt.close();
    }

    /**
     * One green thread yields {@link #OPS} times.
     *
     * @return nothing of interest (keeps the call alive)
     */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public Object yield() {
        return rt.run(() -> {
            for (int i = 0; i < OPS; i++) {
                Green.yield();
            }
            return null;
        });
    }

    /**
     * {@link #OPS} round trips between two green threads over rendezvous channels.
     *
     * @return the last message (keeps the work alive)
     */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public Object pingpong() {
        return rt.run(() -> {
            Channel<Integer> ping = Channel.rendezvous();
            Channel<Integer> pong = Channel.rendezvous();
            GreenHandle<Void> echo = Green.spawn(() -> {
                for (int i = 0; i < OPS; i++) {
                    pong.send(ping.receive());
                }
            });
            Integer one = 1;
            Integer last = null;
            for (int i = 0; i < OPS; i++) {
                ping.send(one);
                last = pong.receive();
            }
            echo.join();
            return last;
        });
    }

    /** The same benchmarks with metrics off ({@code -Dverdant.metrics=false}). */
    @Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED", "-Xss16m",
            "-Dverdant.metrics=false"})
    public static class Off extends MetricsJmh {
    }
}
