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
 * The stale copy of GreenThread, "One queued copy", provoked on purpose: carrier
 * Y takes thread T's copy and, before the JDK's state check, a stack walk (run by
 * Y itself at the TAKEN fault site) suspends, restores and resubmits T. Under the
 * first protocol (the token released at the start of every dispatch) that queued
 * a second copy while Y went on to run T, which carrier X then took beside the
 * running thread (its no-op dispatch withdrew T's pending preemption request,
 * stamped T's lastRanAt, counted a dispatch, named X as T's carrier and, for a
 * dispatcher, ran Dispatcher.unmounted() beside the running turn). Now the
 * dispatch holds the token until it ends, so the walk's submission is dropped:
 * no copy is made, and T, running, is not disturbed. Both runtimes have a 30 s
 * slice: the ticker must not make the test's own preemption request first (on a
 * loaded machine it did, after the default 10 ms).
 */
@Timeout(60)
class StaleCopyTest {

    @AfterEach
    void uninstall() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aStackWalkWhileADispatchHoldsTheTokenQueuesNoCopy() throws Exception {
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
            java.util.concurrent.atomic.AtomicLong walkInjected = new java.util.concurrent.atomic.AtomicLong(-1);
            SchedulerTestAccess.atSites((w, site) -> {
                // Faults are JVM-global: another runtime's carrier must not take the arming.
                if (site.equals("TAKEN") && Thread.currentThread().getName().startsWith("stale-copy-carrier-")
                        && !tRunning.get() && armed.compareAndSet(true, false)) {
                    // Y, between T's queued clear and the JDK's state check: a walk (by a
                    // platform thread, as a dump or a stall report would be, so the copy
                    // goes to the injection queues) suspends T, restores it and resubmits
                    // it (T is unparked, runnable); Y waits for it.
                    long before = w.scheduler().injectionCounts()[2];
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
                    // Tasks injected meanwhile: the walker's copy would have been one (Z spins on
                    // X and submits nothing; nothing else runs).
                    walkInjected.set(w.scheduler().injectionCounts()[2] - before);
                }
            });
            LockSupport.unpark(g.vthread());
            while (!tRunning.get()) {
                Thread.onSpinWait();
            }
            long stamp = g.lastRanAt();
            assertThat(Safepoints.request(g)).isTrue();
            requested.set(true);
            assertThat(walkInjected.get()).as("copies queued by the walk while Y held T's token").isZero();
            assertThat(g.queued).as("the token, held by T's running dispatch").isTrue();
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
     * A thread that yields while its carrier still names it: T, running on Y
     * after a walk at the TAKEN site (whose submission is dropped: Y's dispatch
     * holds the token), yields. The JDK's afterYield submits T again from Y: the
     * token passes to that copy (Worker.tokenRun), and Y, held at the
     * DISPATCHED fault site while it still names T as its current task (until X
     * has passed a turn), must not lose it. Under the first protocol this was
     * the case where a copy dropped because a carrier named the thread as
     * running lost T for good (T's join timed out, every time).
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
                Thread.yield(); // resubmitted by the JDK from Y: the token passes to the new copy
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
                // Faults are JVM-global: another runtime's carrier must not take the arming.
                if (site.equals("TAKEN") && Thread.currentThread().getName().startsWith("stale-yield-carrier-")
                        && !tRunning.get() && armedWalk.compareAndSet(true, false)) {
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
                        xPast.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (site.equals("NEXT") && yHeld.get() && w != tCarrier.get()) {
                    xPast.countDown(); // X is past a turn (T's copy, if it took it from Y's queue)
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
