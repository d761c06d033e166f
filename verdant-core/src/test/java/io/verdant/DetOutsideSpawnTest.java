package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A green thread started from outside with {@code rt.spawn}, then
 * {@code rt.run}'s body: the schedule does not depend on how long the test
 * thread took between the two calls. The first thread runs until it waits
 * before the body is admitted, and waiting for a body still to come is no
 * deadlock.
 */
@Timeout(60)
class DetOutsideSpawnTest {
    private static final int RUNS = 6;

    /**
     * A server spawned from outside, then a body that sends to it. With
     * {@code gapMillis > 0} the test thread waits until the server has started
     * and then does that long of other work before calling {@code rt.run}.
     */
    private static String serverThenBody(long gapMillis) throws InterruptedException {
        try (Verdant rt = Verdant.deterministic(DetRuns.QUIET, Determinism.seed(1))) {
            CountDownLatch started = new CountDownLatch(1);
            GreenHandle<Object> server = rt.spawn(() -> {
                started.countDown();
                return Green.receive();
            });
            if (gapMillis > 0) {
                started.await();
                Thread.sleep(gapMillis); // the test's own set-up between the two calls, in real time
            }
            String r = rt.run(() -> {
                Green.send(server.pid(), "hi");
                return "got " + server.join();
            });
            return r + " " + rt.trace();
        } catch (ScheduleFailedException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage().lines().findFirst().orElse("");
        }
    }

    @Test
    void aBodyThatComesLaterIsNoDeadlock() throws Exception {
        List<String> outcomes = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            outcomes.add(serverThenBody(20));
        }
        assertThat(outcomes).allMatch(o -> o.startsWith("got hi "), "every run succeeds");
        assertThat(outcomes).containsOnly(outcomes.getFirst());
    }

    @Test
    void theScheduleIsTheSameWhetherTheBodyComesAtOnceOrLater() throws Exception {
        List<String> outcomes = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            outcomes.add(serverThenBody(0));
            outcomes.add(serverThenBody(20));
        }
        assertThat(outcomes).containsOnly(outcomes.getFirst());
        assertThat(outcomes.getFirst()).startsWith("got hi ");
    }
}
