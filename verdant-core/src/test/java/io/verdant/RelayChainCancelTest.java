package io.verdant;

import io.verdant.internal.sched.StaleQueueSlots;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A relay: each green thread spawns its successor and ends (Erlang's "spawn the
 * next version of yourself"). Each end hands the successor up to the nearest live
 * ancestor (CancelNode, "Orphans"); the ended threads must not stay reachable
 * from the live one through the tokens they had, and the live one must still be
 * cancelled with that ancestor.
 *
 * <p>Before it looks, each carrier runs through its local queue's rings
 * ({@link StaleQueueSlots}): a popped slot keeps its task until the ring comes
 * round to it (LocalQueue, "Stale references": bounded, so the relay's memory
 * does not grow with its steps), and such a slot is not a token. A probe of 110
 * relays under load traced 5 first relay threads kept so:
 * Worker.levels[2].buffer[0] -> the second relay thread -> kin.parent -> owner,
 * the first.
 */
@Timeout(120)
class RelayChainCancelTest {
    private static final int STEPS = 5_000;
    private static final int WORKERS = 2;

    private static void relay(int left, CountDownLatch last, AtomicInteger cancelled) {
        if (left > 0) {
            Green.spawn(() -> relay(left - 1, last, cancelled));
            return;
        }
        last.countDown();
        try {
            Green.sleep(Duration.ofDays(1));
        } catch (CancelledException e) {
            cancelled.incrementAndGet();
        }
    }

    @Test
    void endedRelayThreadsAreNotKeptByTheLiveOneAndItIsCancelledWithTheRoot() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(WORKERS).name("relay").build())) {
            CountDownLatch last = new CountDownLatch(1);
            AtomicInteger cancelled = new AtomicInteger();
            WeakReference<?>[] first = new WeakReference<?>[1];
            CountDownLatch spawned = new CountDownLatch(1);
            GreenHandle<Void> root = rt.spawn(() -> {
                first[0] = new WeakReference<>(Green.spawn(() -> relay(STEPS, last, cancelled)));
                spawned.countDown();
                Green.sleep(Duration.ofDays(1));
            });
            assertThat(spawned.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(last.await(60, TimeUnit.SECONDS)).isTrue();
            StaleQueueSlots.overwrite(rt, WORKERS);
            assertThat(TestWaits.collected(first[0])).as("the first relay thread, ended, is unreachable").isTrue();
            root.cancel();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (cancelled.get() == 0 && System.nanoTime() < end) {
                Thread.sleep(1);
            }
            assertThat(cancelled.get()).as("the live relay thread was cancelled with the root").isEqualTo(1);
        }
    }

    @Test
    void aRelayStartedOutsideAnyGreenThreadKeepsNoEndedThread() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(WORKERS).name("relay").build())) {
            CountDownLatch last = new CountDownLatch(1);
            AtomicInteger cancelled = new AtomicInteger();
            WeakReference<?> first = new WeakReference<>(rt.spawn(() -> relay(STEPS, last, cancelled)));
            assertThat(last.await(60, TimeUnit.SECONDS)).isTrue();
            StaleQueueSlots.overwrite(rt, WORKERS);
            assertThat(TestWaits.collected(first)).as("the first relay thread, ended, is unreachable").isTrue();
        }
    }

    /**
     * A root thread (spawned outside any green thread) that ends while a child of its own
     * lives: the child is re-pointed to no parent, not left pointing at the ended root's
     * token (which kept the root reachable for as long as the child lived; a relay whose
     * first thread ended only after the others had been adopted by it kept it so).
     */
    @Test
    void aLiveChildDoesNotKeepItsEndedRootThread() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(WORKERS).name("relay").build())) {
            CountDownLatch release = new CountDownLatch(1);
            GreenHandle<?>[] child = new GreenHandle<?>[1];
            GreenHandle<Void> root = rt.spawn(() -> {
                child[0] = Green.spawn(() -> {
                    release.await(); // a JDK wait: lives until released
                    return null;
                });
            });
            root.join(Duration.ofSeconds(30));
            WeakReference<?> ended = new WeakReference<>(root);
            root = null;
            try {
                StaleQueueSlots.overwrite(rt, WORKERS);
                assertThat(child[0].isDone()).isFalse();
                assertThat(TestWaits.collected(ended)).as("the ended root, while its child lives, is unreachable").isTrue();
            } finally {
                release.countDown();
            }
            child[0].join(Duration.ofSeconds(30));
        }
    }

    /**
     * A thread spawned with {@link Spawner#cancelWith} under the token of a root thread
     * that has already ended: nothing can cancel through that token any more (a no-op for
     * a finished thread's token), so the thread is registered under none, not left
     * pointing at the ended root's token (which kept the root reachable for as long as
     * the thread lived, as the children of aLiveChildDoesNotKeepItsEndedRootThread did).
     */
    @Test
    void aThreadSpawnedUnderAnEndedRootsTokenDoesNotKeepTheRoot() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(WORKERS).name("relay").build())) {
            CancelToken[] token = new CancelToken[1];
            GreenHandle<Void> root = rt.spawn(() -> {
                token[0] = Green.cancelToken();
            });
            root.join(Duration.ofSeconds(30));
            WeakReference<?> ended = new WeakReference<>(root);
            root = null;
            CountDownLatch release = new CountDownLatch(1);
            GreenHandle<?> child = spawnUnder(rt, token, release);
            try {
                StaleQueueSlots.overwrite(rt, WORKERS);
                assertThat(child.isDone()).isFalse();
                assertThat(TestWaits.collected(ended)).as("the ended root, while a thread spawned under its token lives, is unreachable")
                        .isTrue();
            } finally {
                release.countDown();
            }
            child.join(Duration.ofSeconds(30));
        }
    }

    /** Spawns a thread under {@code token[0]}, which it then forgets, that lives until {@code release}. */
    private static GreenHandle<?> spawnUnder(Verdant rt, CancelToken[] token, CountDownLatch release) {
        GreenHandle<?> h = rt.spawner().cancelWith(token[0]).spawn(() -> {
            release.await(); // a JDK wait: lives until released
            return null;
        });
        token[0] = null;
        return h;
    }
}
