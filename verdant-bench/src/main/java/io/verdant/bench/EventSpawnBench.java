package io.verdant.bench;

import io.verdant.Actors;
import io.verdant.ActorSpawner;
import io.verdant.Behavior;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.Pid;
import io.verdant.Verdant;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code event-spawn}: spawning 1,000,000 actors and stopping them, Verdant
 * event actors ({@code system=verdant-event}) against Pekko classic actors,
 * and the heap bytes per idle actor of each. Every system runs in its own JVM
 * (a clean heap, same flags). Time: spawn N, each handles one message (so
 * every actor has started), stop all, wait until all have ended. Heap: full GC
 * and heap-used reading; spawn N and wait until all have started; full GC and
 * reading again; (after - before) / N; then stop them. Both keep exactly one
 * array of N addresses. N scales with {@code -Dbench.scale}.
 */
final class EventSpawnBench extends Harness {
    static final int N = scaled(1_000_000);
    static final List<String> FLAGS = List.of("-Xms3g", "-Xmx3g");
    static final Object STOP = "stop";
    static final Object PING = "ping";

    @Override
    public String name() {
        return "event-spawn";
    }

    @Override
    public String description() {
        return "spawn 1,000,000 actors and stop them (ms), and heap bytes per idle actor: verdant-event vs pekko "
                + "(each in its own JVM)";
    }

    @Override
    protected int defaultWarmups() {
        return 1;
    }

    @Override
    protected int defaultRounds() {
        return 3;
    }

    @Override
    protected List<Entry> entries() {
        List<String> w = List.of("workers=" + Runtime.getRuntime().availableProcessors());
        return List.of(
                forked("verdant-event", "event-spawn", "verdant-event", N, "ms", w, FLAGS, () -> new VerdantSpawn(false)),
                forked("pekko", "event-spawn", "pekko", N, "ms", w, FLAGS, () -> new PekkoSpawn(false)),
                forked("verdant-event-heap", "event-spawn-heap", "verdant-event", N, "bytes_per_actor", w, FLAGS,
                        () -> new VerdantSpawn(true)),
                forked("pekko-heap", "event-spawn-heap", "pekko", N, "bytes_per_actor", w, FLAGS,
                        () -> new PekkoSpawn(true)));
    }

    @Override
    protected void summarize(Report report, Map<String, Double> m) {
        if (ran(m, "verdant-event", "pekko")) {
            ratio(report, "event-spawn verdant-event/pekko", m.get("verdant-event"), m.get("pekko"), "<=", 0.5);
            paired(report, "event-spawn verdant-event/pekko", "verdant-event", "pekko", "<=", 0.5);
        }
        if (ran(m, "verdant-event-heap")) {
            report.note(String.format(java.util.Locale.ROOT, "verdant-event heap per idle actor %.0f bytes (target <= 300)"
                    + (ran(m, "pekko-heap") ? ", pekko %.0f" : ""), m.get("verdant-event-heap"), m.get("pekko-heap")));
        }
    }

    static final class VerdantSpawn implements Trial {
        final Verdant rt = Verdant.start(Config.builder().name("bench-event-spawn").build());
        final boolean heap;

        VerdantSpawn(boolean heap) {
            this.heap = heap;
        }

        @Override
        public double run() throws Exception {
            Pid[] pids = new Pid[N];
            CountDownLatch handled = new CountDownLatch(N);
            CountDownLatch stopped = new CountDownLatch(N);
            Behavior<Object> b = (s, m) -> {
                if (m == STOP) {
                    stopped.countDown();
                    Actors.stop();
                } else {
                    handled.countDown();
                }
                return s;
            };
            ActorSpawner spawner = Actors.spawner(rt);
            double result;
            if (heap) {
                long before = ParkedComparison.usedAfterGc();
                for (int i = 0; i < N; i++) {
                    pids[i] = spawner.spawn(null, b).pid();
                }
                long after = ParkedComparison.usedAfterGc();
                result = (double) (after - before) / N;
            } else {
                long t0 = System.nanoTime();
                for (int i = 0; i < N; i++) {
                    pids[i] = spawner.spawn(null, b).pid();
                    Green.send(pids[i], PING);
                }
                if (!handled.await(10, TimeUnit.MINUTES)) {
                    throw new AssertionError("not every actor handled its message");
                }
                for (Pid p : pids) {
                    Green.send(p, STOP);
                }
                if (!stopped.await(10, TimeUnit.MINUTES)) {
                    throw new AssertionError("not every actor stopped");
                }
                result = (System.nanoTime() - t0) / 1e6;
                return result;
            }
            for (Pid p : pids) {
                Green.send(p, STOP);
            }
            if (!stopped.await(10, TimeUnit.MINUTES)) {
                throw new AssertionError("not every actor stopped");
            }
            return result;
        }

        @Override
        public void close() {
            rt.close();
        }
    }

    static volatile CountDownLatch pekkoStarted;
    static volatile CountDownLatch pekkoStopped;

    /** An idle Pekko actor: counts its start and its stop. */
    static final class IdleActor extends AbstractActor {
        @Override
        public void preStart() {
            pekkoStarted.countDown();
        }

        @Override
        public void postStop() {
            pekkoStopped.countDown();
        }

        @Override
        public Receive createReceive() {
            return receiveBuilder().matchAny(m -> {
            }).build();
        }
    }

    static final class PekkoSpawn implements Trial {
        final ActorSystem system = savinaPekko(Runtime.getRuntime().availableProcessors());
        final boolean heap;

        PekkoSpawn(boolean heap) {
            this.heap = heap;
        }

        @Override
        public double run() throws Exception {
            ActorRef[] refs = new ActorRef[N];
            pekkoStarted = new CountDownLatch(N);
            pekkoStopped = new CountDownLatch(N);
            Props props = Props.create(IdleActor.class, IdleActor::new);
            long before = heap ? ParkedComparison.usedAfterGc() : 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < N; i++) {
                refs[i] = system.actorOf(props);
            }
            if (!pekkoStarted.await(10, TimeUnit.MINUTES)) {
                throw new AssertionError("not every actor started");
            }
            double result = heap ? (double) (ParkedComparison.usedAfterGc() - before) / N : 0;
            for (ActorRef r : refs) {
                system.stop(r);
            }
            if (!pekkoStopped.await(10, TimeUnit.MINUTES)) {
                throw new AssertionError("not every actor stopped");
            }
            return heap ? result : (System.nanoTime() - t0) / 1e6;
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

    /** The Pekko system of the Savina comparisons, with {@code workers} threads. */
    static ActorSystem savinaPekko(int workers) {
        return io.verdant.bench.actors.SavinaAccess.pekko(workers);
    }
}
