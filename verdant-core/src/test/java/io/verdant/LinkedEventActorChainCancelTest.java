package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cancel ends an idle event actor on the canceller, and the actor's end kills
 * the actors linked to it, which, idle too, end on the canceller as well: down
 * a chain of linked actors, the canceller must not go one stack level deeper per
 * actor (a small stack, here a platform thread's 256 KB, overflowed and left
 * most of the chain alive, linked to a dead peer).
 */
@Timeout(60)
class LinkedEventActorChainCancelTest {
    private static final int CHAIN = 3_000;

    @Test
    void cancellingTheHeadOfALongChainOfLinkedIdleActorsEndsThemAllWithoutOverflowingTheCanceller() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("linked-chain")
                .failureHandler((h, f) -> { }).build())) {
            ConcurrentLinkedQueue<GreenHandle<Object>> all = new ConcurrentLinkedQueue<>();
            CountDownLatch last = new CountDownLatch(1);
            GreenHandle<Object> head = Actors.spawner(rt).spawn(null, LinkedEventActorChainCancelTest::step);
            all.add(head);
            rt.send(head.pid(), new Object[] {CHAIN, all, last});
            assertThat(last.await(30, TimeUnit.SECONDS)).isTrue();
            Throwable[] thrown = new Throwable[1];
            Thread canceller = new Thread(null, () -> {
                try {
                    head.cancel();
                } catch (Throwable t) {
                    thrown[0] = t;
                }
            }, "small-stack-canceller", 256 * 1024);
            canceller.start();
            canceller.join();
            assertThat(thrown[0]).isNull();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int alive;
            do {
                alive = 0;
                for (GreenHandle<Object> h : all) {
                    if (!h.isDone()) {
                        alive++;
                    }
                }
            } while (alive > 0 && System.nanoTime() < end && sleep());
            assertThat(all).hasSize(CHAIN + 1);
            assertThat(alive).as("actors of the chain still alive").isZero();
        }
    }

    private static boolean sleep() {
        try {
            Thread.sleep(Duration.ofMillis(5));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    private static Object step(Object s, Object m) {
        if (m instanceof Object[] a) {
            int left = (Integer) a[0];
            if (left == 0) {
                ((CountDownLatch) a[2]).countDown();
            } else {
                // Linked to this actor, and registered under a token of its own: the
                // kill travels along the links, not down the cancellation tree.
                GreenHandle<Object> next = Actors.spawner().cancelWith(CancelToken.create()).link()
                        .spawn(null, LinkedEventActorChainCancelTest::step);
                ((ConcurrentLinkedQueue<GreenHandle<Object>>) a[1]).add(next);
                Green.send(next.pid(), new Object[] {left - 1, a[1], a[2]});
            }
        }
        return s;
    }
}
