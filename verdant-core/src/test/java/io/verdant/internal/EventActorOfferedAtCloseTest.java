package io.verdant.internal;

import io.verdant.Actors;
import io.verdant.CancelledException;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenFailedException;
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
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A send that made an idle event actor runnable (its IDLE -> SCHEDULED won) just
 * before close cancelled it, and that had not yet put the actor in the run queue
 * when close's canceller looked for queued actors (Dispatchers.endQueuedAtClose),
 * then queued it with no dispatcher alive and none allowed to start: the actor
 * stayed queued for nobody, close waited its whole shutdown timeout and abandoned
 * it (EventActorQueuedAtCloseTest's case, with the send racing the cancellation
 * instead of preceding it). The sender is held at the fault site
 * EVENT_ACTOR_OFFERING until the canceller has finished.
 */
@Timeout(120)
class EventActorOfferedAtCloseTest {
    @AfterEach
    void hooksOff() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void anActorQueuedAfterClosesCancellerLookedEndsCancelledWithoutWaitingForTheShutdownTimeout() throws Exception {
        String name = "offered-at-close";
        Duration shutdownTimeout = Duration.ofSeconds(30);
        Verdant rt = Verdant.start(Config.builder().workers(2).name(name).shutdownTimeout(shutdownTimeout).build());
        Thread sender = null;
        Thread closer = null;
        CountDownLatch atOffer = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        try {
            // Never sent to before: no dispatcher was ever started.
            GreenHandle<Object> actor = Actors.spawner(rt).name("raced").spawn(null, (state, m) -> state);
            EventActor body = (EventActor) ((GreenThread<?>) actor).body;
            AtomicReference<Thread> senderRef = new AtomicReference<>();
            AtomicBoolean held = new AtomicBoolean();
            SchedulerTestAccess.atSites((w, site) -> {
                if (site.equals("EVENT_ACTOR_OFFERING") && Thread.currentThread() == senderRef.get()
                        && held.compareAndSet(false, true)) {
                    atOffer.countDown();
                    try {
                        go.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            AtomicBoolean delivered = new AtomicBoolean();
            sender = new Thread(() -> delivered.set(Green.send(actor.pid(), "late")), name + "-sender");
            senderRef.set(sender);
            sender.start();
            assertThat(atOffer.await(30, TimeUnit.SECONDS)).as("the send made the actor runnable").isTrue();

            long[] closeMillis = {-1};
            closer = new Thread(() -> {
                long began = System.nanoTime();
                rt.close();
                closeMillis[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            }, name + "-closer");
            closer.start();
            // Close's canceller cancels the actor (scheduled by the send: the cancel leaves it),
            // then looks for queued actors: wait for it to have finished.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!body.cancelRequested() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(body.cancelRequested()).as("close cancelled the actor").isTrue();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.getName().equals(name + "-close-cancels")) {
                    t.join(30_000);
                    assertThat(t.isAlive()).as("close's canceller finished").isFalse();
                }
            }
            go.countDown();
            sender.join(30_000);
            assertThat(sender.isAlive()).isFalse();
            assertThat(delivered.get()).as("the message reached the actor").isTrue();

            closer.join(shutdownTimeout.toMillis() / 2);
            assertThat(closer.isAlive()).as("close still waits after %s ms (shutdown timeout: %s): the actor "
                    + "queued after its canceller looked is left to nobody", shutdownTimeout.toMillis() / 2,
                    shutdownTimeout).isFalse();
            assertThat(closeMillis[0]).isGreaterThanOrEqualTo(0);
            // Ended by its cancellation, not abandoned by close.
            assertThatThrownBy(() -> actor.join(Duration.ofSeconds(20))).isInstanceOf(GreenFailedException.class)
                    .hasCauseInstanceOf(CancelledException.class);
        } finally {
            go.countDown();
            SchedulerTestAccess.atSites(null);
            if (sender != null) {
                sender.join(60_000);
            }
            if (closer != null) {
                closer.join(60_000);
            }
            rt.close();
        }
    }
}
