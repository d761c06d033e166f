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
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A free whose move of a full carrier cache into the shared pool fails to grow
 * the pool (an OutOfMemoryError, injected at the fault site POOL_GROWING) leaves
 * the table consistent (PidTable, "Free indices"): no index is then both in the
 * carrier's cache and in the pool, so no later allocation hands one index to two
 * live threads. Before the fix the indices pushed before the failed growth stayed
 * in the cache as well, and the allocations that followed handed each of them out
 * twice. A batch sent home whose push fails (fault site BATCH_SENDING) keeps its
 * indices likewise, and in both cases the free says it emptied the slot rather
 * than throwing. Needs -Dio.verdant.internal.faults=true (verdant-core's test build sets it).
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
        Thread caller = Thread.currentThread();
        SchedulerTestAccess.atSites((w, site) -> {
            // The hook is JVM-wide: only this test's own thread, not another runtime's that gets there.
            if (site.equals("POOL_GROWING") && Thread.currentThread() == caller && armed.compareAndSet(true, false)) {
                throw new OutOfMemoryError("injected: the pool's growth failed");
            }
        });
        GreenThread<Void> last = threads.get(PidTable.LOCAL_MAX);
        // The slot is emptied: free says so (its caller completes the thread), the error stops there.
        assertThat(table.free(last)).isTrue();
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

    /**
     * A free on carrier 1 of an index whose home is carrier 0 fills the batch it sends
     * home, and the batch's push fails (an OutOfMemoryError, injected at the fault site
     * BATCH_SENDING): the free still says it emptied the slot (its caller completes the
     * thread), the full batch keeps the index, the next free there pushes it, and carrier
     * 0 then takes each index back once. Before the fix the error escaped the free.
     */
    @Test
    void aBatchWhosePushFailsKeepsItsIndicesAndTheFreeStillSucceeds() {
        int[] carrier = {0};
        PidTable table = new PidTable(2, () -> carrier[0]);
        List<GreenThread<Void>> threads = new ArrayList<>();
        for (int i = 0; i < 2 * PidTable.BATCH; i++) {
            GreenThread<Void> t = thread();
            assertThat(table.allocate(t, 0)).isEqualTo(PidTable.PUBLISHED);
            threads.add(t);
        }
        carrier[0] = 1;
        for (int i = 0; i < PidTable.BATCH - 1; i++) {
            assertThat(table.free(threads.get(i), 1)).isTrue(); // into carrier 1's batch for carrier 0
        }
        AtomicBoolean armed = new AtomicBoolean(true);
        Thread caller = Thread.currentThread();
        SchedulerTestAccess.atSites((w, site) -> {
            // The hook is JVM-wide: only this test's own thread, not another runtime's that gets there.
            if (site.equals("BATCH_SENDING") && Thread.currentThread() == caller && armed.compareAndSet(true, false)) {
                throw new OutOfMemoryError("injected: the batch's allocation failed");
            }
        });
        boolean[] freed = {false};
        // Caught here: an OutOfMemoryError escaping a test aborts the test JVM.
        Throwable thrown = catchThrowable(() -> freed[0] = table.free(threads.get(PidTable.BATCH - 1), 1));
        assertThat(thrown).as("what the free that fills the batch threw").isNull();
        assertThat(freed[0]).as("the free that fills the batch").isTrue();
        assertThat(armed).as("the push was reached").isFalse();
        SchedulerTestAccess.atSites(null);
        assertThat(table.lookup(threads.get(PidTable.BATCH - 1).index, 0)).isNull();
        // The next free here pushes the full batch (the index it held included) and starts another.
        assertThat(table.free(threads.get(PidTable.BATCH), 1)).isTrue();

        carrier[0] = 0;
        Map<Integer, GreenThread<Void>> byIndex = new HashMap<>();
        for (GreenThread<Void> t : threads.subList(PidTable.BATCH + 1, threads.size())) {
            byIndex.put(t.index, t); // still live
        }
        int duplicates = 0;
        int reused = 0;
        for (int i = 0; i < 2 * PidTable.BATCH; i++) {
            GreenThread<Void> t = thread();
            assertThat(table.allocate(t, 0)).isEqualTo(PidTable.PUBLISHED);
            if (byIndex.put(t.index, t) != null) {
                duplicates++;
            }
            if (t.index < 2 * PidTable.BATCH) {
                reused++;
                assertThat(t.generation).as("generation of reused index %d", t.index).isEqualTo(1);
            }
        }
        assertThat(duplicates).as("indices handed to two live threads").isZero();
        assertThat(reused).as("indices sent home and taken back").isEqualTo(PidTable.BATCH);
        assertThat(table.live()).isEqualTo(byIndex.size());
    }
}
