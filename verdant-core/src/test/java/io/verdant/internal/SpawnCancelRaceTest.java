package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A parent spawning in a loop while another thread cancels it (CancelNode, "One
 * fence per spawn": the own-slot registration's Dekker pair with cancel shares
 * the pid table's fence): every child spawned is either born cancelled or found
 * by the cancel's walk, so every one ends, and the live count returns to where
 * it was. A child that escaped would sleep for a day: the wait for the live
 * count fails the test instead. The race itself is rare (the cancel must fall
 * between the spawner's read of its token's kids and its store of the child), so
 * a second test forces it at a fault site; without bornCancelledAfterFence that
 * test fails (a child escapes the cancel), the first almost never does.
 */
@Timeout(120)
class SpawnCancelRaceTest {
    private static final Duration FOREVER = Duration.ofDays(1);

    @AfterEach
    void uninstall() {
        SchedulerTestAccess.atSites(null);
    }

    /** A parent that spawns sleeping children until it is cancelled; {@code spawning} opens at spawn {@code cancelAfter}. */
    private static GreenHandle<Void> spawnUntilCancelled(Verdant rt, int cancelAfter, AtomicInteger spawned,
            CountDownLatch spawning) {
        return rt.spawn(() -> {
            while (!Green.cancelled()) {
                Green.spawn(() -> Green.sleep(FOREVER));
                if (spawned.incrementAndGet() == cancelAfter) {
                    spawning.countDown();
                }
            }
        });
    }

    private static void waitForLive(Verdant rt, long before) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (rt.liveThreads() > before && System.nanoTime() - deadline < 0) {
            Thread.sleep(5);
        }
    }

    /**
     * The interleaving "One fence per spawn" exists for, forced: the parent has read
     * its token's kids (not cancelled yet: the own-slot path) and not yet stored the
     * child in its slot, when another thread cancels it (the fault site
     * OWN_SLOT_PENDING; the parent waits there until the cancel has returned). The
     * cancel's walk cannot see the child; only the parent's read of cancelled after
     * the pid table's fence (CancelNode.bornCancelledAfterFence) makes it born
     * cancelled. Without that read the child sleeps for a day and the live count
     * never comes back.
     */
    @Test
    void aCancelBetweenTheSlotReadAndTheStoreMakesTheChildBornCancelled() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("spawn-cancel-forced").build())) {
            long before = rt.liveThreads();
            for (int round = 0; round < 20; round++) {
                int cancelAt = 1 + round * 7; // the spawn (1-based) inside which the cancel lands
                AtomicReference<Thread> parentThread = new AtomicReference<>();
                AtomicReference<GreenHandle<Object>> parentHandle = new AtomicReference<>();
                AtomicInteger attempts = new AtomicInteger();
                AtomicBoolean cancelled = new AtomicBoolean();
                AtomicInteger forced = new AtomicInteger();
                AtomicInteger spawned = new AtomicInteger();
                CountDownLatch handleSet = new CountDownLatch(1);
                SchedulerTestAccess.atSites((w, site) -> {
                    if (site.equals("OWN_SLOT_PENDING") && Thread.currentThread() == parentThread.get()
                            && attempts.incrementAndGet() == cancelAt) {
                        // Another thread cancels the parent while it is inside the window.
                        Thread canceller = Thread.ofPlatform().start(() -> {
                            parentHandle.get().cancel();
                            cancelled.set(true);
                        });
                        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                        while (!cancelled.get()) {
                            if (System.nanoTime() - deadline > 0) {
                                throw new AssertionError("the canceller did not return within 30 s: " + canceller);
                            }
                            Thread.onSpinWait(); // not a park: the cancel interrupts this thread
                        }
                        forced.incrementAndGet();
                    }
                });
                GreenHandle<Object> parent = rt.spawn(() -> {
                    parentThread.set(Thread.currentThread());
                    if (!handleSet.await(30, TimeUnit.SECONDS)) {
                        throw new AssertionError("no handle");
                    }
                    while (!Green.cancelled()) {
                        Green.spawn(() -> Green.sleep(FOREVER));
                        spawned.incrementAndGet();
                    }
                    return null;
                });
                parentHandle.set(parent);
                handleSet.countDown();
                try {
                    parent.join(Duration.ofSeconds(60));
                } catch (RuntimeException expected) {
                    // cancelled (or failed by its cancellation): either way it ended
                }
                SchedulerTestAccess.atSites(null);
                assertThat(forced.get()).as("round %d: the cancel landed inside the window", round).isEqualTo(1);
                assertThat(spawned.get()).as("round %d: children spawned", round).isEqualTo(cancelAt);
                waitForLive(rt, before);
                assertThat(rt.liveThreads()).as("round %d: a child escaped the cancel (spawned in the window)", round)
                        .isEqualTo(before);
            }
        }
    }

    /**
     * The window of CancelNode.cancel between its mark and its walk, forced: the
     * canceller has set the parent's cancelled flag and is held (fault site
     * CANCEL_MARKED) until the parent, which saw the flag and left its loop, has
     * ended. The parent's end must leave its children to the cancel (kids already
     * CANCELLED when the flag can be seen: CancelNode, "Cancellation"); when the
     * mark came first, the ending owner took its children itself (kids to ENDED),
     * handed them to no one (a root thread), and the cancel, finding ENDED, walked
     * none: every child of the parent slept on (the failures of the test below:
     * a whole batch of one parent's children alive).
     */
    @Test
    void aParentEndingBetweenTheCancelsMarkAndItsWalkLeavesNoChildAlive() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("cancel-mark-forced").build())) {
            long before = rt.liveThreads();
            int[] cancelAfters = {1, 8, 9, 40, 300};
            for (int round = 0; round < cancelAfters.length; round++) {
                int cancelAfter = cancelAfters[round];
                AtomicInteger spawned = new AtomicInteger();
                CountDownLatch spawning = new CountDownLatch(1);
                GreenHandle<Void> parent = spawnUntilCancelled(rt, cancelAfter, spawned, spawning);
                assertThat(spawning.await(60, TimeUnit.SECONDS)).isTrue();
                AtomicBoolean armed = new AtomicBoolean(true);
                AtomicBoolean held = new AtomicBoolean();
                AtomicReference<Thread> canceller = new AtomicReference<>();
                SchedulerTestAccess.atSites((w, site) -> {
                    if (site.equals("CANCEL_MARKED") && Thread.currentThread() == canceller.get()
                            && armed.compareAndSet(true, false)) {
                        // The parent sees its token cancelled (no interrupt yet) and ends.
                        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                        while (!parent.isDone()) {
                            if (System.nanoTime() - deadline > 0) {
                                throw new AssertionError("the cancelled parent did not end within 30 s");
                            }
                            Thread.onSpinWait();
                        }
                        held.set(true);
                    }
                });
                Thread c = Thread.ofPlatform().unstarted(parent::cancel);
                canceller.set(c);
                c.start();
                c.join(Duration.ofSeconds(60));
                assertThat(c.isAlive()).as("round %d: the canceller returned", round).isFalse();
                SchedulerTestAccess.atSites(null);
                try {
                    parent.join(Duration.ofSeconds(60));
                } catch (RuntimeException expected) {
                    // cancelled (or failed by its cancellation): either way it ended
                }
                assertThat(held.get()).as("round %d: the parent ended inside the window", round).isTrue();
                waitForLive(rt, before);
                assertThat(rt.liveThreads()).as("round %d: children of the parent escaped the cancel (%d spawned)",
                        round, spawned.get()).isEqualTo(before);
            }
        }
    }

    @Test
    void everyChildOfAParentCancelledWhileSpawningEnds() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("spawn-cancel-race").build())) {
            long before = rt.liveThreads();
            for (int round = 0; round < 200; round++) {
                AtomicInteger spawned = new AtomicInteger();
                CountDownLatch spawning = new CountDownLatch(1);
                int cancelAfter = 1 + (round * 37) % 300;
                GreenHandle<Void> parent = spawnUntilCancelled(rt, cancelAfter, spawned, spawning);
                assertThat(spawning.await(60, TimeUnit.SECONDS)).isTrue();
                parent.cancel();
                try {
                    parent.join(Duration.ofSeconds(60));
                } catch (RuntimeException expected) {
                    // cancelled (or failed by its cancellation): either way it ended
                }
            }
            waitForLive(rt, before);
            assertThat(rt.liveThreads()).as("threads still alive after every parent was cancelled").isEqualTo(before);
        }
    }
}
