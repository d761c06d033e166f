package io.verdant.lincheck;

import io.verdant.Channel;
import io.verdant.ChannelClosedException;
import io.verdant.TimedOutException;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * Linearizability of a bounded(2) channel against a FIFO queue with a close
 * flag, from platform threads (Lincheck drives them). Timed sends and
 * receives are included with a short timeout: they linearize like the try
 * forms, except that they may also complete by waiting for a partner.
 * Iterations are capped so the whole Lincheck set stays well under a minute.
 * (Model checking was tried on the non-blocking surface: it passed, but cost
 * about 35 s for 400 invocations on the shared 2-core machine, too slow for the suite.)
 */
// A hang guard only (Lincheck's own invocation timeout, 30 s, reports a stuck invocation): the
// iterations' time is CPU time of the threads and the verifier, which a loaded machine stretches
// (BoundedChannelLincheckTest: 94 s, 117 s, then 324 s against a 120 s guard in loaded suite runs).
@Timeout(600)
@Param(name = "v", gen = IntGen.class, conf = "1:4")
public class BoundedChannelLincheckTest {
    static final int CAPACITY = 2;
    private final Channel<Integer> ch = Channel.bounded(CAPACITY);

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

    @Operation(blocking = true)
    public String sendTimed(@Param(name = "v") int v) {
        try {
            ch.send(v, Duration.ofMillis(1));
            return "ok";
        } catch (TimedOutException e) {
            return "full";
        } catch (ChannelClosedException e) {
            return "closed";
        }
    }

    @Operation(blocking = true)
    public String receiveTimed() {
        try {
            return "v" + ch.receive(Duration.ofMillis(1));
        } catch (TimedOutException e) {
            return "empty";
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
                .iterations(6)
                .invocationsPerIteration(200)
                .threads(3)
                .actorsPerThread(3)
                .sequentialSpecification(Spec.class)
                .check(getClass());
    }

    /** The sequential model: a FIFO of at most CAPACITY values and a closed flag. */
    public static class Spec {
        private final ArrayDeque<Integer> q = new ArrayDeque<>();
        private boolean closed;

        public String trySend(int v) {
            if (closed) {
                return "closed";
            }
            if (q.size() == CAPACITY) {
                return "full";
            }
            q.add(v);
            return "ok";
        }

        public String tryReceive() {
            if (!q.isEmpty()) {
                return "v" + q.poll();
            }
            return closed ? "closed" : "empty";
        }

        public String sendTimed(int v) {
            return trySend(v);
        }

        public String receiveTimed() {
            return tryReceive();
        }

        public boolean close() {
            boolean was = closed;
            closed = true;
            return !was;
        }
    }
}
