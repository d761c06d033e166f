package io.verdant.examples;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Priority;
import io.verdant.Verdant;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Priorities on a single worker: queued green threads run highest priority
 * first, and a LOW thread still makes progress while HIGH threads saturate the
 * worker (the anti-starvation rule).
 */
public final class PrioritiesExample {
    public static void main(String[] args) {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("priorities").build())) {
            // The spawner is CRITICAL: a spawned thread that outranked it would preempt it at its next spawn.
            rt.spawner().priority(Priority.CRITICAL).spawn(PrioritiesExample::order).join();
            rt.run(PrioritiesExample::antiStarvation);
        }
    }

    /** Spawned LOW first and CRITICAL last by a CRITICAL thread; they run once it parks, best first. */
    private static void order() {
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        List<GreenHandle<Void>> hs = new ArrayList<>();
        for (Priority p : new Priority[] {Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.CRITICAL}) {
            hs.add(Green.spawner().priority(p).spawn(() -> {
                ran.add(p.name());
            }));
        }
        System.out.println("spawned on 1 worker in the order LOW, NORMAL, HIGH, CRITICAL");
        hs.forEach(GreenHandle::join);
        System.out.println("they ran in the order " + String.join(", ", ran));
    }

    /** Four HIGH threads yield in a loop until one LOW thread has done its 100 steps. */
    private static void antiStarvation() {
        final int lowSteps = 100;
        AtomicLong highTurns = new AtomicLong();
        boolean[] lowDone = new boolean[1];
        List<GreenHandle<Void>> hs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            hs.add(Green.spawner().priority(Priority.HIGH).spawn(() -> {
                // Bounded, in case the rule were broken: the example then says so instead of hanging.
                for (int turn = 0; turn < 10_000_000 && !isDone(lowDone); turn++) {
                    highTurns.incrementAndGet();
                    Green.yield();
                }
            }));
        }
        GreenHandle<Void> low = Green.spawner().priority(Priority.LOW).spawn(() -> {
            for (int step = 0; step < lowSteps; step++) {
                Green.yield();
            }
            synchronized (lowDone) {
                lowDone[0] = true;
            }
        });
        low.join();
        hs.forEach(GreenHandle::join);
        System.out.printf("4 HIGH threads yielding non-stop; the LOW thread still finished its %d steps "
                + "(HIGH took %,d turns meanwhile, about %d per LOW step)%n",
                lowSteps, highTurns.get(), highTurns.get() / lowSteps);
    }

    private static boolean isDone(boolean[] flag) {
        synchronized (flag) {
            return flag[0];
        }
    }
}
