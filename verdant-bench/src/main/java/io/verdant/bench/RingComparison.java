package io.verdant.bench;

import io.verdant.Channel;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.SynchronousQueue;

/**
 * ring: 10,000 threads in a ring, each connected to the next by a rendezvous
 * channel; one token goes round 1,000,000 hops (each hop a hand-off from one
 * thread to the next, which then passes it on). verdant: green threads on
 * {@link Channel#rendezvous()} channels; vt-default: JDK virtual threads on
 * {@link SynchronousQueue}s, parallelism fixed at JVM start, so in a forked
 * JVM. At 1 and 2 workers. The ring is built before the clock starts and torn
 * down after it stops; only the token's trip is timed. Metric: ns_per_op per hop.
 * The token is one mutable object, so no hop allocates in either system.
 * Answer check: the token arrives back at the driver having made every hop.
 */
final class RingComparison extends Harness {
    static final int ACTORS = size("bench.ring.actors", 10_000);
    static final int HOPS = size("bench.ring.hops", 1_000_000);

    @Override
    public String name() {
        return "ring";
    }

    @Override
    public String description() {
        return ACTORS + " threads in a ring of rendezvous channels, a token passed " + HOPS + " hops: verdant "
                + "(Channel.rendezvous) vs vt-default (SynchronousQueue), workers 1 and 2";
    }

    @Override
    protected int defaultWarmups() {
        return 2;
    }

    @Override
    protected int defaultRounds() {
        return 5;
    }

    @Override
    protected List<Entry> entries() {
        List<Entry> es = new ArrayList<>();
        for (int w : new int[] {1, 2}) {
            List<String> extra = List.of("workers=" + w, "threads=" + ACTORS);
            es.add(local("verdant-w" + w, name(), "verdant", HOPS, "ns_per_op", extra, () -> new VerdantTrial(w)));
            es.add(forked("vt-default-w" + w, name(), "vt-default", HOPS, "ns_per_op", extra,
                    List.of("-Djdk.virtualThreadScheduler.parallelism=" + w,
                            "-Djdk.virtualThreadScheduler.maxPoolSize=" + Math.max(w, 2)),
                    () -> RingComparison::vt));
        }
        return es;
    }

    @Override
    protected void summarize(Report report, Map<String, Double> m) {
        ratios(report, "ring verdant/vt-default (1 worker)", m, "verdant-w1", "vt-default-w1", "<=", 0.8);
        ratios(report, "ring verdant/vt-default (2 workers)", m, "verdant-w2", "vt-default-w2", "<=", 0.6);
    }

    /** The token: hops left; handed over by rendezvous (a happens-before edge), so a plain field. */
    static final class Token {
        int left;

        Token(int left) {
            this.left = left;
        }
    }

    /** Passed round the ring after the run: each thread forwards it and ends (the last one only ends). */
    static final Token STOP = new Token(-1);

    private static final class VerdantTrial implements Trial {
        private final Verdant rt;

        VerdantTrial(int workers) {
            rt = Verdant.start(Config.builder().workers(workers).name("ring").build());
        }

        @Override
        public double run() {
            return rt.run(RingComparison::verdant);
        }

        @Override
        public void close() {
            rt.close();
        }
    }

    static double verdant() {
        List<Channel<Token>> links = new ArrayList<>(ACTORS);
        for (int i = 0; i < ACTORS; i++) {
            links.add(Channel.rendezvous());
        }
        Channel<Token> done = Channel.rendezvous();
        List<GreenHandle<Void>> ring = new ArrayList<>(ACTORS);
        for (int i = 0; i < ACTORS; i++) {
            Channel<Token> in = links.get(i);
            Channel<Token> next = links.get((i + 1) % ACTORS);
            boolean last = i == ACTORS - 1;
            ring.add(Green.spawn(() -> {
                for (;;) {
                    Token t = in.receive();
                    if (t == STOP) {
                        if (!last) {
                            next.send(t);
                        }
                        return;
                    }
                    if (t.left == 0) {
                        done.send(t);
                    } else {
                        t.left--;
                        next.send(t);
                    }
                }
            }));
        }
        Token token = new Token(HOPS);
        long t0 = System.nanoTime();
        links.get(0).send(token);
        Token back = done.receive();
        long t = System.nanoTime() - t0;
        check(back, token);
        links.get(0).send(STOP);
        Green.joinAll(ring);
        return (double) t / HOPS;
    }

    static double vt() throws InterruptedException {
        List<SynchronousQueue<Token>> links = new ArrayList<>(ACTORS);
        for (int i = 0; i < ACTORS; i++) {
            links.add(new SynchronousQueue<>());
        }
        SynchronousQueue<Token> done = new SynchronousQueue<>();
        Thread[] ring = new Thread[ACTORS];
        for (int i = 0; i < ACTORS; i++) {
            SynchronousQueue<Token> in = links.get(i);
            SynchronousQueue<Token> next = links.get((i + 1) % ACTORS);
            boolean last = i == ACTORS - 1;
            ring[i] = Thread.ofVirtual().start(() -> {
                try {
                    for (;;) {
                        Token t = in.take();
                        if (t == STOP) {
                            if (!last) {
                                next.put(t);
                            }
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
            });
        }
        double[] perHop = new double[1];
        Thread driver = Thread.ofVirtual().start(() -> {
            try {
                Token token = new Token(HOPS);
                long t0 = System.nanoTime();
                links.get(0).put(token);
                Token back = done.take();
                long t = System.nanoTime() - t0;
                check(back, token);
                links.get(0).put(STOP);
                perHop[0] = (double) t / HOPS;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        driver.join();
        for (Thread th : ring) {
            th.join();
        }
        if (perHop[0] == 0) {
            throw new AssertionError("ring: the driver did not finish");
        }
        return perHop[0];
    }

    private static void check(Token back, Token sent) {
        if (back != sent || back.left != 0) {
            throw new AssertionError("ring: the token came back with " + back.left + " hops left");
        }
    }
}
