package io.verdant;

import io.verdant.internal.sched.Worker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>Before it looks, each carrier runs through its local queue's ring (see
 * {@link #overwriteStaleQueueSlots}): a popped slot keeps its task until the ring
 * comes round to it (LocalQueue, "Stale references": bounded, so the relay's
 * memory does not grow with its steps), and such a slot is not a token.
 */
@Timeout(120)
class RelayChainCancelTest {
    private static final int STEPS = 5_000;
    private static final int WORKERS = 2;
    /** Spawns per carrier that pass every slot of its ring (LocalQueue.CAPACITY, 256) at least twice. */
    private static final int RING_PASSES = 2 * 256;

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
            overwriteStaleQueueSlots(rt);
            assertThat(collected(first[0])).as("the first relay thread, ended, is unreachable").isTrue();
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
            overwriteStaleQueueSlots(rt);
            assertThat(collected(first)).as("the first relay thread, ended, is unreachable").isTrue();
        }
    }

    /**
     * Has each carrier spawn a ring's worth of threads that end at once, twice over, so
     * that no slot of its local queue still holds a relay thread. A relay thread left in
     * the ring of a carrier the relay had moved away from is ended (held by nothing else)
     * but reachable from there, and with it what its token points to: a parent node not
     * yet re-pointed, the previous relay thread's (a probe of 110 relays under load traced
     * 5 first relay threads kept so: Worker.levels[2].buffer[0] -> the second relay thread
     * -> kin.parent -> owner, the first). Counts only the spawns made on one carrier from
     * start to end.
     */
    private static void overwriteStaleQueueSlots(Verdant rt) throws InterruptedException {
        ConcurrentHashMap<Integer, Integer> pushed = new ConcurrentHashMap<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!ringsPassed(pushed) && System.nanoTime() < end) {
            List<GreenHandle<Void>> flushers = new ArrayList<>();
            for (int i = 0; i < WORKERS; i++) {
                flushers.add(rt.spawn(() -> {
                    for (int k = 0; k < RING_PASSES; k++) {
                        Worker before = Worker.ofCaller();
                        Green.spawn(() -> { });
                        if (before != null && Worker.ofCaller() == before) {
                            pushed.merge(before.index(), 1, Integer::sum);
                        }
                    }
                }));
            }
            for (GreenHandle<Void> f : flushers) {
                f.join(Duration.ofSeconds(30));
            }
        }
        assertThat(ringsPassed(pushed)).as("every carrier ran through its ring: %s", pushed).isTrue();
    }

    private static boolean ringsPassed(ConcurrentHashMap<Integer, Integer> pushed) {
        for (int i = 0; i < WORKERS; i++) {
            if (pushed.getOrDefault(i, 0) < RING_PASSES) {
                return false;
            }
        }
        return true;
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
                overwriteStaleQueueSlots(rt);
                assertThat(child[0].isDone()).isFalse();
                assertThat(collected(ended)).as("the ended root, while its child lives, is unreachable").isTrue();
            } finally {
                release.countDown();
            }
            child[0].join(Duration.ofSeconds(30));
        }
    }

    private static boolean collected(WeakReference<?> ref) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ref.get() != null && System.nanoTime() < end) {
            System.gc();
            Thread.sleep(20);
        }
        return ref.get() == null;
    }
}
