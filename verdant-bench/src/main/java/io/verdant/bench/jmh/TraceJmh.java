package io.verdant.bench.jmh;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.TraceRecording;
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
 * The cost of the scheduling trace per dispatch: a green thread yielding
 * {@link #YIELDS} times on a one-carrier runtime (one dispatch per yield), with
 * tracing off (the compiled-in cost: two opaque reads, their null tests and
 * one store of the carrier's own field per dispatch), with a trace recording
 * ({@code Verdant.startTrace}: one ring write and a 64th of a clock read per
 * dispatch, plus the collector thread), and with the
 * flight recorder on instead. {@link NotCompiledIn} runs the same with
 * {@code -Dverdant.trace=false}, the build without tracing.
 * Targets (issue 12): on minus off at most 60 ns per dispatch; off within 0.5%
 * of {@code NotCompiledIn} with {@code trace=off}. With {@code -prof gc},
 * {@code flight} shows the same {@code gc.alloc.rate.norm} as {@code off}:
 * recording allocates nothing per event on the carrier (the bytes per operation
 * left are the {@code rt.run} that starts each invocation's yielder, amortised);
 * {@code on} adds the rings installed anew at each iteration's restart (about
 * 5.7 MiB per restart with one carrier, measured before, so short iterations
 * show more per operation; {@code NotCompiledIn} with {@code trace=on} shows
 * that part alone). The collector's chunks are direct memory, which
 * {@code -prof gc} does not see: 2.3 bytes per slice of this loop, encoded, held outside the heap (they
 * were 52 bytes per event on the heap, which young collections copied).
 *
 * <pre>
 * java -jar verdant-bench/target/benchmarks.jar 'TraceJmh' -f 3 -wi 5 -i 10
 * java -jar verdant-bench/target/benchmarks.jar 'TraceJmh' -p trace=off,flight -prof gc
 * </pre>
 *
 * <p>The score is time per dispatch (per yield); the {@code rt.run} that starts
 * and joins the yielder is amortised over the {@link #YIELDS} dispatches.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED", "-Xss16m"})
public class TraceJmh {
    /** Dispatches per benchmark invocation: enough to amortise starting and joining the yielder (~20 µs). */
    static final int YIELDS = 10_000;

    /** off: nothing records; on: a trace started with startTrace(); flight: Config.flightRecorder(flightBytes). */
    @Param({"off", "on", "flight"})
    public String trace;

    /** The flight recorder's bytes per carrier, with {@code trace=flight}: 4 MiB by default. */
    @Param({"4194304"})
    public long flightBytes;

    private Verdant rt;
    private TraceRecording recording;

    @Setup(Level.Trial)
    public void start() {
        Config.Builder b = Config.builder().workers(1).name("trace-jmh");
        if (trace.equals("flight")) {
            b.flightRecorder(flightBytes);
        }
        rt = Verdant.start(b.build());
        if (trace.equals("on")) {
            recording = rt.startTrace();
        }
    }

    /** A trace left running would grow to its cap and count the rest as dropped: restart it per iteration. */
    @Setup(Level.Iteration)
    public void restartTrace() {
        if (recording != null) {
            recording.stop();
            recording = rt.startTrace();
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        if (recording != null) {
            recording.stop();
        }
        rt.close();
    }

    /**
     * One green thread yields {@link #YIELDS} times.
     *
     * @return nothing of interest
     */
    @Benchmark
    @OperationsPerInvocation(YIELDS)
    public Object dispatch() {
        return rt.run(() -> {
            for (int i = 0; i < YIELDS; i++) {
                Green.yield();
            }
            return null;
        });
    }

    /**
     * The same with tracing not compiled in ({@code -Dverdant.trace=false}: carriers
     * never look for a ring). Run it with {@code -p trace=off} against
     * {@code TraceJmh.dispatch} with {@code -p trace=off}: the difference is what the
     * compiled-in but idle trace hook costs (target at most 0.5%).
     */
    @Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED", "-Xss16m",
            "-Dverdant.trace=false"})
    public static class NotCompiledIn extends TraceJmh {
    }
}
