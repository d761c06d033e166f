package io.verdant.lincheck;

import io.verdant.internal.MailboxHarness;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

/**
 * Linearizability of the mailbox ({@code ActorCell}: the MPSC queue plus the
 * consumer's save queue) against a list, with many senders and the single
 * consumer (Lincheck's non-parallel group "consumer") doing plain and
 * selective non-blocking receives. Selective receive must take the first
 * matching message and leave the others in order, which the model checks.
 * The consumer never parks here, so the cell needs no owner thread.
 * Iterations are capped to keep the suite fast on the shared 2-core machine.
 */
// A hang guard only (Lincheck's own invocation timeout, 30 s, reports a stuck invocation): the
// iterations' time is CPU time of the threads and the verifier, which a loaded machine stretches
// (BoundedChannelLincheckTest: 94 s, 117 s, then 324 s against a 120 s guard in loaded suite runs).
@Timeout(600)
@Param(name = "v", gen = IntGen.class, conf = "1:6")
public class MailboxLincheckTest {
    private static final Predicate<Object> EVEN = m -> (Integer) m % 2 == 0;
    private final MailboxHarness cell = new MailboxHarness();

    @Operation
    public void send(@Param(name = "v") int v) {
        cell.send(v);
    }

    @Operation(nonParallelGroup = "consumer")
    public Object tryReceive() {
        return cell.tryReceive();
    }

    @Operation(nonParallelGroup = "consumer")
    public Object tryReceiveEven() {
        return cell.tryReceive(EVEN);
    }

    @Operation(nonParallelGroup = "consumer")
    public Object tryReceiveInteger() {
        return cell.tryReceive(Integer.class);
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(6)
                .invocationsPerIteration(200)
                .threads(3)
                .actorsPerThread(3)
                .sequentialSpecification(Spec.class)
                .check(getClass());
    }

    /** The sequential model: one ordered list of messages. */
    public static class Spec {
        private final List<Integer> q = new ArrayList<>();

        public void send(int v) {
            q.add(v);
        }

        public Object tryReceive() {
            return q.isEmpty() ? null : q.remove(0);
        }

        public Object tryReceiveEven() {
            for (Iterator<Integer> it = q.iterator(); it.hasNext(); ) {
                Integer m = it.next();
                if (m % 2 == 0) {
                    it.remove();
                    return m;
                }
            }
            return null;
        }

        public Object tryReceiveInteger() {
            return tryReceive();
        }
    }
}
