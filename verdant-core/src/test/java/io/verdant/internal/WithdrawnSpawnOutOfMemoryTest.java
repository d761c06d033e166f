package io.verdant.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.verdant.Priority;
import io.verdant.internal.sched.SchedulerTestAccess;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A spawn whose publication is withdrawn because the table closed meanwhile (PidTable,
 * "Closing") gives its index back to the shared pool; if the pool must grow for it and
 * that growth fails (an OutOfMemoryError, injected at POOL_GROWING), the spawn is still
 * refused as closed (REFUSED: RuntimeCore.create throws "runtime closed"), the index lost
 * like a retired one (PidTable, "Failure atomicity"). Before, the OutOfMemoryError
 * escaped the allocation, and the spawn failed with it instead of the documented
 * IllegalStateException. The close is made at SLOT_PUBLISHED (after the publication's
 * fence, before its read of closed); both hooks act on this test's thread only.
 */
@Timeout(30)
class WithdrawnSpawnOutOfMemoryTest {

    @AfterEach
    void removeHook() {
        SchedulerTestAccess.atSites(null);
    }

    private static GreenThread<Void> thread() {
        return new GreenThread<>(null, () -> null, Priority.NORMAL);
    }

    @Test
    void aWithdrawnSpawnWhosePoolGrowthFailsIsRefusedAsClosed() {
        PidTable table = new PidTable(1, () -> -1); // the caller is on no carrier: frees go to the pool
        // The pool starts with room for 64 indices. 66 fresh indices; 63 freed fill it to 63.
        List<GreenThread<Void>> threads = new ArrayList<>();
        for (int i = 0; i < 66; i++) {
            GreenThread<Void> t = thread();
            assertThat(table.allocate(t, -1)).isEqualTo(PidTable.PUBLISHED);
            threads.add(t);
        }
        for (int i = 0; i < 63; i++) {
            assertThat(table.free(threads.get(i))).isTrue();
        }
        Thread caller = Thread.currentThread();
        AtomicBoolean closedAtPublication = new AtomicBoolean();
        AtomicBoolean growthFailed = new AtomicBoolean();
        SchedulerTestAccess.atSites((w, site) -> {
            if (Thread.currentThread() != caller) {
                return; // the hooks are JVM-wide
            }
            if (site.equals("SLOT_PUBLISHED") && closedAtPublication.compareAndSet(false, true)) {
                // The spawn took one index (62 left); two more frees fill the pool (64 of 64),
                // then the close: the withdrawal's release must grow the pool.
                assertThat(table.free(threads.get(63))).isTrue();
                assertThat(table.free(threads.get(64))).isTrue();
                table.closeAndSnapshot();
            } else if (site.equals("POOL_GROWING") && closedAtPublication.get() && growthFailed.compareAndSet(false, true)) {
                throw new OutOfMemoryError("injected: the pool's growth failed");
            }
        });
        GreenThread<Void> late = thread();
        int[] result = {-1};
        Throwable thrown = catchThrowable(() -> result[0] = table.allocate(late, -1));
        SchedulerTestAccess.atSites(null);
        assertThat(closedAtPublication).as("closed at the publication").isTrue();
        assertThat(growthFailed).as("the withdrawal's pool growth was reached").isTrue();
        assertThat(thrown).as("what the allocation threw").isNull();
        assertThat(result[0]).as("refused as closed").isEqualTo(PidTable.REFUSED);
        assertThat(table.lookup(late.index, late.generation)).as("the withdrawn thread is in no slot").isNull();
        assertThat(table.lookup(threads.get(65).index, threads.get(65).generation)).isSameAs(threads.get(65));
    }
}
