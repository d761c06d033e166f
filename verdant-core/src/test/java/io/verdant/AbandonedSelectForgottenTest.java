package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Green threads waiting in a select over two long-lived channels, abandoned by
 * their runtime's close (its only carrier held, so they never run again):
 * neither channel keeps them. Before, close withdrew the select's case only
 * from the channel that stood for it as the park blocker; its case in the
 * other channel stayed queued, with the dead thread, until an operation on
 * that channel happened to unlink it (an idle channel, such as a quit
 * channel, kept one per abandoned select).
 */
@Timeout(60)
class AbandonedSelectForgottenTest {
    private static final int SELECTS = 50;

    @Test
    void idleChannelsDoNotKeepTheSelectsOfAbandonedThreads() throws Exception {
        Channel<String> work = Channel.rendezvous();
        Channel<String> quit = Channel.rendezvous();
        AbandonedWaiters.assertCollected(AbandonedWaiters.abandon("abandoned-selects", SELECTS,
                        () -> Select.<String>create().onReceive(work, v -> v).onReceive(quit, v -> "quit").select()),
                "abandoned selecting threads still reachable while the channels live");
        assertThat(work.trySend("lost?")).as("nobody live receives").isFalse();
        assertThat(quit.trySend("lost?")).as("nobody live receives").isFalse();
    }
}
