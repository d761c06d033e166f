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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A scope spawn that fails after its child was spawned (an OutOfMemoryError
 * growing the scope's list of children, injected at SCOPE_CHILD_ADDING) leaves
 * no child running past the scope: the child, which the caller never got, is
 * cancelled and the scope waits for it. Before, the failed spawn took the child
 * off the running count, which its own end does, so the scope returned while
 * that child still ran (and the count went below zero once it ended).
 * Needs -Dio.verdant.internal.faults=true (verdant-core's test build sets it).
 */
@Timeout(60)
class ScopeChildListOutOfMemoryTest {

    @AfterEach
    void removeHook() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void noChildRunsPastTheScopeAfterASpawnFailedPastTheChildsSpawn() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("scope-child-oom")
                .shutdownTimeout(Duration.ofSeconds(2)).build())) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            AtomicBoolean orphanRunning = new AtomicBoolean();
            AtomicBoolean orphanRunningWhenScopeReturned = new AtomicBoolean(true);
            AtomicBoolean armed = new AtomicBoolean(false);
            SchedulerTestAccess.atSites((w, site) -> {
                // The hook is JVM-wide: only the spawns on this runtime's carriers.
                if (site.equals("SCOPE_CHILD_ADDING") && w != null && w.getName().startsWith("scope-child-oom-carrier-")
                        && armed.compareAndSet(true, false)) {
                    throw new OutOfMemoryError("injected: the scope's list of children could not grow");
                }
            });
            GreenHandle<Void> owner = rt.spawn(() -> {
                Green.scope(s -> {
                    armed.set(true);
                    // Spawned, then the spawn fails: the caller gets no handle to this child.
                    assertThatThrownBy(() -> s.spawn(() -> {
                        orphanRunning.set(true);
                        started.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException cancelled) {
                            // cancelled: the spawn that made it failed
                        } finally {
                            orphanRunning.set(false);
                        }
                        return null;
                    })).isInstanceOf(OutOfMemoryError.class);
                    assertThat(armed).as("the fault site was reached").isFalse();
                    // The child runs (unless cancelled before it started: then not for long).
                    started.await(2, TimeUnit.SECONDS);
                    return null;
                });
                orphanRunningWhenScopeReturned.set(orphanRunning.get());
                return null;
            });
            try {
                owner.join(Duration.ofSeconds(10));
            } finally {
                release.countDown();
            }
            assertThat(orphanRunningWhenScopeReturned).as("the child still ran when the scope returned").isFalse();
        }
    }
}
