package acme.loops;

import io.verdant.Config;
import io.verdant.Determinism;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.ScheduleFailedException;
import io.verdant.Verdant;

import java.util.ArrayList;
import java.util.List;

/**
 * Child-JVM main: one seed of a deterministic runtime whose green threads run
 * loops of acme code between Verdant operations. Prints "TRACE " and the
 * schedule's trace with the body's result, then "FAILURE " and the message of
 * a planted failure of the same program, on one line.
 */
public final class DetReplayMain {
    private DetReplayMain() {
    }

    static String body(boolean fail) {
        int[] shared = new int[1];
        List<GreenHandle<Void>> hs = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int id = t;
            hs.add(Green.spawn(() -> {
                for (int round = 0; round < 3; round++) {
                    int seen = shared[0];
                    for (int k = 0; k < 20; k++) {
                        seen = seen * 31 + id + k;
                    }
                    shared[0] = seen;
                    Green.yield();
                }
            }));
        }
        Green.joinAll(hs);
        if (fail) {
            throw new AssertionError("planted failure");
        }
        return "shared=" + shared[0];
    }

    public static void main(String[] args) {
        Config quiet = Config.builder().failureHandler((h, t) -> { }).build();
        try (Verdant rt = Verdant.deterministic(quiet, Determinism.seed(3))) {
            String r = rt.run(() -> body(false));
            System.out.println("TRACE " + rt.trace() + " " + r);
        }
        try {
            io.verdant.Exploration.of(() -> body(true)).settings(Determinism.seed(0)).schedules(1).seedBase(3).run();
            System.out.println("FAILURE none");
        } catch (ScheduleFailedException e) {
            System.out.println("FAILURE " + e.getMessage().replace('\n', '|'));
        }
    }
}
