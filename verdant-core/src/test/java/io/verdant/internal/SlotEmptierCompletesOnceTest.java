package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import io.verdant.GreenState;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A green thread is completed once, by whoever empties its pid slot (PidTable,
 * "The slot's emptier completes the thread"; the status is a release store, not
 * a CAS). Forced: close's abandon of a thread that has just emptied its own slot
 * (fault site SLOT_EMPTIED) completes nothing; a spawn whose publication close
 * saw and took (SLOT_PUBLISHED, then close runs whole) is completed by close
 * only. Racing: threads ending on the carriers while close abandons the live
 * ones, and spawns (from a green thread and from a platform thread) refused or
 * withdrawn by close. A second completion would undo the live count twice (it
 * ends negative), a missing one would leave it positive or a handle not done;
 * each completion runs the onComplete callbacks once.
 */
@Timeout(120)
class SlotEmptierCompletesOnceTest {

    @AfterEach
    void uninstall() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void anAbandonAfterTheThreadEmptiedItsSlotCompletesNothing() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("slot-emptied").build())) {
            AtomicBoolean armed = new AtomicBoolean(true);
            AtomicReference<Throwable> hookFailure = new AtomicReference<>();
            SchedulerTestAccess.atSites((w, site) -> {
                GreenThread<?> g = GreenThread.current();
                if (site.equals("SLOT_EMPTIED") && g != null && g.runtime().name.equals("slot-emptied")
                        && armed.compareAndSet(true, false)) {
                    try {
                        // What close's step 4 does with a thread its snapshot saw: too late here.
                        g.abandon();
                    } catch (Throwable t) {
                        hookFailure.set(t);
                    }
                }
            });
            GreenHandle<String> h = rt.spawn(() -> "done");
            AtomicInteger completions = new AtomicInteger();
            CountDownLatch completed = new CountDownLatch(1);
            h.onComplete((v, f) -> {
                completions.incrementAndGet();
                completed.countDown();
            });
            assertThat(h.join(Duration.ofSeconds(30))).isEqualTo("done");
            // join may return before the callback ran (GreenHandle.onComplete): wait for it.
            assertThat(completed.await(30, TimeUnit.SECONDS)).as("the callback ran").isTrue();
            assertThat(armed.get()).as("the thread reached SLOT_EMPTIED").isFalse();
            assertThat(hookFailure.get()).isNull();
            assertThat(h.state()).isEqualTo(GreenState.SUCCEEDED);
            assertThat(completions.get()).isEqualTo(1);
            assertThat(rt.liveThreads()).as("counted as ended once").isZero();
        }
    }

    @Test
    void aPublicationCloseTookIsCompletedByCloseOnly() throws Exception {
        Verdant rt = Verdant.start(Config.builder().workers(1).name("slot-taken")
                .shutdownTimeout(Duration.ofMillis(50)).build());
        AtomicBoolean armed = new AtomicBoolean(true);
        AtomicReference<Throwable> closeFailure = new AtomicReference<>();
        AtomicBoolean closed = new AtomicBoolean();
        Thread spawner = Thread.currentThread();
        SchedulerTestAccess.atSites((w, site) -> {
            if (site.equals("SLOT_PUBLISHED") && Thread.currentThread() == spawner && armed.compareAndSet(true, false)) {
                // close runs whole here: its snapshot sees the published thread, and its
                // abandon empties the slot before the spawner reads closed.
                Thread closer = Thread.ofPlatform().start(() -> {
                    try {
                        rt.close();
                        closed.set(true);
                    } catch (Throwable t) {
                        closeFailure.set(t);
                    }
                });
                try {
                    closer.join(Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        assertThatThrownBy(() -> rt.spawn(() -> Green.sleep(Duration.ofDays(1))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThat(armed.get()).as("the spawn reached SLOT_PUBLISHED").isFalse();
        assertThat(closeFailure.get()).isNull();
        assertThat(closed.get()).as("close() returned while the spawn waited").isTrue();
        assertThat(rt.liveThreads()).as("the live count undone once, by close").isZero();
    }
    private static final Runnable SPIN = () -> {
        // No safepoint and no reaction to cancellation: close finds some of these
        // running and abandons them while they end.
        long end = System.nanoTime() + java.util.concurrent.ThreadLocalRandom.current().nextLong(30_000);
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    };

    @Test
    void closeRacingEndsAndSpawnsCompletesEveryThreadOnce() throws Exception {
        long stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (int round = 0; round < 20 && (round < 3 || System.nanoTime() < stopAt); round++) {
            oneRound(round);
        }
    }

    /** One runtime: two spawners (a green thread, a platform thread) until close refuses them. */
    private static void oneRound(int round) throws Exception {
        Verdant rt = Verdant.start(Config.builder().workers(2).name("slot-emptier-" + round)
                .shutdownTimeout(Duration.ofMillis(1)).build());
        ConcurrentLinkedQueue<Object[]> spawned = new ConcurrentLinkedQueue<>();
        CountDownLatch started = new CountDownLatch(2);
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        rt.spawn(() -> spawnUntilRefused(spawned, started, unexpected));
        Thread outside = Thread.ofPlatform().start(() -> spawnUntilRefused(rt, spawned, started, unexpected));
        assertThat(started.await(30, TimeUnit.SECONDS)).as("both spawners made a few threads").isTrue();
        rt.close();
        outside.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(outside.isAlive()).isFalse();
        assertThat(unexpected.get()).isNull();
        // close() waited for the carriers to leave their tasks: every thread that ran
        // has finished (or lost its slot to close) by now.
        assertThat(rt.liveThreads()).as("live count after close (round " + round + ")").isZero();
        int n = 0;
        for (Object[] e : spawned) {
            GreenHandle<?> h = (GreenHandle<?>) e[0];
            assertThat(h.isDone()).as("handle done").isTrue();
            assertThat(((AtomicInteger) e[1]).get()).as("onComplete runs once per thread").isEqualTo(1);
            n++;
        }
        assertThat(n).isGreaterThan(0);
    }

    private static void spawnUntilRefused(ConcurrentLinkedQueue<Object[]> out, CountDownLatch started,
                                          AtomicReference<Throwable> unexpected) {
        spawnLoop(() -> Green.spawn(SPIN), out, started, unexpected);
    }

    private static void spawnUntilRefused(Verdant rt, ConcurrentLinkedQueue<Object[]> out, CountDownLatch started,
                                          AtomicReference<Throwable> unexpected) {
        spawnLoop(() -> rt.spawn(SPIN), out, started, unexpected);
    }

    private static void spawnLoop(java.util.function.Supplier<GreenHandle<?>> spawn, ConcurrentLinkedQueue<Object[]> out,
                                  CountDownLatch started, AtomicReference<Throwable> unexpected) {
        try {
            for (int i = 0; ; i++) {
                GreenHandle<?> h;
                try {
                    h = spawn.get();
                } catch (IllegalStateException closed) {
                    return; // the runtime is closing: refused (or withdrawn) as it should be
                }
                AtomicInteger completions = new AtomicInteger();
                h.onComplete((v, f) -> completions.incrementAndGet());
                out.add(new Object[] {h, completions});
                if (i == 100) {
                    started.countDown();
                }
            }
        } catch (Throwable t) {
            unexpected.compareAndSet(null, t);
            started.countDown();
        }
    }
}
