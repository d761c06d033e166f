package io.verdant.internal;

import io.verdant.Config;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import io.verdant.internal.sched.SchedulerTestAccess;
import io.verdant.internal.sched.Worker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stale copy of GreenThread, "One queued copy", made on purpose: carrier Y
 * takes thread T's copy (queued cleared) and, before the JDK's state check, a
 * stack walk (run by Y itself at the TAKEN fault site) suspends, restores and
 * resubmits T, so a second copy is queued while Y goes on to run T. Carrier X
 * then takes that copy while T still runs on Y. It must be skipped whole: not
 * dispatched (its no-op dispatch used to withdraw T's pending preemption
 * request, stamp T's lastRanAt, count a dispatch, name X as T's carrier and, for
 * a dispatcher, run Dispatcher.unmounted() beside the running turn). Both
 * runtimes have a 30 s slice: the ticker must not make the test's own preemption
 * request first (on a loaded machine it did, after the default 10 ms).
 */
@Timeout(60)
class StaleCopyTest {

    @AfterEach
    void uninstall() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aCopyResubmittedByAStackWalkWhileTheThreadRunsIsSkippedWhole() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("stale-copy")
                .stallThreshold(Duration.ofSeconds(30)).timeslice(Duration.ofSeconds(30)).build())) {
            AtomicBoolean release = new AtomicBoolean();
            AtomicBoolean tRunning = new AtomicBoolean();
            AtomicBoolean requested = new AtomicBoolean();
            AtomicReference<Worker> tCarrier = new AtomicReference<>();
            CountDownLatch parked = new CountDownLatch(1);
            GreenHandle<Integer> t = rt.spawner().name("target").spawn(() -> {
                parked.countDown();
                LockSupport.park(); // a spurious return is harmless: T only spins below
                tCarrier.set(Worker.ofCaller());
                tRunning.set(true);
                while (!release.get()) {
                    Thread.onSpinWait(); // no checkpoint: a preemption request stays pending
                }
                return 1;
            });
            GreenThread<?> g = (GreenThread<?>) t;
            assertThat(parked.await(20, TimeUnit.SECONDS)).isTrue();
            while (g.vthread().getState() != Thread.State.WAITING) {
                Thread.onSpinWait(); // wait for the unmount (a parked, not parking, thread)
            }
            // Z holds the other carrier until T runs and has its request.
            CountDownLatch zRunning = new CountDownLatch(1);
            GreenHandle<Integer> z = rt.spawner().name("holder").spawn(() -> {
                zRunning.countDown();
                while (!requested.get()) {
                    Thread.onSpinWait();
                }
                return 2;
            });
            assertThat(zRunning.await(20, TimeUnit.SECONDS)).isTrue();

            AtomicBoolean armed = new AtomicBoolean(true);
            AtomicInteger walks = new AtomicInteger();
            CountDownLatch copyGone = new CountDownLatch(1);
            SchedulerTestAccess.atSites((w, site) -> {
                if (site.equals("TAKEN") && !tRunning.get() && armed.compareAndSet(true, false)) {
                    // Y, between T's queued clear and the JDK's state check: a walk (by a
                    // platform thread, as a dump or a stall report would be, so the copy
                    // goes to the injection queues) suspends T, restores it and resubmits
                    // it (T is unparked, runnable); Y waits for it.
                    Thread walker = new Thread(() -> {
                        g.vthread().getStackTrace();
                        walks.incrementAndGet();
                    }, "stale-copy-walker");
                    walker.start();
                    try {
                        walker.join(TimeUnit.SECONDS.toMillis(20));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (site.equals("NEXT") && requested.get() && !g.queued && w != tCarrier.get()) {
                    copyGone.countDown(); // X is past its turn with the resubmitted copy
                }
            });
            LockSupport.unpark(g.vthread());
            while (!tRunning.get()) {
                Thread.onSpinWait();
            }
            long stamp = g.lastRanAt();
            assertThat(Safepoints.request(g)).isTrue();
            requested.set(true);
            assertThat(copyGone.await(20, TimeUnit.SECONDS)).as("the resubmitted copy was taken (queued %s, walks %d, T on %s, z done %s)",
                g.queued, walks.get(), tCarrier.get(), z.isDone()).isTrue();
            boolean stillRequested = g.preemptRequested();
            long stampAfter = g.lastRanAt();
            release.set(true);
            assertThat(t.join(Duration.ofSeconds(20))).isEqualTo(1);
            assertThat(z.join(Duration.ofSeconds(20))).isEqualTo(2);
            assertThat(walks.get()).as("the walk ran at the TAKEN site").isEqualTo(1);
            assertThat(stillRequested).as("T's preemption request, while T runs on its carrier").isTrue();
            assertThat(stampAfter).as("T's lastRanAt, while T runs").isEqualTo(stamp);
            // The carrier withdraws it after T's last unmount, which may come after join returned.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (g.preemptRequested() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(g.preemptRequested()).as("withdrawn once T ended").isFalse();
        }
    }

    /**
     * Why the stale copy may only be dropped on the JDK's word: T, running on Y
     * while its stale copy waits, yields. The JDK's afterYield submits T again
     * from Y, and that submission is dropped (one copy is queued already), so the
     * stale copy is now the one that must run T. Y still names T as its current
     * task until its dispatch returns (held there at the DISPATCHED fault site
     * while X takes the copy): a copy dropped because a carrier named the thread
     * as running loses T for good (checked: with that rule T's join timed out
     * here, every time; the likely way an earlier attempt lost a thread in 2 of
     * ~30 loaded runs). Asked of the JDK, T is unmounted and runnable (YIELDED):
     * X runs it.
     */
    @Test
    void aCopyThatMustRunTheThreadIsRunEvenWhileItsLastCarrierStillNamesIt() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("stale-yield")
                .stallThreshold(Duration.ofSeconds(30)).timeslice(Duration.ofSeconds(30)).build())) {
            AtomicBoolean tRunning = new AtomicBoolean();
            AtomicBoolean yHeld = new AtomicBoolean();
            AtomicReference<Worker> tCarrier = new AtomicReference<>();
            CountDownLatch parked = new CountDownLatch(1);
            GreenHandle<Integer> t = rt.spawner().name("target").spawn(() -> {
                parked.countDown();
                LockSupport.park();
                tCarrier.set(Worker.ofCaller());
                tRunning.set(true);
                Thread.yield(); // resubmitted by the JDK from Y, dropped: the stale copy waits
                return 1;
            });
            GreenThread<?> g = (GreenThread<?>) t;
            assertThat(parked.await(20, TimeUnit.SECONDS)).isTrue();
            while (g.vthread().getState() != Thread.State.WAITING) {
                Thread.onSpinWait();
            }
            CountDownLatch zRunning = new CountDownLatch(1);
            GreenHandle<Integer> z = rt.spawner().name("holder").spawn(() -> {
                zRunning.countDown();
                while (!yHeld.get()) {
                    Thread.onSpinWait(); // X stays busy until T has yielded and Y is held
                }
                return 2;
            });
            assertThat(zRunning.await(20, TimeUnit.SECONDS)).isTrue();

            AtomicBoolean armedWalk = new AtomicBoolean(true);
            AtomicBoolean armedHold = new AtomicBoolean(true);
            AtomicInteger walks = new AtomicInteger();
            CountDownLatch xPast = new CountDownLatch(1);
            SchedulerTestAccess.atSites((w, site) -> {
                if (site.equals("TAKEN") && !tRunning.get() && armedWalk.compareAndSet(true, false)) {
                    Thread walker = new Thread(() -> {
                        g.vthread().getStackTrace();
                        walks.incrementAndGet();
                    }, "stale-yield-walker");
                    walker.start();
                    try {
                        walker.join(TimeUnit.SECONDS.toMillis(20));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (site.equals("DISPATCHED") && w == tCarrier.get() && w.currentTask() == g
                        && armedHold.compareAndSet(true, false)) {
                    // Y, T unmounted (yielded) but still its current task: X may now take the copy.
                    yHeld.set(true);
                    try {
                        xPast.await(5, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (site.equals("NEXT") && yHeld.get() && !g.queued && w != tCarrier.get()) {
                    xPast.countDown(); // X is past its turn with the copy
                }
            });
            LockSupport.unpark(g.vthread());
            assertThat(t.join(Duration.ofSeconds(20))).as("T runs to its end").isEqualTo(1);
            assertThat(z.join(Duration.ofSeconds(20))).isEqualTo(2);
            assertThat(walks.get()).isEqualTo(1);
            assertThat(armedHold.get()).as("Y was held after T's yield").isFalse();
        }
    }
}
