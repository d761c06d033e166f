package io.verdant.bench.jmh;

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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * Spawn and join, per thread: the {@code spawn} comparison's work in batches of
 * {@link #OPS} no-op threads, for JMH's profilers, above all {@code -prof gc}
 * (bytes allocated per spawned thread, issue 11). One green thread (a virtual
 * thread for the baseline) spawns {@link #OPS} no-op threads, then joins them all.
 * <ul>
 * <li>{@code verdant}: on a runtime with {@code workers} carriers;</li>
 * <li>{@code vtDefault}: the baseline, default virtual threads
 * ({@code Thread.startVirtualThread}, {@code join}) on the JDK's scheduler with
 * its default parallelism (one per core; it is fixed at JVM start, so it does
 * not follow {@code workers}).</li>
 * </ul>
 * Unlike the runner's {@code spawn} (1,000,000 threads whose handles all stay
 * reachable until the end), a batch here keeps only {@link #OPS} handles, so the
 * garbage collector's share differs; use the runner for the time, this for
 * allocation and profiles.
 * Run: {@code java -jar verdant-bench/target/benchmarks.jar SpawnJmh -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED", "-Xss16m"})
public class SpawnJmh {
    /** Threads per invocation: enough to amortise the root thread's start and end (~20 µs). */
    static final int OPS = 10_000;
    private static final Runnable NOOP = () -> { };

    /** Carriers of the Verdant runtime. */
    @Param({"1", "2"})
    public int workers;

    private Verdant rt;

    /** Starts the runtime. */
    @Setup(Level.Trial)
    public void start() {
        rt = Verdant.start(Config.builder().workers(workers).name("spawn-jmh").build());
    }

    /** Closes it. */
    @TearDown(Level.Trial)
    public void stop() {
        rt.close();
    }

    /**
     * A green thread spawns {@link #OPS} no-op green threads, then joins them.
     *
     * @return the last handle (keeps the work alive)
     */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public Object verdant() {
        return rt.run(() -> {
            @SuppressWarnings("unchecked")
            GreenHandle<Void>[] hs = (GreenHandle<Void>[]) new GreenHandle<?>[OPS];
            for (int i = 0; i < OPS; i++) {
                hs[i] = Green.spawn(NOOP);
            }
            for (GreenHandle<Void> h : hs) {
                h.join();
            }
            return hs[OPS - 1];
        });
    }

    /**
     * A virtual thread starts {@link #OPS} no-op virtual threads, then joins them.
     *
     * @return the last thread (keeps the work alive)
     * @throws InterruptedException if the benchmark thread is interrupted
     */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public Object vtDefault() throws InterruptedException {
        Thread[] last = new Thread[1];
        Thread root = Thread.startVirtualThread(() -> {
            Thread[] ts = new Thread[OPS];
            for (int i = 0; i < OPS; i++) {
                ts[i] = Thread.startVirtualThread(NOOP);
            }
            try {
                for (Thread t : ts) {
                    t.join();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            last[0] = ts[OPS - 1];
        });
        root.join();
        return last[0];
    }
}
