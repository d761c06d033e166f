package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A green thread waiting on a mutex or a channel shared with code outside its
 * runtime, abandoned by its runtime's close before it could run again (its
 * only carrier is held by a thread that never reaches a safepoint, and there is
 * no spare): the shared object drops the abandoned waiter. Before, it stayed
 * queued: an unlock handed the mutex to it, which never runs, so every later
 * lock timed out; a send handed its value to it and reported success, and the
 * value was gone.
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
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (h.state() != s && System.nanoTime() < until) {
            Thread.sleep(1);
        }
        assertThat(h.state()).isEqualTo(s);
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
}
