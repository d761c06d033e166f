package io.verdant.internal;

import io.verdant.CancelledException;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Pid;
import io.verdant.Signal;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Monitors across runtimes when close abandons one side (RuntimeCore,
 * "Shutdown", step 4). A watcher in a live runtime gets the Down of a target
 * its runtime's close abandoned, as it would of a target that ended, and no
 * longer references it; a target in a live runtime keeps no monitor of a
 * watcher that close abandoned. Before, the watcher waited for ever for that
 * Down and both sides kept the closed runtime's thread (and so the closed
 * runtime) reachable for as long as they lived.
 */
@Timeout(60)
class AbandonedMonitorTest {

    @Test
    void aWatcherInAnotherRuntimeGetsTheDownOfATargetAbandonedAtClose() throws Exception {
        try (Verdant a = Verdant.start(Config.builder().workers(1).name("abandoned-target-a").build())) {
            Verdant b = Verdant.start(AbandonedThreadUnregistersTest.closingFast("abandoned-target-b"));
            CountDownLatch parked = new CountDownLatch(1);
            GreenHandle<Object> t = b.spawn(() -> AbandonedThreadUnregistersTest.stubborn(parked));
            Pid tPid = t.pid();
            assertThat(parked.await(20, TimeUnit.SECONDS)).isTrue();
            CountDownLatch watching = new CountDownLatch(1);
            CountDownLatch closed = new CountDownLatch(1);
            GreenHandle<Object> w = a.spawn(() -> {
                Green.monitor(tPid);
                watching.countDown();
                Object down = Green.receive(m -> m instanceof Signal.Down, Duration.ofSeconds(10));
                // The watcher's entry is removed after the Down is in its mailbox (as at an
                // exit: ActorCell, "Demonitor versus an exit in flight"), by the closer:
                // counted once close() has returned.
                closed.await(10, TimeUnit.SECONDS);
                return ((Signal.Down) down).failure().getClass().getSimpleName()
                        + ", watching " + ActorCell.of(GreenThread.current()).watchingCount();
            });
            assertThat(watching.await(20, TimeUnit.SECONDS)).isTrue();

            b.close();
            closed.countDown();

            assertThat(t.isDone()).as("abandoned").isTrue();
            assertThat(w.join(Duration.ofSeconds(20)))
                    .isEqualTo(CancelledException.class.getSimpleName() + ", watching 0");
        }
    }

    @Test
    void aTargetInAnotherRuntimeKeepsNoMonitorOfAWatcherAbandonedAtClose() throws Exception {
        try (Verdant a = Verdant.start(Config.builder().workers(1).name("abandoned-watcher-a").build())) {
            RuntimeCore aCore = a.run(() -> GreenThread.current().runtime());
            GreenHandle<Object> t = a.spawn(() -> Green.receive());
            GreenThread<?> tg = aCore.lookup(t.pid());
            Verdant b = Verdant.start(AbandonedThreadUnregistersTest.closingFast("abandoned-watcher-b"));
            CountDownLatch parked = new CountDownLatch(1);
            GreenHandle<Object> w = b.spawn(() -> {
                Green.monitor(t.pid());
                return AbandonedThreadUnregistersTest.stubborn(parked);
            });
            assertThat(parked.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(ActorCell.of(tg).monitorCount()).isEqualTo(1);

            b.close();

            assertThat(w.isDone()).as("abandoned").isTrue();
            assertThat(ActorCell.of(tg).monitorCount()).as("monitors of the abandoned watcher left on the target").isZero();
            Green.send(t.pid(), "stop");
            t.join(Duration.ofSeconds(10));
        }
    }
}
