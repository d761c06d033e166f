package io.verdant.examples;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Priority;
import io.verdant.Verdant;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Preemption on one carrier: CPU-bound loops that call Green.checkpoint() share
 * it by time slices, a HIGH thread preempts them, a loop with no safepoint is
 * reported and worked around by a spare carrier, and Green.blocking keeps file
 * I/O off the carrier.
 */
public final class PreemptionExample {
    public static void main(String[] args) throws Exception {
        Config config = Config.builder().workers(1).name("preemption").stallThreshold(Duration.ofMillis(100)).build();
        try (Verdant rt = Verdant.start(config)) {
            rt.run(() -> {
                AtomicBoolean stop = new AtomicBoolean();
                long[] counts = new long[2];
                GreenHandle<Void> a = Green.spawner().priority(Priority.LOW).spawn(() -> crunch(stop, counts, 0));
                GreenHandle<Void> b = Green.spawner().priority(Priority.LOW).spawn(() -> crunch(stop, counts, 1));

                // A HIGH thread that wakes every millisecond: priority preemption
                // frees the one carrier for it within about a tick.
                GreenHandle<Long> ticker = Green.spawner().priority(Priority.HIGH).spawn(() -> {
                    long worst = 0;
                    for (int i = 0; i < 200; i++) {
                        long due = System.nanoTime() + 1_000_000L;
                        Green.sleep(Duration.ofMillis(1));
                        worst = Math.max(worst, System.nanoTime() - due);
                    }
                    return worst;
                });
                long worst = ticker.join();
                stop.set(true);
                a.join();
                b.join();
                System.out.printf("two LOW loops on one carrier both ran (%,d and %,d iterations);%n",
                        counts[0], counts[1]);
                System.out.printf("a HIGH thread sleeping 1 ms x 200 woke at worst %.1f ms late%n", worst / 1e6);

                // File I/O pins a carrier; Green.blocking runs it on the blocking pool.
                Path tmp = Files.createTempFile("verdant", ".txt");
                Green.blocking(() -> Files.writeString(tmp, "written off the carrier"));
                System.out.println("Green.blocking: " + Green.blocking(() -> Files.readString(tmp)));
                Files.delete(tmp);
                return null;
            });

            // A loop with no safepoint at all holds its carrier: after the stall
            // threshold the runtime logs a WARNING with its stack trace, and a
            // spare carrier runs everything else meanwhile.
            AtomicBoolean release = new AtomicBoolean();
            CountDownLatch holding = new CountDownLatch(1);
            GreenHandle<Long> stuck = rt.spawner().name("no-checkpoints").spawn(() -> {
                holding.countDown();
                long n = 0;
                while (!release.get()) {
                    n++;
                }
                return n;
            });
            holding.await(); // it holds the only carrier now
            int answer = rt.spawn(() -> 6 * 7).join(Duration.ofSeconds(30));
            System.out.println("while 'no-checkpoints' held the only carrier, another green thread still returned "
                    + answer + " (on a spare carrier)");
            release.set(true);
            stuck.join();
        }
    }

    private static void crunch(AtomicBoolean stop, long[] counts, int slot) {
        long x = 1;
        while (!stop.get()) {
            Green.checkpoint();
            x = x * 6364136223846793005L + 1442695040888963407L;
            counts[slot]++;
        }
        if (x == 42) {
            System.out.print("");
        }
    }
}
