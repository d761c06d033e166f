package io.verdant.bench.jmh;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Pid;
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
import java.util.concurrent.locks.LockSupport;

/**
 * One message between two mailbox actors (issue 11), against the floor of a
 * stackful hand-off on the same one-carrier runtime. One operation is one
 * message: a hand-off from a running green thread to a parked one, which then
 * runs (so a round trip is two operations). Run with {@code -prof gc} for the
 * bytes allocated per message ({@code gc.alloc.rate.norm}), which does not
 * depend on the machine's load.
 * <ul>
 * <li>{@code mailbox}: two green threads ping-ponging with {@code Green.send}
 * and {@code Green.receive()} (the Savina {@code verdant} system's path);</li>
 * <li>{@code mailboxSelective}: the same with {@code Green.receive(Class)} (the
 * selective path's matcher and scan, no skipped messages);</li>
 * <li>{@code parkUnpark}: the floor through Verdant's scheduler: two green
 * threads handing a turn to each other with a plain field and
 * {@code LockSupport.park/unpark}, the cheapest wake-up Verdant has (the unpark
 * puts the peer in the carrier's LIFO slot, the park freezes, the peer thaws).
 * No queue, no actor cell.</li>
 * </ul>
 * The raw floor without any scheduler (one {@code Continuation} thaw plus one
 * freeze) is {@link ContinuationFloorJmh#yieldRun} with {@code continuations=1}.
 * Run: {@code java -jar verdant-bench/target/benchmarks.jar 'MailboxJmh|ContinuationFloorJmh.*continuations=1' -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED", "-Xss16m"})
public class MailboxJmh {
    /** Round trips per invocation: enough to amortise starting and joining the threads (~20 µs). */
    static final int ROUND_TRIPS = 10_000;
    /** Messages (hand-offs) per invocation. */
    static final int OPS = 2 * ROUND_TRIPS;

    private static final Object PING = "ping";
    private static final Object PONG = "pong";

    /** A message type for the selective receive (an instance per side, allocated once). */
    record Msg(int n) {
    }

    private Verdant rt;

    /** Starts a one-carrier runtime. */
    @Setup(Level.Trial)
    public void start() {
        rt = Verdant.start(Config.builder().workers(1).name("mailbox-jmh").build());
    }

    /** Closes it. */
    @TearDown(Level.Trial)
    public void stop() {
        rt.close();
    }

    /**
     * {@link #ROUND_TRIPS} round trips between two green threads over their mailboxes.
     *
     * @return the last message (keeps the work alive)
     */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public Object mailbox() {
        return rt.run(() -> {
            Pid me = Green.self();
            GreenHandle<Void> echo = Green.spawn(() -> {
                for (int i = 0; i < ROUND_TRIPS; i++) {
                    Green.receive();
                    Green.send(me, PONG);
                }
            });
            Pid peer = echo.pid();
            Object last = null;
            for (int i = 0; i < ROUND_TRIPS; i++) {
                Green.send(peer, PING);
                last = Green.receive();
            }
            echo.join();
            return last;
        });
    }

    /**
     * {@link #ROUND_TRIPS} round trips with a selective receive by type on both sides.
     *
     * @return the last message (keeps the work alive)
     */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public Object mailboxSelective() {
        return rt.run(() -> {
            Pid me = Green.self();
            Msg ping = new Msg(1);
            Msg pong = new Msg(2);
            GreenHandle<Void> echo = Green.spawn(() -> {
                for (int i = 0; i < ROUND_TRIPS; i++) {
                    Green.receive(Msg.class);
                    Green.send(me, pong);
                }
            });
            Pid peer = echo.pid();
            Object last = null;
            for (int i = 0; i < ROUND_TRIPS; i++) {
                Green.send(peer, ping);
                last = Green.receive(Msg.class);
            }
            echo.join();
            return last;
        });
    }

    /** The turn of {@link #parkUnpark}: 0 the main side's, 1 the echo's; written by the side handing over. */
    static final class Turn {
        volatile int turn;
    }

    /**
     * {@link #ROUND_TRIPS} round trips of a bare park/unpark hand-off between two green threads.
     *
     * @return the final turn (keeps the work alive)
     */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public Object parkUnpark() {
        return rt.run(() -> {
            Turn t = new Turn();
            Thread main = Thread.currentThread();
            Pid me = Green.self();
            GreenHandle<Void> echo = Green.spawn(() -> {
                Green.send(me, Thread.currentThread()); // set-up: the echo's thread, once
                for (int i = 0; i < ROUND_TRIPS; i++) {
                    while (t.turn != 1) {
                        LockSupport.park(t);
                    }
                    t.turn = 0;
                    LockSupport.unpark(main);
                }
            });
            Thread peer = (Thread) Green.receive();
            for (int i = 0; i < ROUND_TRIPS; i++) {
                t.turn = 1;
                LockSupport.unpark(peer);
                while (t.turn != 0) {
                    LockSupport.park(t);
                }
            }
            echo.join();
            return t.turn;
        });
    }
}
