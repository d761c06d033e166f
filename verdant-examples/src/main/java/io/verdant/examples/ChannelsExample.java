package io.verdant.examples;

import io.verdant.Channel;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Mutex;
import io.verdant.Select;
import io.verdant.Verdant;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** Channels, select, a mutex with a timeout, and cancelling a tree of green threads. */
public final class ChannelsExample {
    public static void main(String[] args) {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("channels").build())) {
            rt.run(() -> {
                // 1. A pipeline: producers -> bounded channel -> consumers, closed when the producers are done.
                Channel<Integer> work = Channel.bounded(16);
                Mutex<TreeMap<String, Integer>> tally = new Mutex<>(new TreeMap<>());
                List<GreenHandle<Void>> consumers = new ArrayList<>();
                for (int c = 0; c < 3; c++) {
                    String name = "consumer-" + c;
                    consumers.add(Green.spawn(() -> {
                        for (int n : work) {                               // iterates until closed and drained
                            try (Mutex.Guard<TreeMap<String, Integer>> g = tally.lock(Duration.ofSeconds(1))) {
                                g.get().merge(name, n, Integer::sum);
                            }
                        }
                    }));
                }
                List<GreenHandle<Void>> producers = new ArrayList<>();
                for (int p = 0; p < 2; p++) {
                    int base = p * 100;
                    producers.add(Green.spawn(() -> {
                        for (int i = 1; i <= 100; i++) {
                            work.send(base + i);
                        }
                    }));
                }
                for (GreenHandle<Void> p : producers) {
                    p.join();
                }
                work.close();
                for (GreenHandle<Void> c : consumers) {
                    c.join();
                }
                try (Mutex.Guard<TreeMap<String, Integer>> g = tally.lock(Duration.ofSeconds(1))) {
                    int total = g.get().values().stream().mapToInt(Integer::intValue).sum();
                    System.out.println("pipeline: 200 numbers summed by 3 consumers = " + total + " " + g.get());
                }

                // 2. Select: whichever of two channels has a value first, or a timeout.
                Channel<String> fast = Channel.rendezvous();
                Channel<String> slow = Channel.rendezvous();
                Green.spawn(() -> {
                    Green.sleep(Duration.ofMillis(5));
                    fast.send("fast");
                });
                Green.spawn(() -> {
                    Green.sleep(Duration.ofSeconds(10));
                    slow.send("slow");
                });
                for (int i = 0; i < 2; i++) {
                    String got = Select.<String>create()
                            .onReceive(fast, v -> "received " + v)
                            .onReceive(slow, v -> "received " + v)
                            .onTimeout(Duration.ofMillis(200), () -> "timed out after 200 ms")
                            .select();
                    System.out.println("select: " + got);
                }

                // 3. Cancellation: cancelling a parent cancels every descendant, wherever it waits.
                Channel<Integer> never = Channel.rendezvous();
                java.util.concurrent.atomic.AtomicInteger childrenCancelled = new java.util.concurrent.atomic.AtomicInteger();
                GreenHandle<Void> parent = Green.spawn(() -> {
                    for (int i = 0; i < 4; i++) {
                        Green.spawn(() -> {
                            Green.cancelToken().onCancel(childrenCancelled::incrementAndGet);
                            never.receive();                           // would wait forever
                        });
                    }
                    Green.sleep(Duration.ofDays(1));
                });
                Green.sleep(Duration.ofMillis(20));
                parent.cancel();                                       // runs onCancel callbacks before returning
                try {
                    parent.join();
                } catch (io.verdant.GreenFailedException e) {
                    System.out.println("cancel: parent ended with " + e.getCause().getClass().getSimpleName()
                            + "; onCancel ran for " + childrenCancelled.get() + " of its 4 children");
                }
                slow.close();
                return null;
            });
        }
    }
}
