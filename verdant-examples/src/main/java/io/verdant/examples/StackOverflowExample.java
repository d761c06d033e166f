package io.verdant.examples;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenFailedException;
import io.verdant.GreenHandle;
import io.verdant.Verdant;

import java.util.ArrayList;
import java.util.List;

/**
 * One green thread recurses until its stack overflows; the StackOverflowError
 * stops that thread only: its join() reports it, the other green threads finish,
 * and the runtime keeps running new ones.
 */
public final class StackOverflowExample {
    public static void main(String[] args) {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("overflow").build())) {
            rt.run(() -> {
                List<GreenHandle<Integer>> good = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    int k = i;
                    good.add(Green.spawn(() -> {
                        Green.yield();
                        return k * k;
                    }));
                }
                // Spawned in a scope, which reports its failure: a failure that nobody
                // observes when it happens is also logged (docs/errors-and-failures.md),
                // and the recursion may overflow before a plain join is reached.
                int[] depth = new int[1];
                try {
                    Green.scope(scope -> scope.spawn(() -> recurse(depth)).join());
                    System.out.println("unexpected: the recursion ended normally");
                } catch (GreenFailedException e) {
                    System.out.printf("'recurser' failed with %s after %,d nested calls (carrier stack %d MiB)%n",
                            e.getCause().getClass().getSimpleName(), depth[0], rt.config().stackSize() >> 20);
                }
                int sum = 0;
                for (GreenHandle<Integer> h : good) {
                    sum += h.join();
                }
                System.out.println("the 10 other green threads finished: sum of squares 0..9 = " + sum);
                return null;
            });
            String after = rt.run(() -> "still running");
            System.out.println("a green thread spawned afterwards: " + after);
        }
    }

    private static void recurse(int[] depth) {
        depth[0]++;
        recurse(depth);
    }
}
