package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Event actors alive at once: spawned, each handles one message, then all
 * stop. The suite runs 100,000 (1,000,000 took about 30 s on the loaded
 * 2-core build machine); the full million runs with
 * {@code -Dverdant.test.eventActors=1000000}. Heap per idle actor is checked against a loose bound (the
 * target is 300 bytes; the measurement is a heap-used delta after GC, so the
 * bound leaves room for noise). Bounded by @Timeout.
 */
@Timeout(180)
class MillionEventActorsStressTest {
    private static final int N = Integer.getInteger("verdant.test.eventActors", 100_000);
    /** Loose: catches a regression to green-thread size (~700 B), not a few bytes. */
    private static final long MAX_BYTES_PER_IDLE_ACTOR = 400;

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    @Test
    void manyEventActorsAliveAtOnce() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("million-events").build())) {
            CountDownLatch handled = new CountDownLatch(N);
            Behavior<Object> behavior = (s, m) -> {
                if (m instanceof String) {
                    Actors.stop();
                } else {
                    handled.countDown();
                }
                return s;
            };
            ActorSpawner spawner = Actors.spawner(rt);
            Pid[] pids = new Pid[N];
            long before = usedHeapAfterGc();
            for (int i = 0; i < N; i++) {
                pids[i] = spawner.spawn(null, behavior).pid();
            }
            long after = usedHeapAfterGc();
            // The Pid array is the test's, not the actors': 4 (reference) + 24 (Pid object) bytes each.
            long perActor = (after - before) / N - 28;
            System.out.println("RESULT test=million-event-actors n=" + N + " bytes_per_idle_actor=" + perActor);
            assertThat(perActor).isLessThan(MAX_BYTES_PER_IDLE_ACTOR);
            for (Pid p : pids) {
                Green.send(p, 1);
            }
            assertThat(handled.await(60, TimeUnit.SECONDS)).isTrue();

            for (Pid p : pids) {
                Green.send(p, "stop");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (rt.isAlive(pids[N - 1]) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            for (int i = 0; i < N; i += 997) {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (rt.isAlive(pids[i]) && System.nanoTime() < until) {
                    Thread.sleep(1);
                }
                assertThat(rt.isAlive(pids[i])).isFalse();
            }
        }
    }
}
