package io.verdant.bench.actors;

import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Pid;
import io.verdant.Verdant;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.TimeUnit;

/**
 * The Savina actor benchmarks, each run on four systems with the same
 * parameters, the same message objects and the same answer checks:
 * <ul>
 * <li>{@code verdant}: one green thread per actor, its Verdant mailbox
 *     ({@link Green#send}/{@link Green#receive});</li>
 * <li>{@code verdant-event}: one Verdant event actor per actor (see {@link SavinaEvent});</li>
 * <li>{@code pekko}: Apache Pekko classic actors ({@link AbstractActor}) on a
 *     fork-join dispatcher with the given parallelism, default throughput (5);</li>
 * <li>{@code vt-default}: one JDK virtual thread per actor on the default
 *     scheduler, owning a mailbox: a {@link LinkedTransferQueue} for pingpong,
 *     ring and counting, an {@link java.util.concurrent.ArrayBlockingQueue} for
 *     the workloads below. Its parallelism is fixed at JVM start, so it runs in
 *     a forked JVM ({@code -Djdk.virtualThreadScheduler.parallelism=n}).</li>
 * </ul>
 * Pingpong, ring and counting are written here once per system and report
 * nanoseconds per message hop (pingpong: per round trip). Big, chameneos,
 * philosophers and bndbuffer are written once as a {@link SavinaWorkload} (the
 * protocol and its check) that each system runs with its own plumbing
 * ({@link #verdantWorkload}, {@link #pekkoWorkload}, {@link #vtWorkload},
 * {@link SavinaEvent}); they report milliseconds per run. Every measurement
 * times the message traffic only (actors are created before the clock starts).
 * The systems are {@link SavinaSystem} implementations listed in {@link #SYSTEMS};
 * {@link SavinaComparison} runs them on the harness.
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
        PINGPONG, RING, COUNTING, BIG, CHAMENEOS, PHILOSOPHERS, BNDBUFFER
    }

    /**
     * Parameters: pingpong (pings), ring (actors, hops), counting (messages),
     * big (actors, pings per actor), chameneos (chameneos, meetings),
     * philosophers (philosophers, rounds each), bndbuffer (producers = consumers,
     * items per producer). The last four are {@link SavinaWorkload}s.
     */
    public record Params(Kind kind, int actors, long n) {
        String label() {
            return switch (kind) {
                case PINGPONG -> "pings=" + n;
                case RING -> "actors=" + actors + " hops=" + n;
                case COUNTING -> "messages=" + n;
                case BIG -> "actors=" + actors + " pings=" + n;
                case CHAMENEOS -> "chameneos=" + actors + " meetings=" + n;
                case PHILOSOPHERS -> "philosophers=" + actors + " rounds=" + n;
                case BNDBUFFER -> "producers=" + actors + " consumers=" + actors + " items=" + n;
            };
        }

        /** @return the RESULT metric: ns_per_op for pingpong, ring, counting; ms per run for the workloads */
        String metric() {
            return workload() ? "ms" : "ns_per_op";
        }

        /** @return true for the kinds written once as a {@link SavinaWorkload} */
        boolean workload() {
            return switch (kind) {
                case PINGPONG, RING, COUNTING -> false;
                default -> true;
            };
        }
    }

    /**
     * One run's figure in its params' {@linkplain Params#metric metric}, and its
     * secondary figures for the RESULT line (philosophers: {@code denials}).
     */
    record Outcome(double value, java.util.Map<String, Double> extras) {
        static Outcome of(double value) {
            return new Outcome(value, java.util.Map.of());
        }
    }

    /** How long a driver waits for a workload's result before it fails the run (a hang is a bug). */
    static final long WORKLOAD_TIMEOUT_MINUTES = 10;

    // ------------------------------------------------------------------ the systems

    /**
     * The systems every Savina comparison runs, in this order. To add one,
     * implement {@link SavinaSystem} (a name, optional JVM flags, and how to
     * run one {@link Params}) and list it here.
     */
    static final List<SavinaSystem> SYSTEMS = List.of(
            new SavinaSystem.Verdant(),
            new SavinaSystem.VerdantEvent(),
            new SavinaSystem.Pekko(),
            new SavinaSystem.VtDefault());

    // ------------------------------------------------------------------ verdant

    static Outcome verdant(Verdant rt, Params p) {
        return rt.run(() -> switch (p.kind()) {
            case PINGPONG -> Outcome.of(verdantPingPong(p.n()));
            case RING -> Outcome.of(verdantRing(p.actors(), p.n()));
            case COUNTING -> Outcome.of(verdantCounting(p.n()));
            default -> verdantWorkload(SavinaWorkload.of(p));
        });
    }

    /**
     * A {@link SavinaWorkload} on green threads: one green thread per actor,
     * looping over its mailbox; the driver (this green thread) times from the
     * initial sends to the result in its own mailbox.
     */
    static Outcome verdantWorkload(SavinaWorkload wl) {
        int k = wl.actors();
        Pid driver = Green.self();
        Pid[] pids = new Pid[k];
        // Written before any message is sent; an actor reads it only after a
        // receive, which happens after the send that caused it.
        SavinaWorkload.Out out = new SavinaWorkload.Out() {
            @Override
            public void send(int to, Object msg) {
                Green.send(pids[to], msg);
            }

            @Override
            public void finish(Object result) {
                Green.send(driver, new Finished(result));
            }
        };
        List<GreenHandle<Void>> hs = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            SavinaWorkload.Logic logic = wl.create(i);
            GreenHandle<Void> h = Green.spawn(() -> {
                while (!SavinaWorkload.step(logic, Green.receive(), out)) {
                    // next message
                }
            });
            pids[i] = h.pid();
            hs.add(h);
        }
        long t0 = System.nanoTime();
        wl.start(out);
        Object result = ((Finished) Green.receive(java.time.Duration.ofMinutes(WORKLOAD_TIMEOUT_MINUTES))).result();
        long t = System.nanoTime() - t0;
        SavinaWorkload.unwrap(result);
        Green.joinAll(hs);
        return new Outcome(t / 1e6, wl.check(result));
    }

    /** A workload's result in the driver's mailbox. */
    record Finished(Object result) {
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

    static Outcome pekko(ActorSystem system, Params p) throws Exception {
        return switch (p.kind()) {
            case PINGPONG -> Outcome.of(pekkoPingPong(system, p.n()));
            case RING -> Outcome.of(pekkoRing(system, p.actors(), p.n()));
            case COUNTING -> Outcome.of(pekkoCounting(system, p.n()));
            default -> pekkoWorkload(system, SavinaWorkload.of(p));
        };
    }

    /** A {@link SavinaWorkload} actor on Pekko: the logic as its receive; counts its stop. */
    static final class LogicActor extends AbstractActor {
        private final SavinaWorkload.Logic logic;
        private final SavinaWorkload.Out out;
        private final java.util.concurrent.CountDownLatch stopped;

        LogicActor(SavinaWorkload.Logic logic, SavinaWorkload.Out out, java.util.concurrent.CountDownLatch stopped) {
            this.logic = logic;
            this.out = out;
            this.stopped = stopped;
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder().matchAny(m -> {
                if (SavinaWorkload.step(logic, m, out)) {
                    getContext().stop(getSelf());
                }
            }).build();
        }

        @Override
        public void postStop() {
            stopped.countDown();
        }
    }

    /**
     * A {@link SavinaWorkload} on Pekko: one classic actor per logic; sends are
     * {@code tell} with no sender (the messages carry actor numbers); the driver
     * (the calling thread, as in the other Pekko runs) times from the initial
     * sends to the result.
     */
    static Outcome pekkoWorkload(ActorSystem system, SavinaWorkload wl) throws Exception {
        int k = wl.actors();
        ActorRef[] refs = new ActorRef[k];
        CompletableFuture<Object> done = new CompletableFuture<>();
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(k);
        SavinaWorkload.Out out = new SavinaWorkload.Out() {
            @Override
            public void send(int to, Object msg) {
                refs[to].tell(msg, ActorRef.noSender());
            }

            @Override
            public void finish(Object result) {
                done.complete(result);
            }
        };
        for (int i = 0; i < k; i++) {
            SavinaWorkload.Logic logic = wl.create(i);
            refs[i] = system.actorOf(Props.create(LogicActor.class, () -> new LogicActor(logic, out, stopped)));
        }
        long t0 = System.nanoTime();
        wl.start(out);
        Object result = done.get(WORKLOAD_TIMEOUT_MINUTES, TimeUnit.MINUTES);
        long t = System.nanoTime() - t0;
        SavinaWorkload.unwrap(result);
        if (!stopped.await(WORKLOAD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            throw new AssertionError("not every actor stopped");
        }
        return new Outcome(t / 1e6, wl.check(result));
    }

    /**
     * Stops {@code actors} and waits until every one has terminated (untimed), so
     * that a Pekko round ends with its actors stopped, as a workload's round does
     * and as the other systems' rounds end with their threads joined: otherwise
     * Pekko stops them (10,000 for the long ring) beside the next system's round.
     *
     * @param actors the round's actors, idle
     * @throws Exception if one did not stop within the workload timeout
     */
    public static void stopAll(ActorRef... actors) throws Exception {
        java.time.Duration timeout = java.time.Duration.ofMinutes(WORKLOAD_TIMEOUT_MINUTES);
        CompletableFuture<?>[] stopped = new CompletableFuture<?>[actors.length];
        for (int i = 0; i < actors.length; i++) {
            stopped[i] = org.apache.pekko.pattern.Patterns.gracefulStop(actors[i], timeout).toCompletableFuture();
        }
        CompletableFuture.allOf(stopped).get(WORKLOAD_TIMEOUT_MINUTES, TimeUnit.MINUTES);
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
        stopAll(ping, pong);
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
        stopAll(ring);
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
        stopAll(counter, producer);
        if (got != n) {
            throw new AssertionError("counted " + got + " of " + n);
        }
        return (double) t / n;
    }

    // ------------------------------------------------------------------ vt-default

    static Outcome vt(Params p) {
        try {
            return switch (p.kind()) {
                case PINGPONG -> Outcome.of(vtPingPong(p.n()));
                case RING -> Outcome.of(vtRing(p.actors(), p.n()));
                case COUNTING -> Outcome.of(vtCounting(p.n()));
                default -> vtWorkload(SavinaWorkload.of(p));
            };
        } catch (InterruptedException | java.util.concurrent.ExecutionException
                 | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A {@link SavinaWorkload} on default virtual threads: one virtual thread per
     * actor owning an {@link java.util.concurrent.ArrayBlockingQueue} mailbox
     * (sized so that it never fills: {@link SavinaWorkload#mailboxCapacity}); the
     * driver is a virtual thread too, as in the other vt-default runs.
     */
    static Outcome vtWorkload(SavinaWorkload wl) throws InterruptedException, java.util.concurrent.ExecutionException,
            java.util.concurrent.TimeoutException {
        int k = wl.actors();
        @SuppressWarnings("unchecked")
        java.util.concurrent.ArrayBlockingQueue<Object>[] boxes =
                (java.util.concurrent.ArrayBlockingQueue<Object>[]) new java.util.concurrent.ArrayBlockingQueue<?>[k];
        for (int i = 0; i < k; i++) {
            boxes[i] = new java.util.concurrent.ArrayBlockingQueue<>(wl.mailboxCapacity());
        }
        CompletableFuture<Object> done = new CompletableFuture<>();
        SavinaWorkload.Out out = new SavinaWorkload.Out() {
            @Override
            public void send(int to, Object msg) {
                try {
                    boxes[to].put(msg);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted in a send", e);
                }
            }

            @Override
            public void finish(Object result) {
                done.complete(result);
            }
        };
        Thread[] ts = new Thread[k];
        for (int i = 0; i < k; i++) {
            SavinaWorkload.Logic logic = wl.create(i);
            java.util.concurrent.ArrayBlockingQueue<Object> mine = boxes[i];
            ts[i] = Thread.ofVirtual().start(() -> {
                try {
                    while (!SavinaWorkload.step(logic, mine.take(), out)) {
                        // next message
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        CompletableFuture<Outcome> timed = new CompletableFuture<>();
        Thread driver = Thread.ofVirtual().start(() -> {
            try {
                long t0 = System.nanoTime();
                wl.start(out);
                Object result = done.get(WORKLOAD_TIMEOUT_MINUTES, TimeUnit.MINUTES);
                long t = System.nanoTime() - t0;
                SavinaWorkload.unwrap(result);
                for (Thread th : ts) {
                    th.join();
                }
                timed.complete(new Outcome(t / 1e6, wl.check(result)));
            } catch (Throwable e) {
                timed.completeExceptionally(e);
            }
        });
        driver.join();
        return timed.get();
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
        LinkedTransferQueue<Object>[] boxes = (LinkedTransferQueue<Object>[]) new LinkedTransferQueue<?>[actors];
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
