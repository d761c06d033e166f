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
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Callers of {@code Green.call} that their runtime's close abandons while they
 * wait for a reply from a long-lived callee of another runtime (their only
 * carrier held, so they never run again): the callee forgets them. Before,
 * each left its exit listener on the callee and, with a DROP_OLDEST mailbox,
 * its request in the mailbox's calls in flight, until the callee ended: memory
 * (the dead callers' threads included) grew with every abandoned call.
 */
@Timeout(60)
class AbandonedCallerForgottenTest {
    private static final int CALLERS = 2_000;

    @Test
    void aCalleeForgetsTheCallersAnotherRuntimesCloseAbandoned() throws Exception {
        Verdant a = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name("abandoned-callers")
                .shutdownTimeout(Duration.ofMillis(100)).failureHandler((h, t) -> { }).build());
        Verdant b = Verdant.start(Config.builder().workers(1).name("long-lived-callee").build());
        try {
            AtomicInteger taken = new AtomicInteger();
            GreenHandle<Void> callee = b.spawner().mailbox(Mailbox.bounded(CALLERS * 2, Mailbox.Overflow.DROP_OLDEST))
                    .spawn(() -> {
                        for (;;) {
                            Green.receive(); // takes each request and never replies
                            taken.incrementAndGet();
                        }
                    });
            ActorCell cell = ActorCell.of((GreenThread<?>) callee);
            int before = cell.monitorCount();
            List<GreenHandle<Integer>> callers = new ArrayList<>(CALLERS);
            for (int i = 0; i < CALLERS; i++) {
                callers.add(a.spawn(() -> Green.call(callee.pid(), (ReplyTo<Integer> r) -> r, Duration.ofSeconds(50))));
            }
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((taken.get() < CALLERS || !callers.stream().allMatch(c -> c.state() == GreenState.WAITING))
                    && System.nanoTime() < until) {
                Thread.sleep(1);
            }
            assertThat(taken.get()).isEqualTo(CALLERS);
            MailboxBound bound = cell.boundOrNull();
            assertThat(cell.monitorCount()).isEqualTo(before + CALLERS);
            assertThat(bound.callsInFlight()).isEqualTo(CALLERS);

            AbandonedWaiters.closeHoldingItsCarrier(a);
            assertThat(callers).allMatch(GreenHandle::isDone);

            assertThat(cell.monitorCount()).as("exit listeners of abandoned callers").isEqualTo(before);
            assertThat(bound.callsInFlight()).as("calls in flight of abandoned callers").isZero();
            assertThat(callee.isDone()).isFalse();
        } finally {
            a.close();
            b.close();
        }
    }
}
