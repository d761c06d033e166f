package io.verdant.examples;

import java.util.List;

/**
 * The guided tour: runs every example in order, each printing what it shows.
 * Each example is also a standalone program with its own {@code main}.
 */
public final class Tour {
    /** An example: a title and a body that prints what it demonstrates. */
    record Stop(String title, ThrowingRunnable body) {
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    static List<Stop> stops() {
        return List.of(
                new Stop("Spawn and join", () -> BasicExample.main(new String[0])),
                new Stop("Channels, select, mutex and cancellation", () -> ChannelsExample.main(new String[0])),
                new Stop("Preemption: time slices, priorities, stalls, Green.blocking",
                        () -> PreemptionExample.main(new String[0])));
    }

    public static void main(String[] args) throws Exception {
        System.out.println("Verdant tour: green threads on a scheduler Verdant owns (JDK " + Runtime.version() + ")");
        int i = 1;
        for (Stop stop : stops()) {
            System.out.println();
            System.out.println("== " + i++ + ". " + stop.title() + " ==");
            stop.body().run();
        }
        System.out.println();
        System.out.println("Tour finished.");
    }
}
