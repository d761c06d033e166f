package io.verdant;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * What the deterministic-mode tests share: one deterministic run with its
 * trace, a quiet configuration, the quiet supervisor log, and the lost-update
 * body (a read, a scheduling point, a write) the bug-finding tests explore.
 */
final class DetRuns {
    /** No logging of green threads' failures (the workloads make them on purpose; a handler also observes them). */
    static final Config QUIET = Config.builder().failureHandler((h, t) -> { }).build();
    /** {@link #QUIET}, and no logging of dead letters either. */
    static final Config SILENT = Config.builder().failureHandler((h, t) -> { }).deadLetterHandler((p, m) -> { }).build();

    private DetRuns() {
    }

    /**
     * What {@code call} returned or threw when made on a platform thread of its own
     * (outside the deterministic runtime {@code d} starts, as a test's thread calls
     * it), on a runtime closed afterwards; fails the test if it has not ended within
     * {@code boundSeconds}, naming {@code what} and the run's trace.
     */
    static Object callFromOutsideBounded(Determinism d, long boundSeconds, String what,
                                         java.util.function.Function<Verdant, Object> call) throws Exception {
        try (Verdant rt = Verdant.deterministic(QUIET, d)) {
            java.util.concurrent.CompletableFuture<Object> outcome = new java.util.concurrent.CompletableFuture<>();
            Thread.ofPlatform().daemon().name("det-outside-caller").start(() -> {
                try {
                    outcome.complete(call.apply(rt));
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            try {
                return outcome.get(boundSeconds, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError(what + " did not end within " + boundSeconds + " s: " + rt.trace());
            }
        }
    }

    /**
     * Runs {@code body} once on a fresh deterministic runtime with {@link #QUIET}.
     *
     * @param d the schedule's settings
     * @param body the root green thread's body
     * @param traceOut where to add the run's trace (also when the run fails), or null
     * @return what the body returned
     */
    static <T> T runDet(Determinism d, Callable<T> body, List<ScheduleTrace> traceOut) {
        return runDet(QUIET, d, body, traceOut);
    }

    /** {@link #runDet(Determinism, Callable, List)} with another configuration. */
    static <T> T runDet(Config config, Determinism d, Callable<T> body, List<ScheduleTrace> traceOut) {
        try (Verdant rt = Verdant.deterministic(config, d)) {
            try {
                return rt.run(body);
            } finally {
                if (traceOut != null) {
                    traceOut.add(rt.trace());
                }
            }
        }
    }

    /**
     * Green only: {@code threads} green threads each increment a shared plain
     * counter {@code rounds} times, with {@code between} (a scheduling point)
     * between the read and the write; returns the count ({@code threads * rounds}
     * unless an update was lost).
     */
    static int counterRace(int threads, int rounds, Runnable between) {
        int[] counter = new int[1];
        List<GreenHandle<Void>> hs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            hs.add(Green.spawn(() -> {
                for (int i = 0; i < rounds; i++) {
                    int v = counter[0];
                    between.run();
                    counter[0] = v + 1;
                }
            }));
        }
        Green.joinAll(hs);
        return counter[0];
    }

    /** Green only: {@link #counterRace} that throws an AssertionError when an update was lost. */
    static int lostUpdateFails(int threads, int rounds) {
        int n = counterRace(threads, rounds, Green::schedulingPoint);
        if (n != threads * rounds) {
            throw new AssertionError("lost update: " + n);
        }
        return n;
    }

    /**
     * The supervisor's restart log goes through a JUL handler whose monitor a
     * platform thread may hold at the same time; a green thread blocked on it is
     * woken by the JDK's unblocker thread, which a deterministic run refuses. So
     * the workloads' expected crashes are not logged: {@code @ExtendWith} this on
     * a test class turns restart logging off for the class.
     */
    static final class QuietRestartLog implements BeforeAllCallback, AfterAllCallback {
        private static final java.util.logging.Logger SUPERVISOR_LOG =
                java.util.logging.Logger.getLogger("io.verdant.supervisor");

        @Override
        public void beforeAll(ExtensionContext context) {
            SUPERVISOR_LOG.setLevel(java.util.logging.Level.OFF);
        }

        @Override
        public void afterAll(ExtensionContext context) {
            SUPERVISOR_LOG.setLevel(null);
        }
    }
}
