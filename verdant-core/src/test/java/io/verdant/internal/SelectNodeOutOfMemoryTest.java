package io.verdant.internal;

import io.verdant.Channel;
import io.verdant.Config;
import io.verdant.GreenFailedException;
import io.verdant.GreenHandle;
import io.verdant.Select;
import io.verdant.Verdant;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A select whose wait node for its second case cannot be allocated (an
 * OutOfMemoryError, injected at the fault site SELECT_NODE_ALLOCATING) throws that
 * error and leaves no wait node of its in any channel: before the fix the first
 * case's node stayed among its channel's receivers, and the next value sent there
 * was handed to that node, whose select had already left, and was lost.
 * Needs -Dio.verdant.internal.faults=true (verdant-core's test build sets it).
 */
@Timeout(60)
class SelectNodeOutOfMemoryTest {

    @AfterEach
    void removeHook() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aSelectWhoseSecondNodeCannotBeAllocatedLeavesNoNodeBehind() {
        Channel<String> a = Channel.bounded(1);
        Channel<String> b = Channel.bounded(1);
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("select-node-oom").build())) {
            AtomicInteger allocations = new AtomicInteger();
            SchedulerTestAccess.atSites((w, site) -> {
                // The hook is JVM-wide: only the selects on this runtime's carrier count.
                if (site.equals("SELECT_NODE_ALLOCATING") && w != null && w.getName().startsWith("select-node-oom-carrier-")
                        && allocations.incrementAndGet() == 2) {
                    throw new OutOfMemoryError("injected: the select node's allocation failed");
                }
            });
            GreenHandle<String> selector = rt.spawn(() -> Select.<String>create()
                    .onReceive(a, v -> v).onReceive(b, v -> v).select());
            assertThatThrownBy(() -> selector.join(Duration.ofSeconds(10)))
                    .isInstanceOf(GreenFailedException.class).hasCauseInstanceOf(OutOfMemoryError.class);
            SchedulerTestAccess.atSites(null);
            assertThat(allocations).hasValue(2);
            Optional<String> got = rt.run(() -> {
                a.send("x"); // room in the buffer: returns at once either way
                return a.tryReceive();
            });
            assertThat(got).as("the value sent after the failed select").contains("x");
        }
    }
}
