package io.verdant.bench.actors;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Pid;
import io.verdant.Verdant;
import io.verdant.bench.Report;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.TimeUnit;

/**
 * Three Savina actor benchmarks, each written for four systems with the same
 * parameters and the same message objects:
 * <ul>
 * <li>{@code verdant}: one green thread per actor, its Verdant mailbox
 *     ({@link Green#send}/{@link Green#receive});</li>
 * <li>{@code verdant-event}: one Verdant event actor per actor (see {@link SavinaEvent});</li>
 * <li>{@code pekko}: Apache Pekko classic actors ({@link AbstractActor}) on a
 *     fork-join dispatcher with the given parallelism, default throughput (5);</li>
 * <li>{@code vt-default}: one JDK virtual thread per actor on the default
 *     scheduler, one {@link LinkedTransferQueue} mailbox each. Its parallelism is
 *     fixed at JVM start, so it runs in a forked JVM
 *     ({@code -Djdk.virtualThreadScheduler.parallelism=n}).</li>
 * </ul>
 * Every measurement times the message traffic only (actors are created before
 * the clock starts) and reports nanoseconds per message hop (pingpong: per round trip).
 */
public final class Savina {
    static final Object PING = new Object();
    static final Object PONG = new Object();
    static final Object INC = new Object();
    static final Object STOP = new Object();
    static final Object START = new Object();
    static final Object DONE = new Object();

    record Get(Object replyTo) {
    }

    record SetNext(ActorRef next) {
    }

    private Savina() {
    }

    /** One benchmark with its parameters. */
    public enum Kind {
        PINGPONG, RING, COUNTING
    }

    /** Parameters: pingpong (pings), ring (actors, hops), counting (messages). */
    public record Params(Kind kind, int actors, long n) {
        String label() {
            return switch (kind) {
                case PINGPONG -> "pings=" + n;
                case RING -> "actors=" + actors + " hops=" + n;
                case COUNTING -> "messages=" + n;
            };
        }
    }

    // ------------------------------------------------------------------ the runner

