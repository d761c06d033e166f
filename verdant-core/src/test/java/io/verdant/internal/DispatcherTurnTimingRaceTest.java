package io.verdant.internal;

import io.verdant.Actors;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.GreenState;
import io.verdant.GreenThreadInfo;
import io.verdant.Verdant;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With Config.cpuTiming, an event actor's run time is its turns' time on
 * carriers, stretch by stretch. A handler that parks and is woken may be queued again as its carrier C ends the dispatch (it parked and was woken at once); another carrier may mount it and run
 * the rest of the turn while C is still in its post-run bookkeeping (held here
 * at the UNMOUNTED fault site). The stretch before the yield must still count:
 * it was taken at C's bookkeeping, after the next mount had overwritten the
 * stretch's start, or after the turn had ended, and was lost.
 */
@Timeout(60)
class DispatcherTurnTimingRaceTest {
    private static final long SPIN_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    @AfterEach
    void uninstall() {
        SchedulerTestAccess.atSites(null);
    }

    @RepeatedTest(3)
    void aTurnResumedOnAnotherCarrierCountsItsStretchBeforeTheYield() throws Exception {
        AtomicReference<Thread> dispatcher = new AtomicReference<>();
        AtomicBoolean armed = new AtomicBoolean();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch turnDone = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        SchedulerTestAccess.atSites((w, site) -> {
            if (site.equals("UNMOUNTED") && w.currentTask() instanceof GreenThread<?> g
                    && g.virtualThread() == dispatcher.get() && armed.compareAndSet(true, false)) {
                held.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS); // the rest of the turn runs elsewhere meanwhile
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("turn-timing").cpuTiming(true)
                .stallThreshold(Duration.ofSeconds(10)).build())) {
            GreenHandle<Integer> actor = rt.run(() -> Actors.spawn(0, (n, m) -> {
                spin();
                dispatcher.set(Thread.currentThread());
                armed.set(true);
                // Parks: its carrier is held after this dispatch, and the test's wake-up makes
                // the other carrier resume the turn.
                try {
                    resume.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                spin();
                turnDone.countDown();
                return n + 1;
            }));
            try {
                assertThat(rt.send(actor.pid(), "go")).isTrue();
                assertThat(held.await(20, TimeUnit.SECONDS)).as("the first carrier is held after the park").isTrue();
                resume.countDown();
                assertThat(turnDone.await(20, TimeUnit.SECONDS)).as("the turn's second stretch ran").isTrue();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (info(rt, actor).state() != GreenState.WAITING && System.nanoTime() < deadline) {
                    Thread.onSpinWait(); // the turn's end: its time is added
                }
            } finally {
                release.countDown();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            Duration runTime;
            do {
                runTime = info(rt, actor).runTime();
            } while (runTime.toNanos() < 2 * SPIN_NANOS && System.nanoTime() < deadline);
            assertThat(runTime).as("the turn's two stretches").isGreaterThanOrEqualTo(Duration.ofNanos(2 * SPIN_NANOS));
            actor.cancel();
        }
    }

    private static void spin() {
        long end = System.nanoTime() + SPIN_NANOS;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    private static GreenThreadInfo info(Verdant rt, GreenHandle<?> h) {
        return rt.snapshot().find(h.pid()).orElseThrow();
    }
}
