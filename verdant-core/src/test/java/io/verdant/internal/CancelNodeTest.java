package io.verdant.internal;

import io.verdant.CancelledException;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenFailedException;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cancellation tree's bookkeeping (issue 10, item 15): a finished child
 * leaves its parent's node at once, whatever the number of siblings; a
 * tree-wide cancel still reaches every live descendant, orphans included.
 */
@Timeout(120)
class CancelNodeTest {
    private static final Duration LONG = Duration.ofSeconds(30);
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("cancel-node").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    private static CancelNode myNode() {
        return CancelNode.of(GreenThread.current());
    }

    /** A child that parks until it receives a message or is cancelled. */
    private static GreenHandle<Void> parker(CountDownLatch parked) {
        return Green.spawn(() -> {
            parked.countDown();
            Green.receive();
        });
    }

    @Test
    void finishedChildrenLeaveTheirParentsNodeAtOnce() {
        int live = 1000;
        int quick = 300;
        rt.run(() -> {
            CountDownLatch parked = new CountDownLatch(live);
            List<GreenHandle<Void>> parkers = new ArrayList<>();
            for (int i = 0; i < live; i++) {
                parkers.add(parker(parked));
            }
            List<GreenHandle<Integer>> quicks = new ArrayList<>();
            for (int i = 0; i < quick; i++) {
                int n = i;
                quicks.add(Green.spawn(() -> n));
            }
            Green.joinAll(quicks);
            // Before the fix the 300 finished children stayed registered (no compaction below half finished).
            assertThat(myNode().registeredChildren()).isEqualTo(live);
            assertThat(myNode().linksConsistent()).isTrue();
            for (int i = 0; i < live; i += 2) {
                Green.send(parkers.get(i).pid(), "go");
                parkers.get(i).join(LONG);
            }
            assertThat(myNode().registeredChildren()).isEqualTo(live / 2);
            assertThat(myNode().linksConsistent()).isTrue();
            for (int i = 1; i < live; i += 2) {
                Green.send(parkers.get(i).pid(), "go");
            }
            Green.joinAll(parkers);
            assertThat(myNode().registeredChildren()).isZero();
            return null;
        });
    }