    /**
     * Runs {@code params} on verdant and pekko alternately ({@code rounds}
     * measured after {@code warmups}), for each worker count, then vt-default
     * in a forked JVM per worker count; prints RESULT lines (median ns per op).
     */
    static void compare(String bench, List<Params> params, int[] workerCounts, int warmups, int rounds, Report report)
            throws Exception {
        for (int workers : workerCounts) {
            try (Verdant rt = Verdant.start(Config.builder().workers(workers).name("savina").build())) {
                ActorSystem system = pekko(workers);
                try {
                    for (Params p : params) {
                        double[] v = new double[rounds];
                        double[] e = new double[rounds];
                        double[] k = new double[rounds];
                        for (int i = 0; i < warmups; i++) {
                            verdant(rt, p);
                            SavinaEvent.run(rt, p);
                            pekko(system, p);
                        }
                        for (int i = 0; i < rounds; i++) {
                            v[i] = verdant(rt, p);
                            e[i] = SavinaEvent.run(rt, p);
                            k[i] = pekko(system, p);
                        }
                        report.result(bench, "verdant", p.n(), "ns_per_op", median(v), "workers=" + workers,
                                p.label().replace(' ', ','));
                        report.result(bench, "verdant-event", p.n(), "ns_per_op", median(e), "workers=" + workers,
                                p.label().replace(' ', ','));
                        report.result(bench, "pekko", p.n(), "ns_per_op", median(k), "workers=" + workers,
                                p.label().replace(' ', ','));
                    }
                } finally {
                    system.terminate();
                    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
                }
            }
            forkVt(bench, params, workers, warmups, rounds);
        }
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static void forkVt(String bench, List<Params> params, int workers, int warmups, int rounds) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xss16m", "-Xms1g", "-Xmx4g",
                "-Djdk.virtualThreadScheduler.parallelism=" + workers,
                "-Djdk.virtualThreadScheduler.maxPoolSize=" + Math.max(256, workers),
                "-cp", System.getProperty("java.class.path"), VtFork.class.getName(),
                bench, Integer.toString(workers), Integer.toString(warmups), Integer.toString(rounds)));
        for (Params p : params) {
            cmd.add(p.kind() + ":" + p.actors() + ":" + p.n());
        }
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream()))) {
            for (String line; (line = r.readLine()) != null; ) {
                System.out.println(line);
            }
        }
        if (proc.waitFor() != 0) {
            System.out.println("# vt-default fork exited with " + proc.exitValue());
        }
    }

    /** The forked JVM of the vt-default system. */
    public static final class VtFork {
        public static void main(String[] args) {
            String bench = args[0];
            int workers = Integer.parseInt(args[1]);
            int warmups = Integer.parseInt(args[2]);
            int rounds = Integer.parseInt(args[3]);
            Report report = new Report();
            for (int a = 4; a < args.length; a++) {
                String[] f = args[a].split(":");
                Params p = new Params(Kind.valueOf(f[0]), Integer.parseInt(f[1]), Long.parseLong(f[2]));
                for (int i = 0; i < warmups; i++) {
                    vt(p);
                }
                double[] x = new double[rounds];
                for (int i = 0; i < rounds; i++) {
                    x[i] = vt(p);
                }
                report.result(bench, "vt-default", p.n(), "ns_per_op", median(x), "workers=" + workers,
                        p.label().replace(' ', ','));
            }
        }
    }

    // ------------------------------------------------------------------ verdant

    static double verdant(Verdant rt, Params p) {
        return rt.run(() -> switch (p.kind()) {
            case PINGPONG -> verdantPingPong(p.n());
            case RING -> verdantRing(p.actors(), p.n());
            case COUNTING -> verdantCounting(p.n());
        });
    }

    private static double verdantPingPong(long n) {
        Pid ping = Green.self();
        GreenHandle<Void> pong = Green.spawn(() -> {
            for (;;) {
                Object m = Green.receive();
                if (m == STOP) {
                    return;
                }
                Green.send(ping, PONG);
            }
        });
        Pid pongPid = pong.pid();
        long t0 = System.nanoTime();
        for (long i = 0; i < n; i++) {
            Green.send(pongPid, PING);
            Green.receive();
        }
        long t = System.nanoTime() - t0;
        Green.send(pongPid, STOP);
        pong.join();
        return (double) t / n;
    }

    private static double verdantRing(int actors, long hops) {
        Pid main = Green.self();
        Pid[] pids = new Pid[actors];
        List<GreenHandle<Void>> hs = new ArrayList<>(actors);
        for (int i = 0; i < actors; i++) {
            int me = i;
            GreenHandle<Void> h = Green.spawn(() -> {
                Pid next = (Pid) Green.receive();
                for (;;) {
                    Object m = Green.receive();
                    if (m == STOP) {
                        return;
                    }
                    int left = (Integer) m;
                    if (left == 0) {
                        Green.send(main, DONE);
                    } else {
                        Green.send(next, left - 1);
                    }
                }
            });
            pids[me] = h.pid();
            hs.add(h);
        }
        for (int i = 0; i < actors; i++) {
            Green.send(pids[i], pids[(i + 1) % actors]);
        }
        long t0 = System.nanoTime();
        Green.send(pids[0], (int) hops);
        Green.receive();
        long t = System.nanoTime() - t0;
        for (Pid p : pids) {
            Green.send(p, STOP);
        }
        for (GreenHandle<Void> h : hs) {
            h.join();
        }
        return (double) t / hops;
    }


    private static double verdantCounting(long n) {
        GreenHandle<Long> counter = Green.spawn(() -> {
            long count = 0;
            for (;;) {
                Object m = Green.receive();
                if (m == INC) {
                    count++;
                } else if (m instanceof Get g) {
                    Green.send((Pid) g.replyTo(), count);
                    return count;
                }
            }
        });
        Pid c = counter.pid();
        long t0 = System.nanoTime();
        for (long i = 0; i < n; i++) {
            Green.send(c, INC);
        }
        Green.send(c, new Get(Green.self()));
        long got = (Long) Green.receive();
        long t = System.nanoTime() - t0;
        counter.join();
        if (got != n) {
            throw new AssertionError("counted " + got + " of " + n);
        }
        return (double) t / n;
    }

    // ------------------------------------------------------------------ pekko

    static ActorSystem pekko(int workers) {
        com.typesafe.config.Config c = com.typesafe.config.ConfigFactory.parseString(
                "pekko.loglevel = WARNING\n"
                        + "pekko.stdout-loglevel = WARNING\n"
                        + "pekko.log-dead-letters = off\n"
                        + "pekko.actor.default-dispatcher.executor = fork-join-executor\n"
                        + "pekko.actor.default-dispatcher.fork-join-executor.parallelism-min = " + workers + "\n"
                        + "pekko.actor.default-dispatcher.fork-join-executor.parallelism-max = " + workers + "\n"
                        + "pekko.actor.default-dispatcher.fork-join-executor.parallelism-factor = 1.0\n")
                .withFallback(com.typesafe.config.ConfigFactory.defaultReference());
        return ActorSystem.create("savina", c);
    }

    static double pekko(ActorSystem system, Params p) throws Exception {
        return switch (p.kind()) {
            case PINGPONG -> pekkoPingPong(system, p.n());
            case RING -> pekkoRing(system, p.actors(), p.n());
            case COUNTING -> pekkoCounting(system, p.n());
        };
    }

    static final class PongActor extends AbstractActor {
        @Override
        public Receive createReceive() {
            return receiveBuilder().matchEquals(PING, m -> getSender().tell(PONG, getSelf())).build();
        }
    }

    static final class PingActor extends AbstractActor {
        private final ActorRef pong;
        private final long n;
        private final CompletableFuture<Long> done;
        private long left;
        private long t0;

        PingActor(ActorRef pong, long n, CompletableFuture<Long> done) {
            this.pong = pong;
            this.n = n;
            this.done = done;
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder()
                    .matchEquals(START, m -> {
                        left = n;
                        t0 = System.nanoTime();
                        pong.tell(PING, getSelf());
                    })
                    .matchEquals(PONG, m -> {
                        if (--left == 0) {
                            done.complete(System.nanoTime() - t0);
                        } else {
                            pong.tell(PING, getSelf());
                        }
                    }).build();
        }
    }

    private static double pekkoPingPong(ActorSystem system, long n) throws Exception {
        CompletableFuture<Long> done = new CompletableFuture<>();
        ActorRef pong = system.actorOf(Props.create(PongActor.class, PongActor::new));
        ActorRef ping = system.actorOf(Props.create(PingActor.class, () -> new PingActor(pong, n, done)));
        ping.tell(START, ActorRef.noSender());
        long t = done.get(10, TimeUnit.MINUTES);
        system.stop(ping);
        system.stop(pong);
        return (double) t / n;
    }

    static final class RingActor extends AbstractActor {
        private final CompletableFuture<Long> done;
        private ActorRef next;

        RingActor(CompletableFuture<Long> done) {
            this.done = done;
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder()
                    .match(SetNext.class, m -> next = m.next())
                    .match(Integer.class, left -> {
                        if (left == 0) {
                            done.complete(System.nanoTime());
                        } else {
                            next.tell(left - 1, getSelf());
                        }
                    }).build();
        }
    }

    private static double pekkoRing(ActorSystem system, int actors, long hops) throws Exception {
        CompletableFuture<Long> done = new CompletableFuture<>();
        ActorRef[] ring = new ActorRef[actors];
        for (int i = 0; i < actors; i++) {
            ring[i] = system.actorOf(Props.create(RingActor.class, () -> new RingActor(done)));
        }
        for (int i = 0; i < actors; i++) {
            ring[i].tell(new SetNext(ring[(i + 1) % actors]), ActorRef.noSender());
        }
        // Every SetNext is processed before the token arrives: per-sender order into each mailbox.
        long t0 = System.nanoTime();
        ring[0].tell((int) hops, ActorRef.noSender());
        long end = done.get(10, TimeUnit.MINUTES);
        for (ActorRef a : ring) {
            system.stop(a);
        }
        return (double) (end - t0) / hops;
    }

    static final class CounterActor extends AbstractActor {
        private long count;

        @Override
        public Receive createReceive() {
            return receiveBuilder()
                    .matchEquals(INC, m -> count++)
                    .match(Get.class, g -> ((ActorRef) g.replyTo()).tell(count, getSelf())).build();
        }
    }

    /** Savina's producer is an actor too, so Pekko gets no extra thread. */
    static final class ProducerActor extends AbstractActor {
        private final ActorRef counter;
        private final long n;
        private final CompletableFuture<Long> done;

        ProducerActor(ActorRef counter, long n, CompletableFuture<Long> done) {
            this.counter = counter;
            this.n = n;
            this.done = done;
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder()
                    .matchEquals(START, m -> {
                        for (long i = 0; i < n; i++) {
                            counter.tell(INC, getSelf());
                        }
                        counter.tell(new Get(getSelf()), getSelf());
                    })
                    .match(Long.class, done::complete).build();
        }
    }

    private static double pekkoCounting(ActorSystem system, long n) throws Exception {
        CompletableFuture<Long> done = new CompletableFuture<>();
        ActorRef counter = system.actorOf(Props.create(CounterActor.class, CounterActor::new));
        ActorRef producer = system.actorOf(Props.create(ProducerActor.class, () -> new ProducerActor(counter, n, done)));
        long t0 = System.nanoTime();
        producer.tell(START, ActorRef.noSender());
        long got = done.get(10, TimeUnit.MINUTES);
        long t = System.nanoTime() - t0;
        system.stop(counter);
        system.stop(producer);
        if (got != n) {
            throw new AssertionError("counted " + got + " of " + n);
        }
        return (double) t / n;
    }

    // ------------------------------------------------------------------ vt-default

    static double vt(Params p) {
        try {
            return switch (p.kind()) {
                case PINGPONG -> vtPingPong(p.n());
                case RING -> vtRing(p.actors(), p.n());
                case COUNTING -> vtCounting(p.n());
            };
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double vtPingPong(long n) throws InterruptedException {
        LinkedTransferQueue<Object> pingBox = new LinkedTransferQueue<>();
        LinkedTransferQueue<Object> pongBox = new LinkedTransferQueue<>();
        Thread pong = Thread.ofVirtual().start(() -> {
            try {
                for (;;) {
                    Object m = pongBox.take();
                    if (m == STOP) {
                        return;
                    }
                    pingBox.put(PONG);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long[] t = new long[1];
        Thread ping = Thread.ofVirtual().start(() -> {
            try {
                long t0 = System.nanoTime();
                for (long i = 0; i < n; i++) {
                    pongBox.put(PING);
                    pingBox.take();
                }
                t[0] = System.nanoTime() - t0;
                pongBox.put(STOP);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ping.join();
        pong.join();
        return (double) t[0] / n;
    }

    private static double vtRing(int actors, long hops) throws InterruptedException {
        @SuppressWarnings("unchecked")
        LinkedTransferQueue<Object>[] boxes = new LinkedTransferQueue[actors];
        for (int i = 0; i < actors; i++) {
            boxes[i] = new LinkedTransferQueue<>();
        }
        LinkedTransferQueue<Object> mainBox = new LinkedTransferQueue<>();
        Thread[] ts = new Thread[actors];
        for (int i = 0; i < actors; i++) {
            LinkedTransferQueue<Object> mine = boxes[i];
            LinkedTransferQueue<Object> next = boxes[(i + 1) % actors];
            ts[i] = Thread.ofVirtual().start(() -> {
                try {
                    for (;;) {
                        Object m = mine.take();
                        if (m == STOP) {
                            return;
                        }
                        int left = (Integer) m;
                        if (left == 0) {
                            mainBox.put(DONE);
                        } else {
                            next.put(left - 1);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        long t0 = System.nanoTime();
        boxes[0].put((int) hops);
        mainBox.take();
        long t = System.nanoTime() - t0;
        for (LinkedTransferQueue<Object> b : boxes) {
            b.put(STOP);
        }
        for (Thread th : ts) {
            th.join();
        }
        return (double) t / hops;
    }

    private static double vtCounting(long n) throws InterruptedException {
        LinkedTransferQueue<Object> box = new LinkedTransferQueue<>();
        LinkedTransferQueue<Object> reply = new LinkedTransferQueue<>();
        Thread counter = Thread.ofVirtual().start(() -> {
            try {
                long count = 0;
                for (;;) {
                    Object m = box.take();
                    if (m == INC) {
                        count++;
                    } else if (m instanceof Get) {
                        reply.put(count);
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long[] t = new long[1];
        long[] got = new long[1];
        Thread producer = Thread.ofVirtual().start(() -> {
            try {
                long t0 = System.nanoTime();
                for (long i = 0; i < n; i++) {
                    box.put(INC);
                }
                box.put(new Get(null));
                got[0] = (Long) reply.take();
                t[0] = System.nanoTime() - t0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        producer.join();
        counter.join();
        if (got[0] != n) {
            throw new AssertionError("counted " + got[0] + " of " + n);
        }
        return (double) t[0] / n;
    }
}
