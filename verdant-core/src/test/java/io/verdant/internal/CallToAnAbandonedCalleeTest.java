package io.verdant.internal;

import io.verdant.CalleeExitedException;
import io.verdant.CancelledException;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Mailbox;
import io.verdant.Pid;
import io.verdant.ReplyTo;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Threads outside a runtime waiting on a green thread that the runtime's close
 * abandons (it ignores its cancellation past the shutdown timeout): a call
 * fails at close with CalleeExitedException caused by CancelledException (its
 * javadoc: "its runtime closed under it"), and a sender blocked on its full
 * BLOCK mailbox returns false at once, as when the owner ends. Before the fix
 * an abandoned thread told none of its exit listeners (close completes it
 * without its exit), so both waited for their full timeouts after the runtime
 * had closed.
 */
@Timeout(60)
class CallToAnAbandonedCalleeTest {

    @Test
    void aCallerOutsideTheRuntimeLearnsThatItsCalleeWasAbandoned() throws Exception {
        Verdant rt = Verdant.start(Config.builder().workers(1).name("call-abandoned")
                .shutdownTimeout(Duration.ofMillis(50)).build());
        CountDownLatch parked = new CountDownLatch(1);
        GreenHandle<Object> callee = rt.spawn(() -> {
            Green.receive(); // the request
            parked.countDown();
            while (true) { // ignores cancellation: close abandons it
                LockSupport.park();
                Thread.interrupted();
            }
        });
        Pid pid = callee.pid();
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        CountDownLatch returned = new CountDownLatch(1);
        Thread caller = Thread.ofPlatform().start(() -> {
            try {
                Green.call(pid, (ReplyTo<String> r) -> "request", Duration.ofSeconds(30));
            } catch (Throwable t) {
                outcome.set(t);
            }
            returned.countDown();
        });
        try {
            assertThat(parked.await(20, TimeUnit.SECONDS)).isTrue();
            rt.close();
            assertThat(callee.isDone()).isTrue();
            assertThat(returned.await(10, TimeUnit.SECONDS)).as("the call returned once its callee was abandoned").isTrue();
            assertThat(outcome.get()).isInstanceOf(CalleeExitedException.class).hasCauseInstanceOf(CancelledException.class);
        } finally {
            caller.interrupt();
            caller.join();
        }
    }

    @Test
    void aSenderBlockedOnTheFullMailboxOfAnAbandonedThreadReturnsFalse() throws Exception {
        Verdant rt = Verdant.start(Config.builder().workers(1).name("blocked-sender-abandoned")
                .shutdownTimeout(Duration.ofMillis(50)).build());
        CountDownLatch parked = new CountDownLatch(1);
        GreenHandle<Object> owner = rt.spawner().mailbox(Mailbox.blocking(1, Duration.ofSeconds(30))).spawn(() -> {
            parked.countDown();
            while (true) { // never receives, ignores cancellation: close abandons it
                LockSupport.park();
                Thread.interrupted();
            }
        });
        Pid pid = owner.pid();
        AtomicReference<Object> outcome = new AtomicReference<>();
        CountDownLatch returned = new CountDownLatch(1);
        Thread sender = Thread.ofPlatform().unstarted(() -> {
            try {
                outcome.set(rt.send(pid, "waits for room"));
            } catch (Throwable t) {
                outcome.set(t);
            }
            returned.countDown();
        });
        try {
            assertThat(parked.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(rt.send(pid, "fills it")).isTrue();
            sender.start();
            // Blocked for room (no latch can say it waits inside send).
            // The state the loop saw is the one asserted: read again, it may have moved on.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            Thread.State state;
            while ((state = sender.getState()) != Thread.State.TIMED_WAITING && System.nanoTime() < until) {
                Thread.sleep(1);
            }
            assertThat(state).isEqualTo(Thread.State.TIMED_WAITING);
            rt.close();
            assertThat(owner.isDone()).isTrue();
            assertThat(returned.await(10, TimeUnit.SECONDS)).as("the send returned once the owner was abandoned").isTrue();
            assertThat(outcome.get()).isEqualTo(false);
        } finally {
            sender.interrupt();
            sender.join();
        }
    }
}
