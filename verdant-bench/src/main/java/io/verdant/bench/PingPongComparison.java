package io.verdant.bench;

import io.verdant.Channel;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;

import java.util.List;
import java.util.concurrent.SynchronousQueue;

/**
 * pingpong: two threads exchange a value back and forth N times (one round
 * trip = two hand-offs). verdant over a rendezvous and over a bounded(1)
 * channel; vt-default and platform over {@link SynchronousQueue}. At 1 and 2
 * workers (vt-default: -Djdk.virtualThreadScheduler.parallelism=N, forked JVM).
 * Metric: ns_per_op per round trip. Rounds alternate between systems after warm-up.
 */
public final class PingPongComparison implements Comparison {
    static final int N = Integer.getInteger("bench.pingpong.n", 1_000_000);
    static final int ROUNDS = Integer.getInteger("bench.rounds", 3);

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
    public void run(Report report) throws Exception {
        for (int workers : new int[] {1, 2}) {
            try (Verdant rt = Verdant.start(Config.builder().workers(workers).name("pingpong").build())) {
                verdant(rt, 0, N / 5);
                verdant(rt, 1, N / 5);
                for (int round = 0; round < ROUNDS; round++) {
                    report.result(name(), "verdant", N, "ns_per_op", verdant(rt, 0, N), "workers=" + workers, "channel=rendezvous");
                    report.result(name(), "verdant", N, "ns_per_op", verdant(rt, 1, N), "workers=" + workers, "channel=bounded1");
                    Forked.run(VtDefault.class, List.of("-Djdk.virtualThreadScheduler.parallelism=" + workers,
                            "-Djdk.virtualThreadScheduler.maxPoolSize=" + Math.max(workers, 2)), Integer.toString(workers));
                    if (workers == 1) {
                        report.result(name(), "platform", N, "ns_per_op", platform(N), "channel=SynchronousQueue");
                    }
                }
            }
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

    /** Forked: vt-default with the parallelism given on its command line. */
    public static final class VtDefault {
        public static void main(String[] args) throws Exception {
            int workers = Integer.parseInt(args[0]);
            queues(Thread.ofVirtual(), N / 5);
            new Report().result("pingpong", "vt-default", N, "ns_per_op", queues(Thread.ofVirtual(), N),
                    "workers=" + workers, "channel=SynchronousQueue");
        }
    }
}
