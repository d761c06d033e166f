package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import static io.verdant.SnapshotTest.info;
import static io.verdant.StallTest.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

/** Wait reasons of senders blocked on a full BLOCK mailbox and of callers of Green.blocking name what they wait for. */
@Timeout(60)
class BlockerWaitReasonTest {
    @Test
    void aSenderBlockedOnAFullBlockMailboxNamesItsOwnerAndBound() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("mbx").build())) {
            CountDownLatch release = new CountDownLatch(1);
            GreenHandle<Object> owner = rt.spawner().name("owner").mailbox(Mailbox.blocking(2, Duration.ofSeconds(30)))
                    .spawn(() -> {
                        release.await();
                        for (int i = 0; i < 3; i++) {
                            Green.receive();
                        }
                        return null;
                    });
            GreenHandle<Object> sender = rt.spawner().name("sender").spawn(() -> {
                for (int i = 0; i < 3; i++) {
                    Green.send(owner.pid(), "secret-" + i);
                }
                return null;
            });
            waitUntil(() -> sender.state() == GreenState.WAITING && info(rt, owner.pid()).mailboxDepth() == 2);
            String reason = info(rt, sender.pid()).waitReason();
            assertThat(reason).isEqualTo("Mailbox of " + owner.pid() + " 'owner' bounded(2) full");
            assertThat(reason).doesNotContain("secret").doesNotContain("@");
            release.countDown();
            owner.join();
            sender.join();
        }
    }

    @Test
    void aCallerOfGreenBlockingSaysSo() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("blk").build())) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            GreenHandle<Object> caller = rt.spawner().name("caller").spawn(() -> Green.blocking(() -> {
                started.countDown();
                release.await();
                return "secret";
            }));
            started.await(); // the work runs (RUNNING), so the caller's reason is no longer "(queued)"
            waitUntil(() -> caller.state() == GreenState.WAITING);
            String reason = info(rt, caller.pid()).waitReason();
            assertThat(reason).isEqualTo("Green.blocking (running)");
            release.countDown();
            assertThat(caller.join()).isEqualTo("secret");
        }
    }
}
