package io.verdant.internal;

import io.verdant.Config;
import io.verdant.GreenFailedException;
import io.verdant.GreenHandle;
import io.verdant.TimedOutException;
import io.verdant.Verdant;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A timed join whose wait timed out just as the thread failed (fault site
 * JOIN_TIMED_OUT: the joiner's node still on the thread's waiters): the
 * thread's completion took the node as an observer of its failure, so the
 * failure was not logged as unobserved, and the join then threw
 * TimedOutException: nobody saw the failure. The join now reports the outcome
 * of a thread that has ended.
 */
@Timeout(60)
class JoinTimeoutRaceTest {

    @AfterEach
    void uninstall() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aJoinTimingOutAsTheThreadFailsReportsTheFailure() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("join-timeout-race").build())) {
            CountDownLatch go = new CountDownLatch(1);
            CountDownLatch ended = new CountDownLatch(1);
            GreenHandle<Object> target = rt.spawn(() -> {
                go.await();
                throw new IllegalStateException("failed as the join timed out");
            });
            // Runs once the completion has taken the waiters (joiners and callbacks alike).
            ((GreenThread<Object>) target).onComplete((v, f) -> ended.countDown(), false);
            AtomicBoolean armed = new AtomicBoolean(true);
            AtomicBoolean held = new AtomicBoolean();
            SchedulerTestAccess.atSites((w, site) -> {
                // Faults are JVM-global: only a join on a green thread of this runtime.
                GreenThread<?> g = GreenThread.current();
                if (site.equals("JOIN_TIMED_OUT") && g != null && g.runtime().name.equals("join-timeout-race")
                        && armed.compareAndSet(true, false)) {
                    go.countDown();
                    // Spins (bounded): the target fails on the other carrier meanwhile.
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (ended.getCount() > 0 && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    held.set(ended.getCount() == 0);
                }
            });
            String seen = rt.run(() -> {
                try {
                    target.join(Duration.ofMillis(20));
                    return "returned";
                } catch (GreenFailedException | TimedOutException e) {
                    return e.getClass().getSimpleName();
                }
            });
            assertThat(held.get()).as("the target ended while the join's node was still there").isTrue();
            assertThat(seen).as("the join reports the failure it was counted as observing")
                    .isEqualTo("GreenFailedException");
        }
    }
}