    @Test
    void orphansAreAdoptedLeaveWhenTheyFinishAndAreReachedByATreeWideCancel() throws Exception {
        int orphans = 60;
        ConcurrentLinkedQueue<GreenHandle<Void>> grandchildren = new ConcurrentLinkedQueue<>();
        CountDownLatch parked = new CountDownLatch(orphans);
        CountDownLatch checked = new CountDownLatch(1);
        AtomicInteger registeredAfterHalfFinished = new AtomicInteger(-1);
        GreenHandle<Object> root = rt.spawn(() -> {
            try {
                GreenHandle<Void> middle = Green.spawn(() -> {
                    for (int i = 0; i < orphans; i++) {
                        grandchildren.add(parker(parked));
                    }
                });
                middle.join(LONG); // middle ended: its live children are now the root's
                assertThat(parked.await(30, TimeUnit.SECONDS)).isTrue();
                assertThat(myNode().registeredChildren()).isEqualTo(orphans);
                int i = 0;
                for (GreenHandle<Void> g : grandchildren) {
                    if (i++ % 2 == 0) {
                        Green.send(g.pid(), "go");
                        g.join(LONG);
                    }
                }
                registeredAfterHalfFinished.set(myNode().registeredChildren());
            } finally {
                checked.countDown(); // also when an assertion above failed: the test then fails fast
            }
            Green.receive(); // until cancelled
            return null;
        });
        assertThat(checked.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(registeredAfterHalfFinished.get()).isEqualTo(orphans / 2);
        root.cancel();
        int cancelled = 0;
        for (GreenHandle<Void> g : grandchildren) {
            try {
                g.join(LONG);
            } catch (GreenFailedException e) {
                assertThat(e.getCause()).isInstanceOf(CancelledException.class);
                cancelled++;
            }
        }
        assertThat(cancelled).isEqualTo(orphans / 2);
    }

    /**
     * Bounded stress: children register, finish (at once, after a yield, or
     * after spawning grandchildren that outlive them) and are cancelled
     * concurrently, on two carriers. Invariants afterwards: the node holds
     * exactly the children still parked, every entry knows its slot, and a
     * cancel of the whole tree ends every one of them.
     */
    @Test
    void registerFinishAndCancelRacesKeepTheNodeExact() throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        ConcurrentLinkedQueue<GreenHandle<?>> all = new ConcurrentLinkedQueue<>();
        CountDownLatch checked = new CountDownLatch(1);
        AtomicInteger mismatches = new AtomicInteger();
        GreenHandle<Object> root = rt.spawn(() -> {
            try {
                SplittableRandom rnd = new SplittableRandom(7);
                List<GreenHandle<Void>> parkers = new ArrayList<>();
                CountDownLatch ignored = new CountDownLatch(0);
                List<GreenHandle<Void>> cancellers = new ArrayList<>();
                for (int round = 0; round < 200 && System.nanoTime() < until; round++) {
                    List<GreenHandle<?>> batch = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        GreenHandle<?> h = switch (rnd.nextInt(4)) {
                            case 0 -> Green.spawn(() -> 1);
                            case 1 -> Green.spawn(() -> {
                                Green.yield();
                                return 2;
                            });
                            case 2 -> Green.spawn(() -> {
                                for (int k = 0; k < 3; k++) {
                                    all.add(Green.spawn(() -> {
                                        Green.yield();
                                        return 3;
                                    }));
                                }
                                return 4;
                            });
                            default -> {
                                GreenHandle<Void> p = parker(ignored);
                                parkers.add(p);
                                yield p;
                            }
                        };
                        batch.add(h);
                        all.add(h);
                    }
                    List<GreenHandle<?>> victims = new ArrayList<>(batch.subList(0, 10));
                    cancellers.add(Green.spawn(() -> {
                        for (GreenHandle<?> v : victims) {
                            v.cancel();
                        }
                    }));
                }
                Green.joinAll(cancellers);
                for (GreenHandle<?> h : all) {
                    if (!parkers.contains(h)) {
                        try {
                            h.join(LONG);
                        } catch (GreenFailedException e) {
                            assertThat(e.getCause()).isInstanceOf(CancelledException.class);
                        }
                    }
                }
                // A parker cancelled by the canceller ends on its own; wait for those too.
                long stillParked = 0;
                for (GreenHandle<Void> p : parkers) {
                    if (((GreenThread<?>) p).isCancelled()) {
                        try {
                            p.join(LONG);
                        } catch (GreenFailedException expected) {
                            // cancelled
                        }
                    } else {
                        stillParked++;
                    }
                }
                // The canceller and the grandchildren's middle threads all ended: only parkers remain.
                if (myNode().registeredChildren() != stillParked || !myNode().linksConsistent()) {
                    mismatches.incrementAndGet();
                }
                assertThat(myNode().registeredChildren()).isEqualTo(stillParked);
            } finally {
                checked.countDown(); // also when an assertion above failed: the test then fails fast
            }
            Green.receive();
            return null;
        });
        assertThat(checked.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(mismatches).hasValue(0);
        root.cancel();
        for (GreenHandle<?> h : all) {
            try {
                h.join(LONG);
            } catch (GreenFailedException e) {
                assertThat(e.getCause()).isInstanceOf(CancelledException.class);
            }
        }
        try {
            root.join(LONG);
        } catch (GreenFailedException e) {
            assertThat(e.getCause()).isInstanceOf(CancelledException.class);
        }
    }

