package io.verdant.internal;

import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static io.verdant.internal.ModelCheck.check;
import static io.verdant.internal.ModelCheck.race;

/**
 * Lincheck's model checker on the event-actor hand-off ({@link
 * EventHandOffHarness}: ActorCell's append, pollEvent and idleEvent, with a
 * one-token run queue standing for the dispatchers): two senders racing a
 * dispatcher's turns, which end on a full budget as well as on an empty
 * mailbox. Whatever the interleaving, once the queued turns are run every
 * message was handled once, each sender's in order, the actor is IDLE and
 * empty, and no two parties owned it at once (no message stranded in an IDLE
 * actor). EventHandOffLincheckTest is the stress-mode counterpart. Checks are
 * plain throws: Lincheck compares objects with equals, which AssertJ's
 * assertions refuse.
 */
@Timeout(600)
class EventHandOffModelCheckTest {
    private static final int INVOCATIONS = 200;

    @Test
    void sendsRacingTurnsStrandNoMessage() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            EventHandOffHarness actor = new EventHandOffHarness();
            race(() -> {
                actor.send(11);
                actor.send(12);
            }, () -> {
                actor.send(21);
                actor.send(22);
            }, () -> {
                actor.dispatch();
                actor.dispatch();
            });
            actor.drain(100);
            List<Object> handled = new ArrayList<>(actor.handled());
            check(handled.size() == 4 && handled.containsAll(List.of(11, 12, 21, 22)), "handled " + handled);
            check(handled.indexOf(11) < handled.indexOf(12) && handled.indexOf(21) < handled.indexOf(22),
                    "out of order: " + handled);
            check(actor.idle() && actor.queued() == 0, "after the drain the actor is not IDLE and empty");
            check(actor.doubleOwnership() == 0, "two parties owned the actor at once");
        });
    }
}
