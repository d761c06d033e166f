package io.verdant.internal.chan;

import io.verdant.ChannelClosedException;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static io.verdant.internal.ModelCheck.check;
import static io.verdant.internal.ModelCheck.race;

/**
 * Lincheck's model checker on a channel's non-blocking surface ({@link
 * ChannelImpl}'s trySend, tryReceive and close, from platform threads), for a
 * bounded and an unbounded channel: whatever the interleaving, every value a
 * trySend accepted is received exactly once (values buffered at close stay
 * receivable until drained), sends after close throw, each sender's values
 * arrive in order, and close answers true once. The blocking forms are in the
 * stress-mode BoundedChannelLincheckTest and RendezvousChannelLincheckTest.
 * Checks are plain throws: Lincheck compares objects with equals, which
 * AssertJ's assertions refuse.
 */
@Timeout(600)
class ChannelModelCheckTest {
    private static final int INVOCATIONS = 150;

    /** trySend, recording the value if accepted; false if full or closed. */
    private static void send(ChannelImpl<Integer> ch, int v, List<Integer> accepted) {
        try {
            if (ch.trySend(v)) {
                accepted.add(v);
            }
        } catch (ChannelClosedException e) {
            // refused: closed
        }
    }

    private static void receive(ChannelImpl<Integer> ch, List<Integer> got) {
        try {
            ch.tryReceive().ifPresent(got::add);
        } catch (ChannelClosedException e) {
            // closed and drained
        }
    }

    private void sendsReceivesAndCloseKeepEveryValue(int capacity) {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            ChannelImpl<Integer> ch = new ChannelImpl<>(capacity);
            List<Integer> accepted1 = new ArrayList<>();
            List<Integer> accepted2 = new ArrayList<>();
            List<Integer> got = new ArrayList<>();
            boolean[] closes = new boolean[2];
            race(() -> {
                send(ch, 11, accepted1);
                send(ch, 12, accepted1);
            }, () -> {
                send(ch, 21, accepted2);
                closes[0] = ch.close();
            }, () -> {
                receive(ch, got);
                closes[1] = ch.close();
                receive(ch, got);
            });
            for (int guard = 0; guard < 10; guard++) {
                receive(ch, got);
            }
            check(closes[0] ^ closes[1], "close answered true " + (closes[0] && closes[1] ? "twice" : "never"));
            List<Integer> accepted = new ArrayList<>(accepted1);
            accepted.addAll(accepted2);
            check(got.size() == accepted.size() && got.containsAll(accepted),
                    "accepted " + accepted + ", received " + got);
            check(got.indexOf(12) < 0 || got.indexOf(11) < got.indexOf(12), "out of order: " + got);
            try {
                ch.trySend(99);
                throw new AssertionError("a send on a closed channel did not throw");
            } catch (ChannelClosedException expected) {
                // as documented
            }
            check(ch.queuedNodes() == 0, "nodes left queued: " + ch.queuedNodes());
        });
    }

    @Test
    void aBoundedChannelKeepsEveryAcceptedValueAcrossClose() {
        sendsReceivesAndCloseKeepEveryValue(1);
    }

    @Test
    void anUnboundedChannelKeepsEveryAcceptedValueAcrossClose() {
        sendsReceivesAndCloseKeepEveryValue(Integer.MAX_VALUE);
    }
}
