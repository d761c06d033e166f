package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Green threads waiting in a select over two long-lived channels, abandoned by
 * their runtime's close (its only carrier held, so they never run again):
 * neither channel keeps them. Before, close withdrew the select's case only
 * from the channel that stood for it as the park blocker; its case in the
 * other channel stayed queued, with the dead thread, until an operation on
 * that channel happened to unlink it (an idle channel, such as a quit
 * channel, kept one per abandoned select).
 */
@Timeout(60)
class AbandonedSelectForgottenTest {
    private static final int SELECTS = 50;
    private static volatile boolean release;

    @Test
    void idleChannelsDoNotKeepTheSelectsOfAbandonedThreads() throws Exception {
        Channel<String> work = Channel.rendezvous();
        Channel<String> quit = Channel.rendezvous();
        List<WeakReference<Thread>> threads = abandonSelects(work, quit);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (threads.stream().anyMatch(r -> r.get() != null) && System.nanoTime() < until) {
            System.gc();
            Thread.sleep(10);
        }
        assertThat(threads.stream().filter(r -> r.get() != null).count())
                .as("abandoned selecting threads still reachable while the channels live").isZero();
        assertThat(work.trySend("lost?")).as("nobody live receives").isFalse();
        assertThat(quit.trySend("lost?")).as("nobody live receives").isFalse();
    }

    /** SELECTS green threads of a runtime closed while they wait in a select over both channels; weakly. */
    private static List<WeakReference<Thread>> abandonSelects(Channel<String> work, Channel<String> quit) throws Exception {
        release = false;
        List<WeakReference<Thread>> threads = new ArrayList<>();
        Verdant a = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name("abandoned-selects")
                .shutdownTimeout(Duration.ofMillis(100)).failureHandler((h, t) -> { }).build());
        try {
            for (int i = 0; i < SELECTS; i++) {
                GreenHandle<String> g = a.spawn(() -> {
                    synchronized (threads) {
                        threads.add(new WeakReference<>(Thread.currentThread()));
                    }
                    return Select.<String>create().onReceive(work, v -> v).onReceive(quit, v -> "quit").select();
                });
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (g.state() != GreenState.WAITING && System.nanoTime() < until) {
                    Thread.sleep(1);
                }
                assertThat(g.state()).isEqualTo(GreenState.WAITING);
            }
            CountDownLatch holding = new CountDownLatch(1);
            a.spawn(() -> {
                holding.countDown();
                while (!release) {
                    Thread.onSpinWait(); // holds a's only carrier: the cancelled selects never run
                }
            });
            assertThat(holding.await(20, TimeUnit.SECONDS)).isTrue();
            a.close();
        } finally {
            release = true;
            a.close();
        }
        return threads;
    }
}
