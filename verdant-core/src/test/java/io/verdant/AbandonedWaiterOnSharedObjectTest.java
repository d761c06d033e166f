package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A green thread waiting on a mutex, a channel or a full mailbox shared with
 * code outside its runtime, abandoned by its runtime's close before it could run again (its
 * only carrier is held by a thread that never reaches a safepoint, and there is
 * no spare): the shared object drops the abandoned waiter. Before, it stayed
 * queued: an unlock handed the mutex to it, which never runs, so every later
 * lock timed out; a send handed its value to it and reported success, and the
 * value was gone; a sender blocked on a full mailbox got the owner's wake-up
 * for the room, and a live sender behind it waited out its block timeout.
 */
@Timeout(60)
class AbandonedWaiterOnSharedObjectTest {
    /** One carrier, no spare to rescue it, a short shutdown. */
    private static Verdant starvedRuntime(String name) {
        return Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name(name)
                .shutdownTimeout(Duration.ofMillis(100)).failureHandler((h, t) -> { }).build());
    }

    private static volatile boolean release;

    /** Holds the only carrier with no safepoint until {@link #release}; counts {@code holding} down first. */
    private static GreenHandle<Void> holdTheCarrier(Verdant rt, CountDownLatch holding) {
        return rt.spawn(() -> {
            holding.countDown();
            while (!release) {
                Thread.onSpinWait();
            }
        });
    }

    private static void awaitState(GreenHandle<?> h, GreenState s) throws InterruptedException {
        // The state the loop saw is the one asserted: read again, it may have moved on.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        GreenState seen;
        while ((seen = h.state()) != s && System.nanoTime() < until) {
            Thread.sleep(1);
        }
        assertThat(seen).isEqualTo(s);
    }

    @Test
    void anUnlockPassesOverAWaiterItsRuntimeAbandoned() throws Exception {
        release = false;
        Mutex<Integer> m = new Mutex<>(0);
        Verdant rt = starvedRuntime("abandoned-mutex-waiter");
        try {
            Mutex.Guard<Integer> held = m.lock(Duration.ofSeconds(1));
            GreenHandle<Integer> waiter = rt.spawn(() -> {
                try (Mutex.Guard<Integer> g = m.lock(Duration.ofSeconds(30))) {
                    return g.get();
                }
            });
            awaitState(waiter, GreenState.WAITING);
            assertThat(m.waiters()).isEqualTo(1);
            CountDownLatch holding = new CountDownLatch(1);
            holdTheCarrier(rt, holding);
            assertThat(holding.await(20, TimeUnit.SECONDS)).isTrue();
            rt.close(); // cancels the waiter, which never runs again: abandoned
            assertThat(waiter.isDone()).isTrue();
            held.close();
            try (Mutex.Guard<Integer> g = m.lock(Duration.ofSeconds(2))) {
                assertThat(g.get()).isZero();
            }
            assertThat(m.isLocked()).isFalse();
        } finally {
            release = true;
            rt.close();
        }
    }

    @Test
    void aSendPassesOverAReceiverItsRuntimeAbandoned() throws Exception {
        release = false;
        Channel<String> ch = Channel.rendezvous();
        Verdant rt = starvedRuntime("abandoned-channel-receiver");
        try {
            GreenHandle<String> receiver = rt.spawn(() -> ch.receive());
            awaitState(receiver, GreenState.WAITING);
            CountDownLatch holding = new CountDownLatch(1);
            holdTheCarrier(rt, holding);
            assertThat(holding.await(20, TimeUnit.SECONDS)).isTrue();
            rt.close();
            assertThat(receiver.isDone()).isTrue();
            assertThat(ch.trySend("lost?")).as("nobody live receives on the channel").isFalse();
        } finally {
            release = true;
            rt.close();
        }
    }

    @Test
    void aSelectOfAnAbandonedThreadTakesNoValue() throws Exception {
        release = false;
        Channel<String> ch = Channel.rendezvous();
        Channel<String> other = Channel.rendezvous();
        Verdant rt = starvedRuntime("abandoned-select");
        try {
            GreenHandle<String> receiver = rt.spawn(() -> Select.<String>create()
                    .onReceive(ch, v -> v).onReceive(other, v -> v).select());
            awaitState(receiver, GreenState.WAITING);
            CountDownLatch holding = new CountDownLatch(1);
            holdTheCarrier(rt, holding);
            assertThat(holding.await(20, TimeUnit.SECONDS)).isTrue();
            rt.close();
            assertThat(receiver.isDone()).isTrue();
            assertThat(ch.trySend("lost?")).as("nobody live receives on the channel").isFalse();
        } finally {
            release = true;
            rt.close();
        }
    }

    @Test
    void roomInAFullMailboxGoesToASenderStillAlive() throws Exception {
        release = false;
        CountDownLatch go = new CountDownLatch(1);
        Verdant a = starvedRuntime("abandoned-blocked-sender");
        try (Verdant b = Verdant.start(Config.builder().workers(1).name("mailbox-owner").build())) {
            GreenHandle<List<Object>> owner = b.spawner().mailbox(Mailbox.blocking(1, Duration.ofSeconds(10))).spawn(() -> {
                go.await();
                return List.of(Green.receive(), Green.receive());
            });
            assertThat(b.send(owner.pid(), "m0")).isTrue(); // full
            GreenHandle<Boolean> first = a.spawn(() -> Green.send(owner.pid(), "from the abandoned sender"));
            awaitState(first, GreenState.WAITING);
            CompletableFuture<Boolean> second = new CompletableFuture<>();
            Thread sender = Thread.ofPlatform().start(() -> {
                try {
                    second.complete(b.send(owner.pid(), "m2"));
                } catch (Throwable t) {
                    second.completeExceptionally(t);
                }
            });
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (sender.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < until) {
                Thread.sleep(1); // blocked for room (no latch can say it waits inside send)
            }
            CountDownLatch holding = new CountDownLatch(1);
            holdTheCarrier(a, holding);
            assertThat(holding.await(20, TimeUnit.SECONDS)).isTrue();
            a.close();
            assertThat(first.isDone()).isTrue();
            go.countDown(); // the owner takes m0: the room goes to a waiting sender
            // Not left to find the room only when its 10 s wait runs out.
            assertThat(second.get(5, TimeUnit.SECONDS)).as("the live sender got the room").isTrue();
            assertThat(owner.join()).containsExactly("m0", "m2");
            sender.join();
        } finally {
            release = true;
            a.close();
        }
    }
}
