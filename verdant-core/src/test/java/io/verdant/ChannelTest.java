package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The channel contract, run against every {@link ChannelKind}. */
@Timeout(60)
class ChannelTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("chan").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }


    @ParameterizedTest
    @EnumSource(names = {"RENDEZVOUS", "BOUNDED_1", "BOUNDED_3", "UNBOUNDED"})
    void valuesArriveInOrderBetweenGreenThreads(ChannelKind kind) {
        Channel<Integer> ch = kind.make();
        List<Integer> got = rt.run(() -> {
            Green.spawn(() -> {
                for (int i = 0; i < 1000; i++) {
                    ch.send(i);
                }
                ch.close();
            });
            List<Integer> l = new ArrayList<>();
            for (int v : ch) {
                l.add(v);
            }
            return l;
        });
        assertThat(got).hasSize(1000);
        for (int i = 0; i < 1000; i++) {
            assertThat(got.get(i)).isEqualTo(i);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"RENDEZVOUS", "BOUNDED_2", "UNBOUNDED"})
    void worksBetweenPlatformAndGreenThreads(ChannelKind kind) throws Exception {
        Channel<String> in = kind.make();
        Channel<String> out = kind.make();
        GreenHandle<Void> echo = rt.spawn(() -> {
            for (String s : in) {
                out.send(s + "!");
            }
            out.close();
        });
        Thread producer = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 100; i++) {
                in.send("m" + i);
            }
            in.close();
        });
        for (int i = 0; i < 100; i++) {
            assertThat(out.receive()).isEqualTo("m" + i + "!");
        }
        assertThatThrownBy(out::receive).isInstanceOf(ChannelClosedException.class);
        producer.join();
        echo.join();
    }

    @Test
    void tryOperationsNeverWait() {
        Channel<Integer> r = Channel.rendezvous();
        assertThat(r.trySend(1)).isFalse();
        assertThat(r.tryReceive()).isEmpty();
        Channel<Integer> b = Channel.bounded(2);
        assertThat(b.trySend(1)).isTrue();
        assertThat(b.trySend(2)).isTrue();
        assertThat(b.trySend(3)).isFalse();
        assertThat(b.tryReceive()).contains(1);
        assertThat(b.tryReceive()).contains(2);
        assertThat(b.tryReceive()).isEmpty();
        Channel<Integer> u = Channel.unbounded();
        for (int i = 0; i < 10_000; i++) {
            assertThat(u.trySend(i)).isTrue();
        }
        for (int i = 0; i < 10_000; i++) {
            assertThat(u.tryReceive()).contains(i);
        }
    }

    @Test
    void aRendezvousTrySendSucceedsWhenAReceiverWaits() throws Exception {
        Channel<Integer> r = Channel.rendezvous();
        GreenHandle<Integer> h = rt.spawn(() -> r.receive());
        while (!r.trySend(42)) {
            Thread.sleep(1);
        }
        assertThat(h.join()).isEqualTo(42);
    }

    @ParameterizedTest
    @EnumSource(names = {"RENDEZVOUS", "BOUNDED_1"})
    void timeoutsThrowAndConsumeNothing(ChannelKind kind) {
        Channel<Integer> ch = kind.make();
        rt.run(() -> {
            if (kind.buffers()) {
                ch.send(1);
            }
            long s = System.nanoTime();
            assertThatThrownBy(() -> ch.send(2, Duration.ofMillis(30))).isInstanceOf(TimedOutException.class);
            assertThat(System.nanoTime() - s).isGreaterThanOrEqualTo(Duration.ofMillis(30).toNanos());
            if (kind.buffers()) {
                assertThat(ch.receive()).isEqualTo(1);
            }
            s = System.nanoTime();
            assertThatThrownBy(() -> ch.receive(Duration.ofMillis(30))).isInstanceOf(TimedOutException.class);
            assertThat(System.nanoTime() - s).isGreaterThanOrEqualTo(Duration.ofMillis(30).toNanos());
            assertThat(ch.tryReceive()).isEmpty();
            assertThatThrownBy(() -> ch.receive(Duration.ZERO)).isInstanceOf(TimedOutException.class);
            return null;
        });
        assertThat(TestAccess.timers(rt)).isZero();
        assertThat(TestAccess.queuedNodes(ch)).isZero();
    }

    @Test
    void closeDrainsBufferedValuesThenFailsEveryOperation() {
        Channel<Integer> ch = Channel.bounded(4);
        ch.send(1);
        ch.send(2);
        assertThat(ch.close()).isTrue();
        assertThat(ch.close()).isFalse();
        assertThat(ch.isClosed()).isTrue();
        assertThatThrownBy(() -> ch.send(3)).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> ch.trySend(3)).isInstanceOf(ChannelClosedException.class);
        assertThat(ch.receive()).isEqualTo(1);
        assertThat(ch.tryReceive()).contains(2);
        assertThatThrownBy(ch::receive).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(ch::tryReceive).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> ch.receive(Duration.ofSeconds(1))).isInstanceOf(ChannelClosedException.class);
        assertThat(ch.iterator().hasNext()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(names = {"RENDEZVOUS", "BOUNDED_1"})
    void closeWakesEveryWaiter(ChannelKind kind) {
        Channel<Integer> full = kind.make();
        Channel<Integer> empty = kind.make();
        rt.run(() -> {
            if (kind.buffers()) {
                full.send(0);
            }
            int n = 50;
            CountDownLatch started = new CountDownLatch(2 * n);
            List<GreenHandle<Object>> hs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                hs.add(Green.spawn(() -> {
                    started.countDown();
                    full.send(1);
                    return null;
                }));
                hs.add(Green.spawn(() -> {
                    started.countDown();
                    return empty.receive();
                }));
            }
            started.await();
            while (TestAccess.queuedNodes(full) + TestAccess.queuedNodes(empty) < 2 * n) {
                Green.sleep(Duration.ofMillis(1));
            }
            full.close();
            empty.close();
            for (GreenHandle<Object> h : hs) {
                assertThatThrownBy(h::join).hasCauseInstanceOf(ChannelClosedException.class);
            }
            return null;
        });
    }

    @Test
    void nullsAreRejected() {
        Channel<Object> ch = Channel.unbounded();
        assertThatThrownBy(() -> ch.send(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("value");
        assertThatThrownBy(() -> ch.trySend(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ch.send(null, Duration.ZERO)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ch.receive(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> Channel.bounded(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cancellingAWaitingReceiverThrowsAndDequeuesIt() {
        Channel<Integer> ch = Channel.rendezvous();
        AtomicReference<Throwable> seen = new AtomicReference<>();
        rt.run(() -> {
            CountDownLatch in = new CountDownLatch(1);
            GreenHandle<Integer> h = Green.spawn(() -> {
                in.countDown();
                try {
                    return ch.receive();
                } catch (CancelledException e) {
                    seen.set(e);
                    throw e;
                }
            });
            in.await();
            while (TestAccess.queuedNodes(ch) == 0) {
                Green.sleep(Duration.ofMillis(1));
            }
            h.cancel();
            assertThatThrownBy(h::join).hasCauseInstanceOf(CancelledException.class);
            return null;
        });
        assertThat(seen.get()).isInstanceOf(CancelledException.class);
        assertThat(TestAccess.queuedNodes(ch)).isZero();
        assertThat(ch.trySend(1)).isFalse();
    }

    @Test
    void aWaitingReceiverIsHandedTheValueDirectly() {
        // The receiver runs next on the sender's carrier: on one worker, the
        // sender's next statement runs only after the receiver has parked again or ended.
        try (Verdant one = Verdant.start(Config.builder().workers(1).name("one").build())) {
            List<String> log = one.run(() -> {
                Channel<String> ch = Channel.rendezvous();
                List<String> l = java.util.Collections.synchronizedList(new ArrayList<>());
                GreenHandle<Boolean> r = Green.spawn(() -> l.add("got " + ch.receive()));
                while (TestAccess.queuedNodes(ch) == 0) {
                    Green.yield();
                }
                ch.send("x");
                l.add("sent");
                r.join();
                return l;
            });
            assertThat(log).containsExactly("sent", "got x").hasSize(2);
        }
    }
}
