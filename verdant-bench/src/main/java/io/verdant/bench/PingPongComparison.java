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
 * pingpong: two threads exchange a value back and forth N times (one round
 * trip = two hand-offs). verdant over a rendezvous and over a bounded(1)
 * channel; vt-default and platform over {@link SynchronousQueue}. At 1 and 2
 * workers (vt-default: -Djdk.virtualThreadScheduler.parallelism=N, forked JVM).
 * Metric: ns_per_op per round trip.
 */
final class PingPongComparison extends Harness {
    static final int N = size("bench.pingpong.n", 1_000_000);

    @Override
    public String name() {
        return "pingpong";
    }

    @Override
    public String description() {
        return N + " round trips between two threads: verdant rendezvous/bounded(1) channels vs "
                + "SynchronousQueue on vt-default and platform threads, 1 and 2 workers";
    }

    @Override
    protected int defaultWarmups() {
        return 2;
    }

    @Override
    protected int defaultRounds() {
        return 3;
    }

    @Override
    protected List<Entry> entries() {
        List<Entry> es = new ArrayList<>();
        for (int workers : new int[] {1, 2}) {
            int w = workers;
            es.add(local("verdant-rendezvous-w" + w, name(), "verdant", N, "ns_per_op",
                    List.of("workers=" + w, "channel=rendezvous"), () -> new VerdantTrial(w, 0)));
            es.add(local("verdant-bounded1-w" + w, name(), "verdant", N, "ns_per_op",
                    List.of("workers=" + w, "channel=bounded1"), () -> new VerdantTrial(w, 1)));
            es.add(forked("vt-default-w" + w, name(), "vt-default", N, "ns_per_op",
                    List.of("workers=" + w, "channel=SynchronousQueue"),
                    List.of("-Djdk.virtualThreadScheduler.parallelism=" + w,
                            "-Djdk.virtualThreadScheduler.maxPoolSize=" + Math.max(w, 2)),
                    () -> () -> queues(Thread.ofVirtual(), N)));
        }
        es.add(local("platform", name(), "platform", N, "ns_per_op", List.of("channel=SynchronousQueue"),
                () -> () -> platform(N)));
        return es;
    }

    @Override
    protected void summarize(Report report, Map<String, Double> m) {
        for (int w : new int[] {1, 2}) {
            plainRatio(report, "pingpong verdant rendezvous/vt-default (" + w + " workers)", m,
                    "verdant-rendezvous-w" + w, "vt-default-w" + w);
        }
    }

    /** Verdant, a runtime of {@code workers}, channels of {@code capacity}. */
    private static final class VerdantTrial implements Trial {
        private final Verdant rt;
        private final int capacity;

        VerdantTrial(int workers, int capacity) {
            this.rt = Verdant.start(Config.builder().workers(workers).name("pingpong").build());
            this.capacity = capacity;
        }

        @Override
        public double run() {
            return verdant(rt, capacity, N);
        }

        @Override
        public void close() {
            rt.close();
        }
    }

    static double verdant(Verdant rt, int capacity, int n) {
        long nanos = rt.run(() -> {
            Channel<Integer> ping = capacity == 0 ? Channel.rendezvous() : Channel.bounded(capacity);
            Channel<Integer> pong = capacity == 0 ? Channel.rendezvous() : Channel.bounded(capacity);
            GreenHandle<Void> echo = Green.spawn(() -> {
                for (int i = 0; i < n; i++) {
                    pong.send(ping.receive());
                }
            });
            Integer one = 1;
            long s = System.nanoTime();
            for (int i = 0; i < n; i++) {
                ping.send(one);
                pong.receive();
            }
            long e = System.nanoTime() - s;
            echo.join();
            return e;
        });
        return (double) nanos / n;
    }

    static double queues(Thread.Builder builder, int n) throws InterruptedException {
        SynchronousQueue<Integer> ping = new SynchronousQueue<>();
        SynchronousQueue<Integer> pong = new SynchronousQueue<>();
        long[] took = new long[1];
        Thread echo = builder.start(() -> {
            try {
                for (int i = 0; i < n; i++) {
                    pong.put(ping.take());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread main = builder.start(() -> {
            try {
                Integer one = 1;
                long s = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    ping.put(one);
                    pong.take();
                }
                took[0] = System.nanoTime() - s;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        main.join();
        echo.join();
        return (double) took[0] / n;
    }

    static double platform(int n) throws InterruptedException {
        return queues(Thread.ofPlatform(), n);
    }
}