    /**
     * Issue 11: a thread's own children take reused slots (finishing children
     * clear theirs), so a parent that spawns and joins in a loop keeps its slots
     * bounded by its live children (at most about four times the peak, see
     * CancelNode "Own children"), not by everything it ever spawned; the shared
     * chain stays empty.
     */
    @Test
    void aParentSpawningShortChildrenInALoopKeepsItsChainBounded() {
        rt.run(() -> {
            CountDownLatch parked = new CountDownLatch(100);
            List<GreenHandle<Void>> parkers = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                parkers.add(parker(parked));
            }
            int maxChain = 0;
            for (int round = 0; round < 200; round++) {
                List<GreenHandle<Integer>> batch = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    int n = i;
                    batch.add(Green.spawn(() -> n));
                }
                Green.joinAll(batch);
                maxChain = Math.max(maxChain, Math.max(myNode().chainLength(), myNode().ownSlots()));
            }
            // 20,100 registrations; live children never more than 200 at once.
            assertThat(myNode().registeredChildren()).isEqualTo(100);
            assertThat(myNode().chainLength()).isZero();
            assertThat(maxChain).isLessThanOrEqualTo(4 * 200 + 64);
            assertThat(myNode().linksConsistent()).isTrue();
            for (GreenHandle<Void> p : parkers) {
                Green.send(p.pid(), "go");
            }
            Green.joinAll(parkers);
            assertThat(myNode().registeredChildren()).isZero();
            return null;
        });
    }

    /**
     * Issue 11: a cancel racing a spawn loop reaches every child, those
     * registered before it (in the chain it takes) and those after (born
     * cancelled): every child parks until cancelled, so one that the cancel
     * missed would never end. Spawners: the thread itself, and two platform
     * threads spawning under its token with cancelWith.
     */
    @Test
    void aCancelRacingSpawnsReachesEveryChild() throws Exception {
        for (int trial = 0; trial < 20; trial++) {
            ConcurrentLinkedQueue<GreenHandle<Void>> children = new ConcurrentLinkedQueue<>();
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch token = new CountDownLatch(1);
            io.verdant.CancelToken[] tokens = new io.verdant.CancelToken[1];
            GreenHandle<Void> spawner = rt.spawn(() -> {
                tokens[0] = Green.cancelToken();
                token.countDown();
                for (int i = 0; i < 2_000; i++) {
                    children.add(Green.spawn(() -> {
                        Green.receive();
                    }));
                    if (i == 100) {
                        started.countDown();
                    }
                }
                Green.receive(); // alive until cancelled: a cancel of a finished thread is a no-op
            });
            assertThat(token.await(30, TimeUnit.SECONDS)).isTrue();
            List<Thread> outside = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                outside.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 500; i++) {
                        try {
                            children.add(rt.spawner().cancelWith(tokens[0]).spawn(() -> {
                                Green.receive();
                            }));
                        } catch (IllegalStateException closed) {
                            return;
                        }
                    }
                }));
            }
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            spawner.cancel();
            for (Thread t : outside) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
            try {
                spawner.join(LONG);
            } catch (GreenFailedException e) {
                assertThat(e.getCause()).isInstanceOf(CancelledException.class);
            }
            assertThat(children).hasSize(3_000);
            for (GreenHandle<Void> c : children) {
                try {
                    c.join(LONG);
                    throw new AssertionError("a child ended without being cancelled: " + c);
                } catch (GreenFailedException e) {
                    assertThat(e.getCause()).isInstanceOf(CancelledException.class);
                }
            }
        }
    }

    /**
     * Issue 11, own slots under churn: 100,000 children (quick, yielding, and
     * parkers released in random order) end out of order while their parent
     * spawns more, on two carriers, so slots are cleared and reused all over
     * the chunks; then a cancel from another thread races the parent's
     * spawning. Afterwards: every child that was still parked when the cancel
     * came ended cancelled (none missed), no child's onCancel ran twice, and the
     * parent's slots stayed bounded by its live children (no leak of ended
     * children's slots).
     */
    @Test
    void ownSlotsStayExactAndBoundedWhileChildrenEndOutOfOrderAndACancelRaces() throws Exception {
        int total = 100_000;
        int maxParked = 200;
        int batch = 64;
        AtomicInteger[] cancelCounts = new AtomicInteger[total + 20_000];
        for (int i = 0; i < cancelCounts.length; i++) {
            cancelCounts[i] = new AtomicInteger();
        }
        ConcurrentLinkedQueue<GreenHandle<Void>> unreleased = new ConcurrentLinkedQueue<>();
        java.util.Map<GreenHandle<Void>, Integer> ids = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicInteger maxSlots = new AtomicInteger();
        AtomicInteger registeredMismatch = new AtomicInteger(-1);
        CountDownLatch churned = new CountDownLatch(1);
        CountDownLatch cancelNow = new CountDownLatch(1);
        AtomicInteger spawned = new AtomicInteger();
        GreenHandle<Void> parent = rt.spawn(() -> {
            SplittableRandom rnd = new SplittableRandom(11);
            List<GreenHandle<Void>> parked = new ArrayList<>();
            try {
                while (spawned.get() < total) {
                    List<GreenHandle<?>> quick = new ArrayList<>();
                    for (int i = 0; i < batch; i++) {
                        int id = spawned.getAndIncrement();
                        switch (rnd.nextInt(3)) {
                            case 0 -> quick.add(Green.spawn(() -> id));
                            case 1 -> quick.add(Green.spawn(() -> {
                                Green.yield();
                                return id;
                            }));
                            default -> {
                                GreenHandle<Void> p = Green.spawn(() -> {
                                    Green.cancelToken().onCancel(() -> cancelCounts[id].incrementAndGet());
                                    Green.receive();
                                });
                                ids.put(p, id);
                                parked.add(p);
                            }
                        }
                    }
                    // Release parkers in random order (out of spawn order) down to half the cap.
                    while (parked.size() > maxParked) {
                        GreenHandle<Void> p = parked.remove(rnd.nextInt(parked.size()));
                        Green.send(p.pid(), "go");
                        if (rnd.nextBoolean()) {
                            p.join(LONG);
                        }
                    }
                    if (rnd.nextInt(4) == 0) {
                        Green.joinAll(quick); // else they end whenever they do
                    }
                    maxSlots.accumulateAndGet(myNode().ownSlots(), Math::max);
                }
                registeredMismatch.set(myNode().linksConsistent() ? 0 : 1);
                unreleased.addAll(parked);
            } finally {
                churned.countDown();
            }
            // Keep spawning parkers while the cancel comes: it races registrations.
            cancelNow.countDown();
            for (int i = 0; i < 10_000; i++) {
                int id = spawned.getAndIncrement();
                GreenHandle<Void> p = Green.spawn(() -> {
                    Green.cancelToken().onCancel(() -> cancelCounts[id].incrementAndGet());
                    Green.receive();
                });
                ids.put(p, id);
                unreleased.add(p);
            }
            Green.receive(); // until cancelled
        });
        assertThat(churned.await(120, TimeUnit.SECONDS)).isTrue();
        assertThat(registeredMismatch).hasValue(0);
        // Live own children never exceed maxParked + 2 batches (quick ones not yet ended), so the
        // slots stay within four times that plus a chunk (CancelNode "Own children").
        assertThat(maxSlots.get()).isLessThanOrEqualTo(4 * (maxParked + 2 * batch) + 64);
        assertThat(cancelNow.await(30, TimeUnit.SECONDS)).isTrue();
        parent.cancel();
        try {
            parent.join(LONG);
        } catch (GreenFailedException e) {
            assertThat(e.getCause()).isInstanceOf(CancelledException.class);
        }
        int ended = 0;
        for (GreenHandle<Void> c : unreleased) {
            try {
                c.join(LONG);
                throw new AssertionError("a parked child ended without being cancelled: " + c);
            } catch (GreenFailedException e) {
                assertThat(e.getCause()).isInstanceOf(CancelledException.class);
                ended++;
            }
            assertThat(cancelCounts[ids.get(c)].get()).as("onCancel runs of an unreleased child").isEqualTo(1);
        }
        assertThat(ended).isEqualTo(unreleased.size());
        for (int i = 0; i < cancelCounts.length; i++) {
            assertThat(cancelCounts[i].get()).as("onCancel runs of child %d", i).isLessThanOrEqualTo(1);
        }
    }
}
