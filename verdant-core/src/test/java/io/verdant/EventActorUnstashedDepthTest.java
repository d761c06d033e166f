package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Messages Actors.unstashAll puts back in front of an event actor's mailbox wait
 * to be handled as queued ones do: Green.mailboxSize in the handler and the
 * snapshot's mailbox depth count them. Both left them out (a handler that had
 * just unstashed three messages saw 0, and a snapshot showed only the messages
 * queued behind them).
 */
@Timeout(60)
class EventActorUnstashedDepthTest {
    @Test
    void unstashedMessagesCountInTheMailboxSizeAndTheSnapshotsDepth() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("unstashed-depth").build())) {
            CountDownLatch unstashed = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger sizeSeen = new AtomicInteger(-1);
            GreenHandle<Object> actor = Actors.spawner(rt).spawn(null, (state, m) -> {
                if ("later".equals(m)) {
                    Actors.stash();
                } else if ("unstash".equals(m)) {
                    Actors.unstashAll();
                    sizeSeen.set(Green.mailboxSize());
                    unstashed.countDown();
                    release.await(30, TimeUnit.SECONDS); // holds the three in front of the mailbox
                }
                return state;
            });
            for (int i = 0; i < 3; i++) {
                Green.send(actor.pid(), "later");
            }
            Green.send(actor.pid(), "unstash");
            assertThat(unstashed.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(sizeSeen.get()).as("Green.mailboxSize right after unstashing three").isEqualTo(3);
            Green.send(actor.pid(), "queued 1");
            Green.send(actor.pid(), "queued 2");
            GreenThreadInfo info = rt.snapshot().find(actor.pid()).orElseThrow();
            assertThat(info.mailboxDepth()).as("three unstashed, then two queued").isEqualTo(5);
            release.countDown();
        }
    }
}
