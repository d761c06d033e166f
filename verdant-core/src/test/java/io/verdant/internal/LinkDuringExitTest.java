package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Green.link to a thread that ends while the link is being made: the peer's
 * side is made (its exit will tell the linker), and the peer ends, its exit
 * told the linker and took itself out of the linker's links, before the
 * linker made its own side (fault site LINK_PEER_SIDE_MADE). The linker then
 * added the dead peer to its links, where it stayed for as long as the linker
 * lived (one dead thread, with its outcome and its runtime, kept per such
 * link). Now the linker's side is made first, so the exit finds it and takes
 * it out.
 */
@Timeout(60)
class LinkDuringExitTest {

    @AfterEach
    void uninstall() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aPeerEndingWhileTheLinkIsMadeIsNotKeptInTheLinkersLinks() throws Exception {
        try (Verdant peers = Verdant.start(Config.builder().workers(1).name("link-exit-peer").build());
             Verdant linkers = Verdant.start(Config.builder().workers(1).name("link-exit-linker").build())) {
            CountDownLatch go = new CountDownLatch(1);
            CountDownLatch ended = new CountDownLatch(1);
            GreenHandle<String> peer = peers.spawn(() -> {
                go.await();
                return "done";
            });
            // Runs after its exit has told its links and taken itself out of theirs.
            ((GreenThread<String>) peer).onComplete((v, f) -> ended.countDown(), false);
            AtomicBoolean armed = new AtomicBoolean(true);
            AtomicBoolean held = new AtomicBoolean();
            SchedulerTestAccess.atSites((w, site) -> {
                GreenThread<?> g = GreenThread.current();
                if (site.equals("LINK_PEER_SIDE_MADE") && g != null && g.runtime().name.equals("link-exit-linker")
                        && armed.compareAndSet(true, false)) {
                    go.countDown();
                    // Spins (bounded): the peer ends on the other runtime's carrier meanwhile.
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (ended.getCount() > 0 && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    held.set(ended.getCount() == 0);
                }
            });
            String seen = linkers.run(() -> {
                Green.trapExits(true);
                boolean linked = Green.link(peer.pid());
                Object exit = Green.receive(m -> m instanceof io.verdant.Signal.Exit, Duration.ofSeconds(10));
                return linked + " " + exit.getClass().getSimpleName() + ", links "
                        + ActorCell.of(GreenThread.current()).linkCount();
            });

            assertThat(held.get()).as("the peer ended while the link was being made").isTrue();
            assertThat(seen).as("told once, and no dead peer kept").isEqualTo("true Exit, links 0");
            assertThat(peer.join(Duration.ofSeconds(10))).isEqualTo("done");
        }
    }
}
