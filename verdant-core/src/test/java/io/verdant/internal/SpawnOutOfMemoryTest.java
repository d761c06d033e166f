package io.verdant.internal;

import io.verdant.Actors;
import io.verdant.Config;
import io.verdant.Verdant;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A spawn whose allocation of the new green thread fails (an OutOfMemoryError,
 * injected at the fault site SPAWN_ALLOCATING) throws that error and counts
 * nothing: before the fix the spawn had already counted the thread as live, and
 * nothing took the count back, so liveThreads() stayed one too high and every
 * close waited its whole shutdown timeout for a thread that never existed.
 * Needs -Dio.verdant.internal.faults=true (verdant-core's test build sets it).
 */
@Timeout(60)
class SpawnOutOfMemoryTest {

    @AfterEach
    void removeHook() {
        SchedulerTestAccess.atSites(null);
    }

    private static AtomicBoolean failOneAllocation() {
        AtomicBoolean armed = new AtomicBoolean(true);
        Thread spawner = Thread.currentThread();
        SchedulerTestAccess.atSites((w, site) -> {
            // The hook is JVM-wide: only the spawns of the thread that armed it.
            if (site.equals("SPAWN_ALLOCATING") && Thread.currentThread() == spawner && armed.compareAndSet(true, false)) {
                throw new OutOfMemoryError("injected: the green thread's allocation failed");
            }
        });
        return armed;
    }

    @Test
    void aSpawnWhoseThreadCannotBeAllocatedLeavesTheLiveCountAsItWas() {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("spawn-oom")
                .shutdownTimeout(Duration.ofSeconds(2)).build())) {
            long before = rt.liveThreads();
            AtomicBoolean armed = failOneAllocation();
            assertThatThrownBy(() -> rt.spawn(() -> 1)).isInstanceOf(OutOfMemoryError.class);
            assertThat(armed).as("the allocation was reached").isFalse();
            assertThat(rt.liveThreads()).as("live threads after the failed spawn").isEqualTo(before);
            assertThat(rt.spawn(() -> 2).join(Duration.ofSeconds(10))).isEqualTo(2);
            assertThat(rt.liveThreads()).isEqualTo(before);
        }
    }

    @Test
    void anActorSpawnWhoseThreadCannotBeAllocatedLeavesTheLiveCountAsItWas() {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("actor-spawn-oom")
                .shutdownTimeout(Duration.ofSeconds(2)).build())) {
            long before = rt.liveThreads();
            AtomicBoolean armed = failOneAllocation();
            assertThatThrownBy(() -> Actors.spawner(rt).spawn(0, (s, m) -> s))
                    .isInstanceOf(OutOfMemoryError.class);
            assertThat(armed).as("the allocation was reached").isFalse();
            assertThat(rt.liveThreads()).as("live threads after the failed spawn").isEqualTo(before);
        }
    }
}
