package io.verdant.bench.jmh;

import io.verdant.Channel;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.RuntimeMetrics;
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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

/**
 * The ring of {@code RingComparison} under JMH, for what does not depend on
 * the machine's load: bytes allocated per hop ({@code -prof gc},
 * {@code gc.alloc.rate.norm}) and, for Verdant, dispatches and green-thread
 * parks per hop (printed at tear-down from {@link Verdant#metrics()}). The
 * times it reports are only as good as the machine is quiet; the comparison
 * runner ({@code RingComparison}) is what BENCHMARKS.md quotes for time.
 *
 * <pre>
 * system   verdant: green threads on Channel.rendezvous() (one carrier by
 *          default, see workers); vt: JDK virtual threads on SynchronousQueue,
 *          default scheduler (pass -jvmArgsAppend
 *          -Djdk.virtualThreadScheduler.parallelism=1 for one carrier).
 * threads  the ring's size: 10000 as in the comparison runner (each hop touches
 *          the state of a thread that ran 10,000 hops ago: cold).
 * workers  Verdant's carriers.
 *
 * java -jar verdant-bench/target/benchmarks.jar RingJmh -prof gc -f 1 -wi 3 -i 5
 * </pre>
 *
 * <p>The ring is built once per trial; each invocation sends one token round
 * {@link #HOPS} hops from the benchmark thread (a platform thread) and waits
 * for it to come back, so the two hops that cross to and from the benchmark
 * thread and the token's allocation are amortised over {@link #HOPS}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED"})
public class RingJmh {
    /** Hops per invocation: ten times round a ring of 10,000 (the cross-thread hops become noise). */
    static final int HOPS = 100_000;

    /** verdant or vt; see the class comment. */
    @Param({"verdant", "vt"})
    public String system;

    /** Threads in the ring; see the class comment. */
    @Param({"10000"})
    public int threads;

    /** Verdant's carriers; see the class comment. */
    @Param({"1"})
    public int workers;

    /** The token: hops left; handed over by rendezvous (a happens-before edge), so a plain field. */
    static final class Token {
        int left;
    }

    private static final Token STOP = new Token();

    private Verdant rt;
    private List<Channel<Token>> links;
    private Channel<Token> done;
    private List<SynchronousQueue<Token>> queues;
    private SynchronousQueue<Token> doneQueue;
    private Thread[] vthreads;
    private RuntimeMetrics before;
    private long hops;

    /** Builds the ring (not timed). */
    @Setup(Level.Trial)
    public void build() {
        if (system.equals("verdant")) {
            rt = Verdant.start(Config.builder().workers(workers).name("ring-jmh").build());
            links = new ArrayList<>(threads);
            for (int i = 0; i < threads; i++) {
                links.add(Channel.rendezvous());
            }
            done = Channel.rendezvous();
            rt.run(() -> {
                List<GreenHandle<Void>> hs = new ArrayList<>(threads);
                for (int i = 0; i < threads; i++) {
                    Channel<Token> in = links.get(i);
                    Channel<Token> next = links.get((i + 1) % threads);
                    hs.add(Green.spawn(() -> {
                        verdantLoop(in, next, done);
                        return null;
                    }));
                }
                return hs;
            });
        } else {
            queues = new ArrayList<>(threads);
            for (int i = 0; i < threads; i++) {
                queues.add(new SynchronousQueue<>());
            }
            doneQueue = new SynchronousQueue<>();
            vthreads = new Thread[threads];
            for (int i = 0; i < threads; i++) {
                SynchronousQueue<Token> in = queues.get(i);
                SynchronousQueue<Token> next = queues.get((i + 1) % threads);
                vthreads[i] = Thread.ofVirtual().start(() -> vtLoop(in, next, doneQueue));
            }
        }
    }

    private static void verdantLoop(Channel<Token> in, Channel<Token> next, Channel<Token> done) {
        for (;;) {
            Token t = in.receive();
            if (t == STOP) {
                return;
            }
            if (t.left == 0) {
                done.send(t);
            } else {
                t.left--;
                next.send(t);
            }
        }
    }

    private static void vtLoop(SynchronousQueue<Token> in, SynchronousQueue<Token> next, SynchronousQueue<Token> done) {
        try {
            for (;;) {
                Token t = in.take();
                if (t == STOP) {
                    return;
                }
                if (t.left == 0) {
                    done.put(t);
                } else {
                    t.left--;
                    next.put(t);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Verdant: the counters at the start of the measured iterations' window. */
    @Setup(Level.Iteration)
    public void mark() {
        if (rt != null && before == null) {
            before = rt.metrics();
        }
    }

    /**
     * One token round {@link #HOPS} hops.
     *
     * @return the token, back
     * @throws InterruptedException if the benchmark thread is interrupted (vt)
     */
    @Benchmark
    @OperationsPerInvocation(HOPS)
    public Object hops() throws InterruptedException {
        Token t = new Token();
        t.left = HOPS - 1;
        hops += HOPS;
        if (rt != null) {
            links.get(0).send(t);
            return done.receive();
        }
        queues.get(0).put(t);
        return doneQueue.take();
    }

    /**
     * Stops the ring; for Verdant prints dispatches (polls) and green-thread
     * parks (waits) per hop over the whole trial, warm-up included.
     *
     * @throws InterruptedException if interrupted while stopping the ring (vt)
     */
    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        if (rt != null) {
            RuntimeMetrics after = rt.metrics();
            System.out.printf("%nring counts: %d hops, %.4f dispatches/hop, %.4f green parks/hop, %.4f carrier parks/hop%n",
                    hops, (after.polls() - before.polls()) / (double) hops,
                    (after.waits() - before.waits()) / (double) hops,
                    (after.parks() - before.parks()) / (double) hops);
            for (Channel<Token> c : links) {
                c.send(STOP); // each ring thread waits in its receive and ends on STOP
            }
            rt.close();
        } else {
            for (Thread v : vthreads) {
                v.interrupt();
            }
            for (Thread v : vthreads) {
                v.join();
            }
        }
    }
}
