package io.verdant.internal;

import io.verdant.AbandonedWaiters;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.GreenState;
import io.verdant.Mailbox;
import io.verdant.ReplyTo;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Callers of {@code Green.call} that their runtime's close abandons while
 * their request still waits for room in a long-lived callee's full blocking
 * mailbox (parked on the mailbox, not yet on the reply slot; their only
 * carrier held, so they never run again): the callee forgets them. Before,
 * each left its exit listener on the callee until the callee ended.
 */
@Timeout(60)
class AbandonedBlockedCallerForgottenTest {
    private static final int CALLERS = 200;

    @Test
    void aCalleeForgetsCallersAbandonedWhileTheirRequestWaitedForRoom() throws Exception {
        Verdant a = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name("abandoned-blocked-callers")
                .shutdownTimeout(Duration.ofMillis(100)).failureHandler((h, t) -> { }).build());
        Verdant b = Verdant.start(Config.builder().workers(1).name("full-callee").build());
        try {
            GreenHandle<Void> callee = b.spawner().mailbox(Mailbox.blocking(1, Duration.ofSeconds(50)))
                    .spawn(() -> Green.sleep(Duration.ofMinutes(5))); // never takes a message
            assertThat(b.send(callee.pid(), "fills the mailbox")).isTrue();
            ActorCell cell = ActorCell.of((GreenThread<?>) callee);
            int before = cell.monitorCount();
            List<GreenHandle<Integer>> callers = new ArrayList<>(CALLERS);
            for (int i = 0; i < CALLERS; i++) {
                callers.add(a.spawn(() -> Green.call(callee.pid(), (ReplyTo<Integer> r) -> r, Duration.ofSeconds(50))));
            }
            // The value the loop saw is the one asserted: read again, it may have moved on.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            boolean allWaiting;
            while (!(allWaiting = callers.stream().allMatch(c -> c.state() == GreenState.WAITING))
                    && System.nanoTime() < until) {
                Thread.sleep(1);
            }
            assertThat(allWaiting).as("every caller waits: %s", callers).isTrue();
            assertThat(cell.monitorCount()).isEqualTo(before + CALLERS);

            AbandonedWaiters.closeHoldingItsCarrier(a);
            assertThat(callers).allMatch(GreenHandle::isDone);

            assertThat(cell.monitorCount()).as("exit listeners of abandoned callers").isEqualTo(before);
            assertThat(callee.isDone()).isFalse();
        } finally {
            a.close();
            b.close();
        }
    }
}
