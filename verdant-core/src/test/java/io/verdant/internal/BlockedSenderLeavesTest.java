package io.verdant.internal;

import io.verdant.CancelledException;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenFailedException;
import io.verdant.GreenHandle;
import io.verdant.GreenState;
import io.verdant.Mailbox;
import io.verdant.Verdant;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * MailboxBound, "Waiting for room": a sender that leaves (cancelled, timed out)
 * after the owner's wake-up picked it passes the wake-up on, so the next waiting
 * sender takes the room at once. Forced: sender A, first among the waiters of a
 * full BLOCK mailbox, is held at fault site SENDER_WAITING (published, count
 * re-checked, cancellation not yet checked) while sender B parks behind it; the
 * owner takes a message (its wake-up polls A), then A is cancelled and leaves.
 * Before the fix B stayed parked with room in the mailbox until some later event
 * (here: its two-minute block timeout; 3 of 3 runs).
 */
@Timeout(60)
class BlockedSenderLeavesTest {
    private static final Duration BLOCK_FOR = Duration.ofMinutes(2);

    @AfterEach
    void uninstall() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aSenderThatLeavesAfterTheOwnersWakeUpPassesItOn() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("sender-leaves").build())) {
            CountDownLatch go = new CountDownLatch(1);
            CountDownLatch took = new CountDownLatch(1);
            GreenHandle<List<Object>> owner = rt.spawner().mailbox(Mailbox.blocking(1, BLOCK_FOR)).spawn(() -> {
                go.await();
                Object first = Green.receive();
                took.countDown();
                return List.of(first, Green.receive(Duration.ofSeconds(30)));
            });
            assertThat(Green.send(owner.pid(), "filler")).isTrue(); // the mailbox (of one) is full

            AtomicReference<GreenThread<?>> a = new AtomicReference<>();
            AtomicBoolean armed = new AtomicBoolean(true);
            CountDownLatch aWaiting = new CountDownLatch(1);
            CountDownLatch proceed = new CountDownLatch(1);
            AtomicReference<Throwable> hookFailure = new AtomicReference<>();
            SchedulerTestAccess.atSites((w, site) -> {
                GreenThread<?> me = GreenThread.current();
                if (site.equals("SENDER_WAITING") && me != null && me == a.get() && armed.compareAndSet(true, false)) {
                    try {
                        aWaiting.countDown();
                        assertThat(proceed.await(30, TimeUnit.SECONDS)).isTrue();
                        me.cancel(); // A leaves: its cancellation check comes next
                    } catch (Throwable t) {
                        hookFailure.set(t);
                    }
                }
            });
            GreenHandle<Boolean> senderA = rt.spawn(() -> {
                a.set(GreenThread.current());
                return Green.send(owner.pid(), "a");
            });
            assertThat(aWaiting.await(30, TimeUnit.SECONDS)).as("A is among the waiters").isTrue();
            GreenHandle<Boolean> senderB = rt.spawn(() -> Green.send(owner.pid(), "b"));
            awaitParked(senderB); // B waits behind A
            go.countDown();
            assertThat(took.await(30, TimeUnit.SECONDS)).as("the owner took a message: room for one").isTrue();
            proceed.countDown();

            assertThatThrownBy(() -> senderA.join(Duration.ofSeconds(30))).isInstanceOf(GreenFailedException.class)
                    .cause().isInstanceOf(CancelledException.class);
            assertThat(hookFailure.get()).isNull();
            assertThat(senderB.join(Duration.ofSeconds(10))).as("B took the room A left").isTrue();
            assertThat(owner.join(Duration.ofSeconds(30))).containsExactly("filler", "b");
        }
    }

    /** Waits until {@code sender} parks: its only blocking step is the send to the full mailbox. */
    private static void awaitParked(GreenHandle<?> sender) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (sender.state() != GreenState.WAITING) {
            assertThat(sender.isDone()).as("the sender ended instead of blocking").isFalse();
            assertThat(System.nanoTime() - deadline).as("the sender parked in time").isNegative();
            Thread.onSpinWait();
        }
    }
}
