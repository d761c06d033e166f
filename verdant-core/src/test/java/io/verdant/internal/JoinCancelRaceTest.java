package io.verdant.internal;

import io.verdant.CancelledException;
import io.verdant.Config;
import io.verdant.GreenFailedException;
import io.verdant.GreenHandle;
import io.verdant.GreenState;
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
 * A join whose wait was cancelled just as the thread failed (fault site
 * JOIN_CANCELLED: the joiner's node still on the thread's waiters): the
 * thread's completion took the node as an observer of its failure, so the
 * failure was not logged as unobserved, and the join then threw
 * CancelledException: nobody saw the failure. As for a timed-out join
 * (JoinTimeoutRaceTest), a join whose thread has ended reports its outcome.
 */
@Timeout(60)
class JoinCancelRaceTest {

    @AfterEach
    void uninstall() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aJoinCancelledAsTheThreadFailsReportsTheFailure() throws Exception {
        assertThat(joinCancelledAsTargetFails(null)).isEqualTo("GreenFailedException");
    }

    @Test
    void aTimedJoinCancelledAsTheThreadFailsReportsTheFailure() throws Exception {
        assertThat(joinCancelledAsTargetFails(Duration.ofHours(1))).isEqualTo("GreenFailedException");
    }

    /** What the join of a cancelled joiner ended with, the target failing while the join gives up. */
    private static String joinCancelledAsTargetFails(Duration timeout) throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("join-cancel-race").build())) {
            CountDownLatch go = new CountDownLatch(1);
            CountDownLatch ended = new CountDownLatch(1);
            GreenHandle<Object> target = rt.spawn(() -> {
                go.await();
                throw new IllegalStateException("failed as the join was cancelled");
            });
            // Runs once the completion has taken the waiters (joiners and callbacks alike).
            ((GreenThread<Object>) target).onComplete((v, f) -> ended.countDown(), false);
            AtomicBoolean armed = new AtomicBoolean(true);
            AtomicBoolean held = new AtomicBoolean();
            SchedulerTestAccess.atSites((w, site) -> {
                // Faults are JVM-global: only a join on a green thread of this runtime.
                GreenThread<?> g = GreenThread.current();
                if (site.equals("JOIN_CANCELLED") && g != null && g.runtime().name.equals("join-cancel-race")
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
            GreenHandle<String> joiner = rt.spawn(() -> {
                try {
                    if (timeout == null) {
                        target.join();
                    } else {
                        target.join(timeout);
                    }
                    return "returned";
                } catch (GreenFailedException | CancelledException e) {
                    return e.getClass().getSimpleName();
                }
            });
            // The state the loop saw is the one asserted: read again, it may have moved on.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            GreenState state;
            while ((state = joiner.state()) != GreenState.WAITING && System.nanoTime() < until) {
                Thread.sleep(1);
            }
            assertThat(state).as("the joiner waits in its join").isEqualTo(GreenState.WAITING);
            joiner.cancel();
            String seen = joiner.join(Duration.ofSeconds(30));
            assertThat(held.get()).as("the target ended while the join's node was still there").isTrue();
            return seen;
        }
    }
}
