package io.verdant.internal;

import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static io.verdant.internal.ModelCheck.check;
import static io.verdant.internal.ModelCheck.race;

/**
 * Lincheck's model checker on a mailbox ({@link ActorCell} through {@link
 * MailboxHarness}: no owner thread, non-blocking receives): two senders racing
 * the consumer's plain and selective receives and its size(), which drains the
 * queue into the save queue. Every message is received exactly once; a
 * selective receive takes the oldest match, so a sender's messages arrive in
 * order except where a selective receive passed over a non-matching older one;
 * size() counts exactly what is left. MailboxLincheckTest is the stress-mode
 * linearizability check. Checks are plain throws: Lincheck compares objects
 * with equals, which AssertJ's assertions refuse.
 */
@Timeout(600)
class MailboxModelCheckTest {
    private static final int INVOCATIONS = 200;
    private static final Predicate<Object> EVEN = m -> (Integer) m % 2 == 0;

    /** A receive's record: the message, negated if a selective (even-only) receive took it. */
    private static void got(List<Integer> out, Object m, boolean selective) {
        if (m != null) {
            out.add(selective ? -(Integer) m : (Integer) m);
        }
    }

    @Test
    void sendsRacingPlainAndSelectiveReceivesAreEachReceivedOnceInOrder() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            MailboxHarness cell = new MailboxHarness();
            List<Integer> received = new ArrayList<>();
            race(() -> {
                cell.send(11);
                cell.send(12);
                cell.send(14);
            }, () -> {
                cell.send(21);
                cell.send(22);
            }, () -> {
                got(received, cell.tryReceive(EVEN), true);
                got(received, cell.tryReceive(), false);
                cell.size();
                got(received, cell.tryReceive(EVEN), true);
            });
            int left = cell.size();
            int before = received.size();
            for (Object m = cell.tryReceive(); m != null; m = cell.tryReceive()) {
                got(received, m, false);
            }
            check(received.size() == 5, "received " + received);
            check(left == received.size() - before, "size() said " + left + ", the drain took " + (received.size() - before));
            List<Integer> abs = received.stream().map(Math::abs).toList();
            check(abs.containsAll(List.of(11, 12, 14, 21, 22)), "received " + received);
            check(cell.size() == 0, "a drained mailbox has size " + cell.size());
            // Order: a later message of a sender before an earlier one only if a selective
            // receive took the later (even) one over the earlier odd one.
            for (int i = 0; i < received.size(); i++) {
                for (int j = i + 1; j < received.size(); j++) {
                    int a = Math.abs(received.get(i));
                    int b = Math.abs(received.get(j));
                    if (a / 10 == b / 10 && a > b && !(received.get(i) < 0 && b % 2 != 0)) {
                        throw new AssertionError("out of order: " + received);
                    }
                }
            }
        });
    }
}
