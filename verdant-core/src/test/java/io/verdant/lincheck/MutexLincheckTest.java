package io.verdant.lincheck;

import io.verdant.Mutex;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

/**
 * The mutex makes a read-modify-write of its value atomic: operations under
 * the lock linearize as an atomic counter, from platform threads (which also
 * checks that the previous holder's writes are visible to the next one).
 * The lock is never held between operations, so every lock succeeds.
 * Stress mode only: Lincheck's model checker worked on this class but cost
 * about 20 s (mostly instrumenting the JDK) on the shared 2-core machine.
 */
// A hang guard only (Lincheck's own invocation timeout, 30 s, reports a stuck invocation): the
// iterations' time is CPU time of the threads and the verifier, which a loaded machine stretches
// (BoundedChannelLincheckTest: 94 s, 117 s, then 324 s against a 120 s guard in loaded suite runs).
@Timeout(600)
public class MutexLincheckTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final Mutex<int[]> m = new Mutex<>(new int[1]);

    @Operation(blocking = true)
    public int incrementAndGet() {
        try (Mutex.Guard<int[]> g = m.lock(WAIT)) {
            int v = g.get()[0] + 1;
            g.get()[0] = v;
            return v;
        }
    }

    @Operation(blocking = true)
    public int addTwoInSteps() {
        try (Mutex.Guard<int[]> g = m.lock(WAIT)) {
            g.get()[0]++;
            g.get()[0]++;
            return g.get()[0];
        }
    }

    @Operation(blocking = true)
    public int get() {
        try (Mutex.Guard<int[]> g = m.lock(WAIT)) {
            return g.get()[0];
        }
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(10)
                .invocationsPerIteration(300)
                .threads(3)
                .actorsPerThread(3)
                .sequentialSpecification(Spec.class)
                .check(getClass());
    }

    public static class Spec {
        private int v;

        public int incrementAndGet() {
            return ++v;
        }

        public int addTwoInSteps() {
            v += 2;
            return v;
        }

        public int get() {
            return v;
        }
    }
}
