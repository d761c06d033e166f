package io.verdant;

import io.verdant.internal.det.DetCarrier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deterministic runtimes in a row share one carrier thread (DetCarrier), and
 * nothing of one schedule reaches the next: a seed run as the k-th schedule,
 * after schedules that leaked green threads, pending timers, dead letters and
 * random draws, gives the same trace (hash, step count, virtual end time) and
 * the same observations (pids, virtual times, random values) as the same seed
 * run first on a new carrier thread.
 */
@Timeout(120)
@org.junit.jupiter.api.extension.ExtendWith(DetRuns.QuietRestartLog.class)
class DeterministicCarrierReuseTest {
    /**
     * No failure or dead-letter logging: the workload makes both on purpose. A stack
     * size of its own: carriers are pooled per stack size, so no other test's carrier
     * can be taken here. (A carrier that an earlier test abandoned on a stuck schedule,
     * SliceWatchdogCarrierTest's, went back to the pool when its job ended, after this
     * test's endIdle() on a loaded machine, and the "fresh" run reused it: a random-order
     * one-core run failed "the first run started a new carrier".)
     */
    private static final Config QUIET = Config.builder().failureHandler((h, t) -> { }).deadLetterHandler((p, m) -> { })
            .stackSize(16L * 1024 * 1024 + 4096).build();

    /** Result and trace of one schedule. */
    private record Run(Object result, ScheduleTrace trace) {
    }

    private static Run runDet(long seed, Callable<Object> body) {
        try (Verdant rt = Verdant.deterministic(QUIET, Determinism.seed(seed))) {
            Object r = rt.run(body);
            return new Run(r, rt.trace());
        }
    }

    /**
     * The mixed workload, then state that could outlive the body: green threads
     * left waiting (a channel, a mailbox, and with {@code timerLeak} an hour's
     * sleep on a pending timer), a dead letter, pids and random draws observed.
     * A leaked sleeper makes steps after the body ended (the idle carrier moves
     * the clock to its timer while the test thread reads the trace and closes
     * the runtime: a race with real time), so a trace compared step for step
     * comes from a run without it.
     */
    static Object leakyWorkload(boolean timerLeak) throws Exception {
        List<Object> log = new ArrayList<>(DeterministicModeTest.mixedWorkload());
        Channel<Integer> never = Channel.unbounded();
        GreenHandle<Integer> onChannel = Green.spawn(() -> never.receive());
        GreenHandle<Object> onMailbox = Green.spawn(() -> Green.receive());
        GreenHandle<Void> asleep = Green.spawn(() -> {
            if (timerLeak) {
                Green.sleep(Duration.ofHours(1));
            }
        });
        GreenHandle<Void> ended = Green.spawn(() -> { });
        ended.join();
        Green.send(ended.pid(), "to a dead pid"); // a dead letter
        Green.yield();
        for (GreenHandle<?> h : List.of(onChannel, onMailbox, asleep, ended)) {
            log.add("pid " + h.pid().hashCode() + " done=" + h.isDone());
        }
        log.add("self " + Green.self().hashCode());
        log.add("random " + Green.random().nextLong());
        log.add("now " + Green.nanoTime() + " " + Green.clock().instant());
        return log;
    }

    @Test
    void aSeedGivesTheSameScheduleAfterOtherSchedulesOnTheSameCarrierAsOnANewOne() {
        long seed = 0x5EED;
        DetCarrier.endIdle();
        long before = DetCarrier.started();
        Run fresh = runDet(seed, () -> leakyWorkload(false));
        assertThat(DetCarrier.started()).as("the first run started a new carrier").isEqualTo(before + 1);
        assertThat(fresh.trace().steps()).isGreaterThan(50);

        int k = 6;
        long startsBefore = DetCarrier.started();
        Run kth = null;
        for (int i = 0; i < k; i++) {
            kth = i == k - 1 ? runDet(seed, () -> leakyWorkload(false)) : runDet(1000 + i, () -> leakyWorkload(true));
        }
        // The idle carrier's keep-alive (seconds) spans the gap between two runs: one thread for all.
        assertThat(DetCarrier.started()).as("carrier threads started by %d runs in a row", k).isLessThanOrEqualTo(startsBefore + 1);
        assertThat(kth.trace()).isEqualTo(fresh.trace());
        assertThat(kth.result()).isEqualTo(fresh.result());
    }

    @Test
    void anExplorationsKthScheduleObservesWhatTheSameSeedObservesAlone() {
        long seedBase = 40;
        int k = 5;
        List<Object> seen = new ArrayList<>();
        Exploration.of(() -> {
            Object r = leakyWorkload(true);
            seen.add(r); // the body runs on one green thread at a time: a plain list is safe
            return r;
        }).config(QUIET).seedBase(seedBase).schedules(k).run();
        assertThat(seen).hasSize(k);
        DetCarrier.endIdle();
        Run alone = runDet(seedBase + k - 1, () -> leakyWorkload(true));
        assertThat(seen.getLast()).isEqualTo(alone.result());
    }

    @Test
    void aLeakedThreadThatSwallowsCancellationDoesNotKeepTheCarrierAfterClose() {
        // A leaked worker loop that catches RuntimeException (so also close's CancelledException,
        // which leaves the interrupt set: its next receive throws at once) spins through Verdant
        // operations. Close abandons it; the carrier must then end the job, not run it forever.
        Config named = Config.builder().name("swallows-cancel").failureHandler((h, t) -> { })
                .shutdownTimeout(Duration.ofMillis(100)).build();
        java.util.concurrent.atomic.AtomicBoolean release = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong spins = new java.util.concurrent.atomic.AtomicLong();
        try {
            try (Verdant rt = Verdant.deterministic(named, Determinism.seed(1))) {
                rt.run(() -> {
                    Channel<String> requests = Channel.rendezvous();
                    Green.spawner().name("worker").spawn(() -> {
                        while (!release.get()) {
                            try {
                                requests.receive();
                            } catch (RuntimeException e) {
                                spins.incrementAndGet(); // a worker loop that survives a failed request
                            }
                        }
                    });
                    Green.yield();
                });
            }
            assertThat(spins.get()).isPositive(); // the closer's cancellation reached the loop
            assertThat(Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                    .map(Thread::getName).filter(n -> n.startsWith("swallows-cancel"))).isEmpty();
        } finally {
            release.set(true); // before the fix, ends the abandoned loop still running on the carrier
        }
    }

    @Test
    void closedRuntimesCarrierIsNotFoundUnderItsName() throws Exception {
        Config named = Config.builder().name("reuse-named").failureHandler((h, t) -> { }).build();
        try (Verdant rt = Verdant.deterministic(named, Determinism.seed(1))) {
            assertThat(rt.run(() -> Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.getName().equals("reuse-named-det-carrier")))).isTrue();
        }
        assertThat(Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(Thread::getName).filter(n -> n.startsWith("reuse-named"))).isEmpty();
    }
}
