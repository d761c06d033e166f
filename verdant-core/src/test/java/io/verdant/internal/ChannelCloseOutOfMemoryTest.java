package io.verdant.internal;

import io.verdant.Channel;
import io.verdant.ChannelClosedException;
import io.verdant.Config;
import io.verdant.GreenFailedException;
import io.verdant.GreenHandle;
import io.verdant.Select;
import io.verdant.Verdant;
import io.verdant.internal.chan.ChannelTestAccess;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A channel close whose list of waiters to wake cannot be allocated (an
 * OutOfMemoryError, injected at the fault site CLOSE_WAKE_LIST_ALLOCATING) throws
 * that error having claimed no waiter and leaving the channel open, so a later
 * close wakes them all. Before the fix the list grew while the close claimed the
 * waiters one by one: the waiter claimed when that growth failed was taken out of
 * the queue and never woken (a later close returned false, the channel being
 * closed already), and waited until its own timeout.
 * Needs -Dio.verdant.internal.faults=true (verdant-core's test build sets it).
 */
@Timeout(60)
class ChannelCloseOutOfMemoryTest {

    @AfterEach
    void removeHook() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aCloseWhoseWakeListCannotBeAllocatedClaimsNoWaiterAndALaterCloseWakesThemAll() {
        Channel<Integer> ch = Channel.rendezvous();
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("close-wake-oom").build())) {
            // Three plain receivers and a select, each waiting far longer than the test.
            List<GreenHandle<String>> waiters = List.of(receiver(rt, ch), receiver(rt, ch), receiver(rt, ch),
                    rt.spawn(() -> Select.<String>create()
                            .onReceive(ch, v -> "received " + v)
                            .onClosed(ch, e -> "closed")
                            .onTimeout(Duration.ofSeconds(120), () -> "timed out")
                            .select()));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (ChannelTestAccess.queuedNodes(ch) < waiters.size() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(ChannelTestAccess.queuedNodes(ch)).as("waiters queued").isEqualTo(waiters.size());
            AtomicInteger faults = new AtomicInteger();
            SchedulerTestAccess.atSites((w, site) -> {
                // The hook is JVM-wide: only a close on this runtime's carrier counts.
                if (site.equals("CLOSE_WAKE_LIST_ALLOCATING") && w != null
                        && w.getName().startsWith("close-wake-oom-carrier-") && faults.incrementAndGet() == 1) {
                    throw new OutOfMemoryError("injected: the close's wake list could not be allocated");
                }
            });
            GreenHandle<Boolean> failed = rt.spawn(() -> ch.close());
            assertThatThrownBy(() -> failed.join(Duration.ofSeconds(20)))
                    .isInstanceOf(GreenFailedException.class).hasCauseInstanceOf(OutOfMemoryError.class);
            SchedulerTestAccess.atSites(null);
            assertThat(faults).hasValue(1);
            assertThat(ChannelTestAccess.queuedNodes(ch)).as("waiters still queued, none claimed")
                    .isEqualTo(waiters.size());
            assertThat(rt.spawn(() -> ch.close()).join(Duration.ofSeconds(20))).as("a later close closes").isTrue();
            for (GreenHandle<String> w : waiters) {
                assertThat(w.join(Duration.ofSeconds(20))).as("woken by the later close").isEqualTo("closed");
            }
        }
    }

    private static GreenHandle<String> receiver(Verdant rt, Channel<Integer> ch) {
        return rt.spawn(() -> {
            try {
                return "received " + ch.receive(Duration.ofSeconds(120));
            } catch (ChannelClosedException e) {
                return "closed";
            }
        });
    }
}
