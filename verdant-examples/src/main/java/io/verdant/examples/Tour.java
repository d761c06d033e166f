package io.verdant.examples;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;

/**
 * The guided tour: runs every example in order, each printing what it shows.
 * Each example is also a standalone program with its own {@code main}.
 *
 * <p>The tour reads in order: log records (a stall report with its stack) go to
 * standard output with everything else, and before the next stop starts the tour
 * waits for any stall report still being written, so a report appears in the
 * stop that caused it. Each stop ends with a line giving its elapsed time.
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
                new Stop("Deterministic mode: a check-then-debit transfer bug found in seeded schedules, replayed, fixed",
                        () -> BankTransferExample.main(new String[0])),
                new Stop("Actor toolkit: named rooms, call, typed refs, bounded mailboxes, timers, dynamic supervision",
                        () -> ActorToolkitExample.main(new String[0])),
                new Stop("Event actors: the same bank account as a behavior (state, message) -> state. A green-thread "
                        + "actor owns a stack and a receive loop (selective receive, any code between receives); an "
                        + "event actor is a handler called per message by a dispatcher green thread (a method call, no "
                        + "stack while idle; stash instead of selective receive). Both share pids, send, links, "
                        + "monitors and supervisors, and both may block.",
                        () -> EventActorsExample.main(new String[0])),
                new Stop("Preemption: time slices, priorities, stalls, Green.blocking",
                        () -> PreemptionExample.main(new String[0])),
                new Stop("Network servers: HTTP/1.1 and echo, a green thread per connection",
                        () -> NetExample.main(new String[0])),
                new Stop("Observing a runtime: metrics, a snapshot, a dump, a scheduling trace",
                        () -> ObservabilityExample.main(new String[0])));
    }

    /** Longest wait for a stall report still being written when a stop ends (it captures one stack). */
    static final Duration REPORT_WAIT = Duration.ofSeconds(10);

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        Logger root = Logger.getLogger("");
        Handler[] handlers = root.getHandlers();
        Handler toOut = new StreamHandler(out, new SimpleFormatter()) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush();
            }
        };
        // One stream, written in order: the JVM's log records and stderr go where the tour prints.
        System.setErr(out);
        for (Handler h : handlers) {
            root.removeHandler(h);
        }
        root.addHandler(toOut);
        try {
            tour(out);
        } finally {
            root.removeHandler(toOut);
            for (Handler h : handlers) {
                root.addHandler(h);
            }
            System.setErr(err);
        }
    }

    private static void tour(PrintStream out) throws Exception {
        out.println("Verdant tour: green threads on a scheduler Verdant owns (JDK " + Runtime.version() + ")");
        long start = System.nanoTime();
        int i = 1;
        for (Stop stop : stops()) {
            out.println();
            out.println("== " + i + ". " + stop.title() + " ==");
            long t0 = System.nanoTime();
            stop.body().run();
            awaitStallReports();
            out.printf("-- %d. done in %.1f s (tour so far %.1f s)%n", i, (System.nanoTime() - t0) / 1e9,
                    (System.nanoTime() - start) / 1e9);
            i++;
        }
        out.println();
        out.printf("Tour finished in %.1f s.%n", (System.nanoTime() - start) / 1e9);
    }

    /**
     * Waits for the threads that write stall reports (named {@code <carrier>-stall-report};
     * a runtime starts one per stall and does not wait for it on close).
     */
    private static void awaitStallReports() throws InterruptedException {
        long deadline = System.nanoTime() + REPORT_WAIT.toNanos();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().endsWith("-stall-report")) {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
        }
    }
}
