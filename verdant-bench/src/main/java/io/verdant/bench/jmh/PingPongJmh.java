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

import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code pingpong} at one carrier (issue 11), for what a round trip costs in
 * counted terms: run with {@code -prof gc} for the bytes allocated per round
 * trip ({@code gc.alloc.rate.norm}, which does not depend on the machine's load).
 * <ul>
 * <li>{@code verdant}: two green threads on a one-worker runtime passing a
 * message back and forth over two rendezvous channels (as the comparison runner's
 * {@code pingpong});</li>
 * <li>{@code vtDefault}: two virtual threads on the default scheduler, in a fork
 * with {@code -Djdk.virtualThreadScheduler.parallelism=1}, over two
 * {@link SynchronousQueue}s (the runner's {@code vt-default}).</li>
 * </ul>
 * One operation is one round trip (two hand-offs, two parks, two dispatches).
 * Run: {@code java -jar verdant-bench/target/benchmarks.jar 'PingPongJmh' -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED", "-Xss16m",
        "-Djdk.virtualThreadScheduler.parallelism=1"})
public class PingPongJmh {
    /** Round trips per invocation: enough to amortise starting and joining the threads (~20 µs). */
    static final int OPS = 10_000;

    private Verdant rt;

    /** Starts a one-carrier runtime. */
    @Setup(Level.Trial)
    public void start() {
        rt = Verdant.start(Config.builder().workers(1).name("pingpong-jmh").build());
    }

    /** Closes it. */
    @TearDown(Level.Trial)
    public void stop() {
        rt.close();
    }

    /**
     * {@link #OPS} round trips between two green threads over rendezvous channels.
     *
     * @return the last message (keeps the work alive)
     */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public Object verdant() {
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

    /**
     * {@link #OPS} round trips between two default-scheduler virtual threads over
     * {@link SynchronousQueue}s.
     *
     * @return the last message (keeps the work alive)
     * @throws InterruptedException if interrupted while joining
     */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public Object vtDefault() throws InterruptedException {
        SynchronousQueue<Integer> ping = new SynchronousQueue<>();
        SynchronousQueue<Integer> pong = new SynchronousQueue<>();
        Integer[] last = new Integer[1];
        Thread echo = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < OPS; i++) {
                    pong.put(ping.take());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread main = Thread.ofVirtual().start(() -> {
            try {
                Integer one = 1;
                for (int i = 0; i < OPS; i++) {
                    ping.put(one);
                    last[0] = pong.take();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        main.join();
        echo.join();
        return last[0];
    }
}
