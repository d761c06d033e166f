package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class LinkMonitorTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("links").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void monitorOfADeadPidDeliversDownAtOnce() {
        GreenHandle<Void> dead = rt.spawn(() -> { });
        dead.join();
        Signal.Down d = rt.run(() -> {
            Green.monitor(dead.pid());
            return Green.receive(Signal.Down.class, Duration.ZERO);
        });
        assertThat(d.pid()).isEqualTo(dead.pid());
        assertThat(d.normal()).isFalse();
        assertThat(d.failure()).isInstanceOf(NoSuchGreenThreadException.class);
    }

    @Test
    void monitorDeliversOneDownWithTheOutcome() {
        rt.run(() -> {
            GreenHandle<String> ok = Green.spawn(() -> (String) Green.receive());
            GreenHandle<Void> bad = Green.spawn(() -> {
                Green.receive();
                throw new IllegalStateException("boom");
            });
            Green.monitor(ok.pid());
            Green.monitor(bad.pid());
            Green.send(ok.pid(), "fine");
            Green.send(bad.pid(), "go");
            Signal.Down first = Green.receive(Signal.Down.class);
            Signal.Down second = Green.receive(Signal.Down.class);
            Signal.Down okDown = first.pid().equals(ok.pid()) ? first : second;
            Signal.Down badDown = first.pid().equals(ok.pid()) ? second : first;
            assertThat(okDown.normal()).isTrue();
            assertThat(okDown.result()).isEqualTo("fine");
            assertThat(badDown.failure()).isInstanceOf(IllegalStateException.class).hasMessage("boom");
            assertThat(Green.tryReceive()).isEmpty();
            return null;
        });
    }

    @Test
    void demonitorStopsTheDown() {
        rt.run(() -> {
            GreenHandle<Object> h = Green.spawn(() -> Green.receive());
            Green.monitor(h.pid());
            assertThat(Green.demonitor(h.pid())).isTrue();
            Green.send(h.pid(), "x");
            h.join();
            assertThat(Green.tryReceive()).isEmpty();
            return null;
        });
    }

    @Test
    void linkedSpawnReportsNormalExitToTheParent() {
        Signal s = rt.run(() -> {
            GreenHandle<Integer> child = Green.spawner().link().spawn(() -> 7);
            Signal sig = Green.receive(Signal.class);
            assertThat(sig.pid()).isEqualTo(child.pid());
            return sig;
        });
        assertThat(s).isInstanceOf(Signal.Exit.class);
        assertThat(((Signal.Exit) s).result()).isEqualTo(7);
    }

    @Test
    void failurePropagatesAlongLinksToThreadsThatDoNotTrap() {
        CountDownLatch linked = new CountDownLatch(2);
        GreenHandle<Void> a = rt.spawn(() -> {
            Green.receive();
            throw new IllegalArgumentException("a died");
        });
        GreenHandle<Void> b = rt.spawn(() -> {
            assertThat(Green.link(a.pid())).isTrue();
            linked.countDown();
            Green.receive(); // interrupted by the propagated failure
        });
        GreenHandle<Void> c = rt.spawn(() -> {
            Green.receive(String.class);
        });
        GreenHandle<Void> cLinker = rt.spawn(() -> {
            // chain: c is linked to b, so a -> b -> c
            Green.link(b.pid());
            Green.link(c.pid());
            Green.unlink(b.pid());
            linked.countDown();
        });
        rt.run(() -> {
            linked.await();
            cLinker.join();
            return null;
        });
        Green.send(a.pid(), "go");
        assertThatThrownBy(a::join).isInstanceOf(GreenFailedException.class).hasRootCauseMessage("a died");
        assertThatThrownBy(b::join).isInstanceOf(GreenFailedException.class)
                .cause().isInstanceOf(LinkedFailureException.class);
        // c was linked only to cLinker, which ended normally: c is still alive.
        assertThat(c.isDone()).isFalse();
        Green.send(c.pid(), "bye");
        c.join();
    }

    @Test
    void propagationIsTransitive() {
        rt.run(() -> {
            Green.trapExits(true);
            GreenHandle<Void> mid = Green.spawner().link().spawn(() -> {
                GreenHandle<Void> leaf = Green.spawner().link().spawn(() -> {
                    throw new IllegalStateException("leaf");
                });
                Green.receive(); // never returns normally: leaf's failure kills mid
            });
            Signal.Failure f = Green.receive(Signal.Failure.class);
            assertThat(f.pid()).isEqualTo(mid.pid());
            assertThat(f.cause()).isInstanceOf(LinkedFailureException.class)
                    .hasRootCauseMessage("leaf");
            return null;
        });
    }

    @Test
    void trappedExitsArriveAsFailureMessages() {
        rt.run(() -> {
            Green.trapExits(true);
            GreenHandle<Void> child = Green.spawner().link().spawn(() -> {
                throw new UnsupportedOperationException("nope");
            });
            switch (Green.receive(Signal.class)) {
                case Signal.Failure(Pid pid, Throwable cause) -> {
                    assertThat(pid).isEqualTo(child.pid());
                    assertThat(cause).isInstanceOf(UnsupportedOperationException.class);
                }
                case Signal.Exit e -> throw new AssertionError("unexpected " + e);
                case Signal.Down d -> throw new AssertionError("unexpected " + d);
            }
            return null;
        });
    }

    @Test
    void linkIsTwoWay() {
        rt.run(() -> {
            Green.trapExits(true);
            GreenHandle<Void> peer = Green.spawn(() -> {
                Green.receive();
            });
            assertThat(Green.link(peer.pid())).isTrue();
            // The parent side fails: peer does not trap, so it is stopped.
            GreenHandle<Void> failing = Green.spawn(() -> {
                Green.link(peer.pid());
                throw new IllegalStateException("x");
            });
            assertThatThrownBy(failing::join).isInstanceOf(GreenFailedException.class);
            assertThatThrownBy(peer::join).cause().isInstanceOf(LinkedFailureException.class);
            // ... and the trapping side learns about peer's failure as a message.
            Signal.Failure f = Green.receive(Signal.Failure.class);
            assertThat(f.pid()).isEqualTo(peer.pid());
            return null;
        });
    }

    @Test
    void linkToADeadPidReturnsFalse() {
        GreenHandle<Void> dead = rt.spawn(() -> { });
        dead.join();
        assertThat(rt.run(() -> Green.link(dead.pid()))).isFalse();
    }
}
