package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Select's fair choice among ready cases is part of a deterministic schedule
 * also when the selecting thread is a virtual thread started inside a green
 * thread (an executor's task, a structured fork): such a thread runs on the
 * runtime's carrier as a task of the schedule, so the same seed makes the same
 * choices.
 */
@Timeout(60)
class DetForeignSelectTest {
    /** Rounds of a select between two ready channels: equal choices by chance are 2^-ROUNDS. */
    private static final int ROUNDS = 24;

    /** Selects ROUNDS times between two ready channels; the choices, e.g. "1221...". */
    private static String choices() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ROUNDS; i++) {
            Channel<Integer> a = Channel.unbounded();
            Channel<Integer> b = Channel.unbounded();
            a.trySend(1);
            b.trySend(2);
            sb.append(Select.<Integer>create().onReceive(a, v -> v).onReceive(b, v -> v).select());
        }
        return sb.toString();
    }

    private static String inExecutorTask(long seed) {
        return DetRuns.runDet(Determinism.seed(seed), () -> {
            try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<String> f = ex.submit(DetForeignSelectTest::choices);
                return f.get();
            }
        }, null);
    }

    private static String inStartedVirtualThread(long seed) {
        return DetRuns.runDet(Determinism.seed(seed), () -> {
            String[] out = new String[1];
            Thread t = Thread.ofVirtual().start(() -> out[0] = choices());
            t.join();
            return out[0];
        }, null);
    }

    @Test
    void theSameSeedMakesTheSameChoicesInAnExecutorsVirtualThread() {
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            runs.add(inExecutorTask(5));
        }
        assertThat(runs).as("three runs of seed 5").containsOnly(runs.getFirst());
        assertThat(runs.getFirst()).contains("1").contains("2"); // a fair choice, not always the first case
    }

    @Test
    void theSameSeedMakesTheSameChoicesInAVirtualThreadStartedByAGreenThread() {
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            runs.add(inStartedVirtualThread(9));
        }
        assertThat(runs).as("three runs of seed 9").containsOnly(runs.getFirst());
    }

    @Test
    void aGreenThreadAndAForeignThreadOfOneSeedDrawFromTheSchedule() {
        // The foreign thread's choices follow the schedule's source: another seed, other choices.
        assertThat(inExecutorTask(5)).isNotEqualTo(inExecutorTask(6));
    }
}
