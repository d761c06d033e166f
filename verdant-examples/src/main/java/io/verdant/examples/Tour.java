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

    /** N for the stress stop: 1,000,000 takes several seconds on a busy 2-core machine. */
    static final int TOUR_STRESS_N = 100_000;

    static List<Stop> stops() {
        return List.of(
                new Stop("Spawn and join", () -> BasicExample.main(new String[0])),
                new Stop("Priorities on one worker, and no starvation of LOW",
                        () -> PrioritiesExample.main(new String[0])),
                new Stop("Stress: " + String.format("%,d", TOUR_STRESS_N) + " green threads (run StressExample "
                        + "alone for its default of 1,000,000; the tour uses fewer to stay quick)",
                        () -> StressExample.main(new String[] {Integer.toString(TOUR_STRESS_N)})),
                new Stop("A stack overflow in one green thread", () -> StackOverflowExample.main(new String[0])),
                new Stop("Channels, select, mutex and cancellation", () -> ChannelsExample.main(new String[0])),
                new Stop("Supervised worker pool surviving crashing workers", () -> SupervisedPoolExample.main(new String[0])),
                new Stop("Chat room: fan-out of messages to monitored members", () -> ChatRoomExample.main(new String[0])),
                new Stop("Bank account actor with selective receive", () -> BankAccountExample.main(new String[0])),
                new Stop("Preemption: time slices, priorities, stalls, Green.blocking",
                        () -> PreemptionExample.main(new String[0])),
                new Stop("Network servers: HTTP/1.1 and echo, a green thread per connection",
                        () -> NetExample.main(new String[0])),
                new Stop("Observing a runtime: metrics, a snapshot, a dump",
                        () -> ObservabilityExample.main(new String[0])));
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
