package io.verdant.internal;

import io.verdant.Priority;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A free whose move of a full carrier cache into the shared pool fails to grow
 * the pool (an OutOfMemoryError, injected at the fault site POOL_GROWING) leaves
 * the table consistent (PidTable, "Free indices"): no index is then both in the
 * carrier's cache and in the pool, so no later allocation hands one index to two
 * live threads. Before the fix the indices pushed before the failed growth stayed
 * in the cache as well, and the allocations that followed handed each of them out
 * twice. Needs -Dio.verdant.internal.faults=true (verdant-core's test build sets it).
 */
@Timeout(30)
class PidTableOutOfMemoryTest {

    @AfterEach
    void removeHook() {
        SchedulerTestAccess.atSites(null);
    }

    private static GreenThread<Void> thread() {
        return new GreenThread<>(null, () -> null, Priority.NORMAL);
    }

    @Test
    void aPoolGrowthThatFailsLeavesNoIndexInBothTheCacheAndThePool() {
        PidTable table = new PidTable(1, () -> 0); // one carrier, and the caller is on it
        // Allocations take fresh indices into the cache BATCH at a time: a multiple of
        // BATCH leaves it empty. Freeing LOCAL_MAX of them then fills it, and the next
        // free moves a batch to the pool, which must grow (it starts with room for 64).
        List<GreenThread<Void>> threads = new ArrayList<>();
        for (int i = 0; i < PidTable.LOCAL_MAX + PidTable.BATCH; i++) {
            GreenThread<Void> t = thread();
            assertThat(table.allocate(t)).isTrue();
            threads.add(t);
        }
        for (int i = 0; i < PidTable.LOCAL_MAX; i++) {
            assertThat(table.free(threads.get(i))).isTrue(); // into the cache, no lock
        }
        AtomicBoolean armed = new AtomicBoolean(true);
        SchedulerTestAccess.atSites((w, site) -> {
            if (site.equals("POOL_GROWING") && armed.compareAndSet(true, false)) {
                throw new OutOfMemoryError("injected: the pool's growth failed");
            }
        });
        GreenThread<Void> last = threads.get(PidTable.LOCAL_MAX);
        assertThatThrownBy(() -> table.free(last)).isInstanceOf(OutOfMemoryError.class);
        assertThat(armed).as("the growth was reached").isFalse();
        SchedulerTestAccess.atSites(null);

        // Allocate far more than every freed index: each index must go to one live thread.
        Map<Integer, GreenThread<Void>> byIndex = new HashMap<>();
        for (GreenThread<Void> t : threads.subList(PidTable.LOCAL_MAX + 1, threads.size())) {
            byIndex.put(t.index, t); // still live
        }
        int duplicates = 0;
        for (int i = 0; i < 3 * PidTable.LOCAL_MAX; i++) {
            GreenThread<Void> t = thread();
            assertThat(table.allocate(t)).isTrue();
            if (byIndex.put(t.index, t) != null) {
                duplicates++;
            }
        }
        assertThat(duplicates).as("indices handed to two live threads").isZero();
        for (GreenThread<Void> t : byIndex.values()) {
            assertThat(table.lookup(t.index, t.generation)).isSameAs(t);
        }
        assertThat(table.live()).isEqualTo(byIndex.size());
    }
}
