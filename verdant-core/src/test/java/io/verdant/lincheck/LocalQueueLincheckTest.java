package io.verdant.lincheck;

import io.verdant.internal.sched.LocalQueueHarness;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Linearizability of a worker's run queue ({@code LocalQueue}): the owner
 * (Lincheck's non-parallel group "owner") offers and polls, one stealer (group
 * "stealer", which owns the queue it steals into) takes half from the head,
 * against a FIFO deque where a steal removes ceil(size/2) from the head.
 * Sizes stay far below the capacity, so offer always succeeds.
 */
// A hang guard only (Lincheck's own invocation timeout, 30 s, reports a stuck invocation): the
// iterations' time is CPU time of the threads and the verifier, which a loaded machine stretches
// (BoundedChannelLincheckTest: 94 s, 117 s, then 324 s against a 120 s guard in loaded suite runs).
@Timeout(600)
@Param(name = "v", gen = IntGen.class, conf = "1:9")
public class LocalQueueLincheckTest {
    private final LocalQueueHarness q = new LocalQueueHarness();
    private final LocalQueueHarness.Stealer stealer = q.new Stealer();

    @Operation(nonParallelGroup = "owner")
    public boolean offer(@Param(name = "v") int v) {
        return q.offer(v);
    }

    @Operation(nonParallelGroup = "owner")
    public int poll() {
        return q.poll();
    }

    @Operation(nonParallelGroup = "stealer")
    public List<Integer> steal() {
        return stealer.steal();
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(6)
                .invocationsPerIteration(200)
                .threads(2)
                .actorsPerThread(3)
                .sequentialSpecification(Spec.class)
                .check(getClass());
    }

    /** The sequential model: a FIFO deque. */
    public static class Spec {
        private final ArrayDeque<Integer> q = new ArrayDeque<>();

        public boolean offer(int v) {
            q.addLast(v);
            return true;
        }

        public int poll() {
            Integer v = q.pollFirst();
            return v == null ? -1 : v;
        }

        public List<Integer> steal() {
            int n = (q.size() + 1) / 2;
            List<Integer> got = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                got.add(q.pollFirst());
            }
            return got;
        }
    }
}
