package io.verdant.lincheck;

import io.verdant.Channel;
import io.verdant.ChannelClosedException;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;


/**
 * Linearizability of a rendezvous channel's non-waiting surface and close,
 * from platform threads: with nobody parked, trySend always fails, tryReceive
 * finds nothing, and after close both report closed, exactly one close wins.
 *
 * <p>What Lincheck cannot express from Java: a successful rendezvous needs a
 * partner parked at the same moment, which a sequential specification can only
 * model with Kotlin suspend functions (Lincheck's dual-structure support). The
 * hand-off itself is checked by ChannelStressTest (no loss, no duplicates,
 * per-producer order) and ChannelTest instead. (A first version of this test
 * mixed in timed receives; Lincheck rightly reported a trySend that met a
 * parked receiver, which no sequential order without parking explains.)
 */
// A hang guard only (Lincheck's own invocation timeout, 30 s, reports a stuck invocation): the
// iterations' time is CPU time of the threads and the verifier, which a loaded machine stretches
// (BoundedChannelLincheckTest: 94 s, 117 s, then 324 s against a 120 s guard in loaded suite runs).
@Timeout(600)
@Param(name = "v", gen = IntGen.class, conf = "1:4")
public class RendezvousChannelLincheckTest {
    private final Channel<Integer> ch = Channel.rendezvous();

    @Operation
    public String trySend(@Param(name = "v") int v) {
        try {
            return ch.trySend(v) ? "ok" : "full";
        } catch (ChannelClosedException e) {
            return "closed";
        }
    }

    @Operation
    public String tryReceive() {
        try {
            Integer v = ch.tryReceive().orElse(null);
            return v == null ? "empty" : "v" + v;
        } catch (ChannelClosedException e) {
            return "closed";
        }
    }

    @Operation
    public boolean close() {
        return ch.close();
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(10)
                .invocationsPerIteration(200)
                .threads(3)
                .actorsPerThread(3)
                .sequentialSpecification(Spec.class)
                .check(getClass());
    }

    /** Sequential model: no value is ever stored; only the closed flag matters. */
    public static class Spec {
        private boolean closed;

        public String trySend(int v) {
            return closed ? "closed" : "full";
        }

        public String tryReceive() {
            return closed ? "closed" : "empty";
        }

        public boolean close() {
            boolean was = closed;
            closed = true;
            return !was;
        }
    }
}
