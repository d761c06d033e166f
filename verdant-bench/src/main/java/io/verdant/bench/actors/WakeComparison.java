package io.verdant.bench.actors;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.GreenState;
import io.verdant.Pid;
import io.verdant.RuntimeMetrics;
import io.verdant.Verdant;
import io.verdant.WorkerMetrics;
import io.verdant.bench.Harness;
import io.verdant.bench.Report;
import io.verdant.bench.Trial;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * {@code wake} (issue 11): 1,000,000 receivers each blocked in its own receive,
 * and one sender that sends each of them one message in turn.
 * <ul>
 * <li>{@code verdant}: green threads blocked in {@link Green#receive()}; the
 *     sender is a green thread ({@link Green#send}).</li>
 * <li>{@code vt-default}: virtual threads on the default scheduler, each blocked
 *     in {@code take()} on its own {@link LinkedTransferQueue}; the sender is a
 *     virtual thread ({@code put}).</li>
 * <li>{@code pekko}: classic actors with empty mailboxes; the sender is an actor
 *     ({@code tell}); a fork-join dispatcher of as many threads as workers.</li>
 * </ul>
 * Setup (not timed): start the receivers and wait until every one is blocked
 * (a virtual or green thread in state WAITING; a Pekko actor started). Timed:
 * the send loop (metric: ns_per_op, per send) and, as the extra {@code woken_ms},
 * the time from the first send until the last receiver has run (each receiver
 * counts down one shared counter after its receive; the answer check is that
 * every receiver got exactly the one message). Before its first round each
 * system warms the JIT with 10 rounds of N/100 (DESIGN.md: waking a million
 * continuations parked in C2 code can hit one deoptimisation per stack when
 * the wake-up path was never taken). Workers: the number of cores for all three.
 * Each measured round also prints a "# wake" line ({@link WakeRoundLog}): the
 * process's CPU, collector and JIT time over the round, Verdant's own counters
 * (stalls, spares, steals, parks) and, with {@code -Dbench.wake.deopts=true},
 * the deoptimizations that began in it: the evidence a slow round needs (issue
 * 11: in 2 of 7 runs every Verdant round after a stall report took 10.7-11.6 s).
 * <p>
 * Where the systems run ({@code -Dbench.wake.jvm}): {@code own} (the default)
 * gives each system a child JVM of its own ({@link Harness#forked}, with the
 * runner's heap and collector flags), asked for one round at a time, so the
 * systems still alternate round by round; {@code shared} runs all three in the
 * runner's JVM, as the comparison did until 2026-12-03. The two answer
 * different questions and both are reported: in one JVM the JDK's shared call
 * sites ({@code VirtualThread.run}'s {@code task.run()}, {@code
 * Continuation.enter}) see every system's body types, so each system's parked
 * frames are compiled with a profile the others shaped (more frames per parked
 * stack, hence more slow thaws after a young collection: docs/benchmarks.md,
 * "wake"); in its own JVM each system is compiled as a program using it alone
 * would be. Each round's line carries the young collections and collector time
 * of the JVM that ran it (the extras {@code young_gcs} and {@code gc_ms}).
 * Every system's round ends (untimed) when its receivers have ended: Verdant
 * and vt-default join theirs, Pekko waits for every receiver's postStop; and
 * each child then waits until its process is quiet before it answers
 * ({@link io.verdant.bench.Trial#settlesAfterRound()}): an idle Pekko child
 * took 0.1 to 0.24 of a core during Verdant's rounds, its dispatchers still
 * busy with the stopped actors after the last postStop (docs/benchmarks.md,
 * "An idle sibling JVM").
 */
public final class WakeComparison extends Harness {
    static final int N = size(1_000_000);
    /** JIT warm-up before the first measured round: rounds of N / 100 (issue 11's definition). */
    static final int WARM_ROUNDS = 10;
    static final Object MSG = new Object();
    static final Object GO = new Object();
    /** {@code -Dbench.wake.jvm=shared}: every system in the runner's JVM; otherwise each in its own (class comment). */
    static final boolean OWN_JVM = !"shared".equals(System.getProperty("bench.wake.jvm", "own"));

    @Override
    public String name() {
        return "wake";
    }

    @Override
    public String description() {
        return "1,000,000 receivers blocked in their own receive, one sender sends to each in turn: send loop per "
                + "send, and time until all woken (verdant, vt-default, pekko)";
    }

    @Override
    protected int defaultWarmups() {
        return 0; // each trial warms up itself (WARM_ROUNDS), see the class comment
    }

    @Override
    protected int defaultRounds() {
        return 3;
    }

    @Override
    protected List<Entry> entries() {
        int workers = Runtime.getRuntime().availableProcessors();
        List<String> w = List.of("workers=" + workers, "jvm=" + (OWN_JVM ? "own" : "shared"));
        return List.of(
                entry("verdant", w, () -> new WakeTrial("verdant", new VerdantWake(workers))),
                entry("vt-default", w, () -> new WakeTrial("vt-default", new VtWake())),
                entry("pekko", w, () -> new WakeTrial("pekko", new PekkoWake(workers))));
    }

    private static Entry entry(String system, List<String> extra, Trial.Factory f) {
        return OWN_JVM
                ? forked(system, "wake", system, N, "ns_per_op", extra, heapFlags(), f)
                : local(system, "wake", system, N, "ns_per_op", extra, f);
    }

    /**
     * The runner's heap and collector flags ({@code -Xms}, {@code -Xmx}, {@code -Xmn},
     * {@code -XX:} collector and heap-region choices, {@code AlwaysPreTouch}), so a child JVM collects as the
     * runner's JVM would; a child that got none uses the JVM's defaults, as the runner did.
     */
    static List<String> heapFlags() {
        List<String> flags = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-Xms") || a.startsWith("-Xmx") || a.startsWith("-Xmn")
                    || a.matches("-XX:[+-]Use\\w*GC") || a.matches("-XX:[+-]AlwaysPreTouch") || a.startsWith("-XX:G1") || a.startsWith("-XX:NewSize")
                    || a.startsWith("-XX:MaxNewSize") || a.startsWith("-XX:NewRatio")) {
                flags.add(a);
            }
        }
        return flags;
    }

    @Override
    protected void summarize(Report report, Map<String, Double> m) {
        Double send = m.get("verdant");
        if (send != null) {
            report.note(String.format(Locale.ROOT, "verdant send loop = %.1f ns per send (target <= 1000: %s)", send,
                    send <= 1000 ? "met" : "MISSED"));
        }
        ratios(report, "wake send loop verdant/vt-default", m, "verdant", "vt-default", "<=", 1.0);
        plainRatio(report, "wake send loop verdant/pekko", m, "verdant", "pekko");
        Double a = m.get("verdant/woken_ms");
        Double b = m.get("vt-default/woken_ms");
        if (a != null && b != null) {
            report.note(String.format(Locale.ROOT, "ratio wake all-woken verdant/vt-default = %.3f (target <= 1.00: %s)",
                    a / b, a / b <= 1.0 ? "met" : "MISSED"));
            paired(report, "wake all-woken verdant/vt-default", "verdant/woken_ms", "vt-default/woken_ms", "<=", 1.0);
        }
        plainRatio(report, "wake all-woken verdant/pekko", m, "verdant/woken_ms", "pekko/woken_ms");
    }

    /** One system: a round of {@code n} receivers returns {send ns per op, all-woken ms}. */
    interface WakeSystem extends AutoCloseable {
        double[] round(int n) throws Exception;

        /** The system's own counters since the last call, for {@link WakeRoundLog}; "" if it has none. */
        default String roundCounters() {
            return "";
        }

        @Override
        default void close() {
        }
    }

    /**
     * The harness side: warm-up at construction, then one full round per run,
     * each logged with what the process did meanwhile ({@link WakeRoundLog}).
     */
    static final class WakeTrial implements Trial {
        private final WakeSystem system;
        private final WakeRoundLog log;
        private Map<String, Double> extras = Map.of();

        WakeTrial(String name, WakeSystem system) throws Exception {
            this.system = system;
            this.log = new WakeRoundLog(name);
            int small = Math.max(10, N / 100);
            for (int i = 0; i < WARM_ROUNDS && !SMOKE; i++) {
                system.round(small);
            }
            system.roundCounters(); // the measured rounds' counters start here
        }

        @Override
        public double run() throws Exception {
            log.begin();
            double[] r = system.round(N);
            WakeRoundLog.Gc gc = log.end(r[0], r[1], system.roundCounters());
            Map<String, Double> x = new LinkedHashMap<>(); // RESULT line order
            x.put("woken_ms", r[1]);
            x.put("young_gcs", (double) gc.young());
            x.put("gc_ms", (double) gc.millis());
            extras = x;
            return r[0];
        }

        @Override
        public Map<String, Double> extras() {
            return extras;
        }

        /** In a child JVM: quiet before answering (ForkedTrial, "Settling"), so no system's leftovers run beside another's round. */
        @Override
        public boolean settlesAfterRound() {
            return true;
        }

        @Override
        public void close() {
            WakeRoundLog.close();
            system.close();
        }
    }

    /**
     * Fills {@code boxes} from {@code queue} and starts one virtual thread per box
     * that takes one message from it into {@code cd}; returns those threads once
     * every one is parked in its take (set-up, outside any timing).
     */
    static <Q extends BlockingQueue<Object>> Thread[] parkedVtReceivers(Q[] boxes, Supplier<Q> queue, Countdown cd)
            throws InterruptedException {
        Thread[] ts = new Thread[boxes.length];
        for (int i = 0; i < boxes.length; i++) {
            Q box = queue.get();
            boxes[i] = box;
            ts[i] = Thread.ofVirtual().start(() -> {
                try {
                    cd.woken(box.take());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        for (Thread t : ts) {
            while (t.getState() != Thread.State.WAITING) {
                Thread.sleep(1);
            }
        }
        return ts;
    }

    /** What every receiver does after its receive: counts down; the last one records the time. */
    static final class Countdown {
        final AtomicInteger left;
        final CountDownLatch all = new CountDownLatch(1);
        volatile long end;

        Countdown(int n) {
            left = new AtomicInteger(n);
        }

        void woken(Object m) {
            if (m != MSG) {
                throw new AssertionError("unexpected message " + m);
            }
            if (left.decrementAndGet() == 0) {
                end = System.nanoTime();
                all.countDown();
            }
        }

        /** Waits for the last receiver; returns ms from {@code t0}. */
        double awaitAll(long t0) throws InterruptedException {
            if (!all.await(10, TimeUnit.MINUTES)) {
                throw new AssertionError(left.get() + " receivers never woke");
            }
            return (end - t0) / 1e6;
        }
    }

    // ------------------------------------------------------------------ verdant

    static final class VerdantWake implements WakeSystem {
        private final Verdant rt;
        /** The counters at the last roundCounters() call; harness thread only. */
        private RuntimeMetrics last;

        VerdantWake(int workers) {
            rt = Verdant.start(Config.builder().workers(workers).name("bench-wake").build());
            last = rt.metrics();
        }

        /**
         * The runtime's counters since the last call: stalls reported, spares
         * started (and alive now), steals, carrier parks, wake-ups that found no
         * work, preemptions requested / honoured, and the carriers' dispatches.
         */
        @Override
        public String roundCounters() {
            RuntimeMetrics m = rt.metrics();
            RuntimeMetrics b = last;
            last = m;
            StringBuilder polls = new StringBuilder();
            for (WorkerMetrics w : m.workers()) {
                polls.append(polls.isEmpty() ? "" : "/").append(w.polls());
            }
            return String.format(Locale.ROOT,
                    "verdant: stalls %d, spares %d (alive %d), steals %d, parks %d, no-op wake-ups %d, "
                            + "preemptions %d/%d, dispatches %d (per carrier alive, since start: %s)",
                    m.stalls() - b.stalls(), m.sparesStarted() - b.sparesStarted(), m.sparesAlive(),
                    m.steals() - b.steals(), m.parks() - b.parks(), m.noopWakeups() - b.noopWakeups(),
                    m.preemptionsRequested() - b.preemptionsRequested(),
                    m.preemptionsHonored() - b.preemptionsHonored(), m.polls() - b.polls(), polls);
        }

        @Override
        public double[] round(int n) {
            return rt.run(() -> {
                Countdown cd = new Countdown(n);
                Pid[] pids = new Pid[n];
                @SuppressWarnings("unchecked")
                GreenHandle<Void>[] hs = (GreenHandle<Void>[]) new GreenHandle<?>[n];
                for (int i = 0; i < n; i++) {
                    hs[i] = Green.spawn(() -> cd.woken(Green.receive()));
                    pids[i] = hs[i].pid();
                }
                for (GreenHandle<Void> h : hs) {
                    while (h.state() != GreenState.WAITING) {
                        Green.sleep(Duration.ofMillis(1));
                    }
                }
                long t0 = System.nanoTime();
                for (Pid p : pids) {
                    Green.send(p, MSG);
                }
                long t1 = System.nanoTime();
                double woken = cd.awaitAll(t0);
                for (GreenHandle<Void> h : hs) {
                    h.join();
                }
                return new double[] {(double) (t1 - t0) / n, woken};
            });
        }

        @Override
        public void close() {
            rt.close();
        }
    }

    // ------------------------------------------------------------------ vt-default

    static final class VtWake implements WakeSystem {
        @Override
        public double[] round(int n) throws Exception {
            double[][] out = new double[1][];
            Throwable[] failed = new Throwable[1];
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    out[0] = vtRound(n);
                } catch (Throwable t) {
                    failed[0] = t;
                }
            });
            sender.join();
            if (failed[0] != null) {
                throw new IllegalStateException("vt-default wake round failed", failed[0]);
            }
            return out[0];
        }

        private static double[] vtRound(int n) throws InterruptedException {
            Countdown cd = new Countdown(n);
            @SuppressWarnings("unchecked")
            LinkedTransferQueue<Object>[] boxes = (LinkedTransferQueue<Object>[]) new LinkedTransferQueue<?>[n];
            Thread[] ts = parkedVtReceivers(boxes, LinkedTransferQueue::new, cd);
            long t0 = System.nanoTime();
            for (LinkedTransferQueue<Object> box : boxes) {
                box.put(MSG);
            }
            long t1 = System.nanoTime();
            double woken = cd.awaitAll(t0);
            for (Thread t : ts) {
                t.join();
            }
            return new double[] {(double) (t1 - t0) / n, woken};
        }
    }

    // ------------------------------------------------------------------ pekko

    static final class PekkoWake implements WakeSystem {
        private final ActorSystem system;

        PekkoWake(int workers) {
            system = Savina.pekko(workers);
        }

        static final class Receiver extends AbstractActor {
            private final Countdown cd;
            private final AtomicInteger started;
            private final AtomicInteger stopped;

            Receiver(Countdown cd, AtomicInteger started, AtomicInteger stopped) {
                this.cd = cd;
                this.started = started;
                this.stopped = stopped;
            }

            @Override
            public void preStart() {
                started.incrementAndGet();
            }

            @Override
            public void postStop() {
                stopped.incrementAndGet();
            }

            @Override
            public Receive createReceive() {
                return receiveBuilder().matchAny(m -> {
                    cd.woken(m);
                    getContext().stop(getSelf());
                }).build();
            }
        }

        /** The sender is an actor too, as in Savina, so Pekko gets no extra thread. */
        static final class Sender extends AbstractActor {
            private final ActorRef[] receivers;
            private final CompletableFuture<long[]> sent;

            Sender(ActorRef[] receivers, CompletableFuture<long[]> sent) {
                this.receivers = receivers;
                this.sent = sent;
            }

            @Override
            public Receive createReceive() {
                return receiveBuilder().matchEquals(GO, m -> {
                    long t0 = System.nanoTime();
                    for (ActorRef r : receivers) {
                        r.tell(MSG, getSelf());
                    }
                    sent.complete(new long[] {t0, System.nanoTime()});
                    getContext().stop(getSelf());
                }).build();
            }
        }

        @Override
        public double[] round(int n) throws Exception {
            Countdown cd = new Countdown(n);
            AtomicInteger started = new AtomicInteger();
            AtomicInteger stopped = new AtomicInteger();
            ActorRef[] rs = new ActorRef[n];
            for (int i = 0; i < n; i++) {
                rs[i] = system.actorOf(Props.create(Receiver.class, () -> new Receiver(cd, started, stopped)));
            }
            while (started.get() < n) {
                Thread.sleep(1);
            }
            CompletableFuture<long[]> sent = new CompletableFuture<>();
            ActorRef sender = system.actorOf(Props.create(Sender.class, () -> new Sender(rs, sent)));
            sender.tell(GO, ActorRef.noSender());
            long[] t = sent.get(10, TimeUnit.MINUTES);
            double woken = cd.awaitAll(t[0]);
            // Not timed: the round ends when every receiver has stopped (as the other systems'
            // rounds end when every receiver has been joined); the child then settles (see above).
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (stopped.get() < n) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError((n - stopped.get()) + " receivers never stopped");
                }
                Thread.sleep(1);
            }
            return new double[] {(double) (t[1] - t[0]) / n, woken};
        }

        @Override
        public void close() {
            system.terminate();
            try {
                system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("# pekko did not terminate: " + e);
            }
        }
    }
}
