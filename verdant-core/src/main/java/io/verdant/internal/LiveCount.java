package io.verdant.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The number of live green threads of one runtime, striped by carrier so that
 * a spawn on one carrier and an exit on another do not fight for one word.
 *
 * <pre>
 * Overview (issue 11)
 *   One atomic counter was incremented by every spawn and decremented by every
 *   exit: a parent spawning on one carrier while its children ended on the
 *   other bounced its cache line on every operation. Now there is one cell per
 *   carrier index plus one shared cell for everyone else (platform threads, the
 *   closing thread, a deterministic runtime); the count is the sum of the
 *   cells. A cell may go negative (a thread spawned on one carrier ends on
 *   another); the sum never does once the operations it covers are done.
 *
 * Cells and false sharing
 *   cells[(c + 1) * STRIDE] is carrier c's cell, cells[0] the shared one;
 *   STRIDE longs (128 bytes) apart, so no two cells share a cache line (nor an
 *   adjacent-line prefetch pair). Carrier c's cell is written only by code
 *   running on carrier c (uncontended), the shared cell by anyone.
 *
 * Memory ordering (what RuntimeCore relies on)
 *   Every update is a getAndAdd (volatile read-modify-write), every read of
 *   sum() a volatile read of each cell. So the spawn/close Dekker pair of
 *   RuntimeCore holds per cell: a spawn adds, then reads the state; close writes
 *   the state, then sums; either the spawn sees CLOSING or close's sum counts it.
 *   And the last of several concurrent decrements (last in the synchronization
 *   order) sees every other update in the sum it reads afterwards, so when the
 *   count reaches 0 during close, some ending thread sees 0 and wakes the closer.
 *   sum() is not an atomic snapshot: while updates run it may be off by the
 *   ones in flight (as LongAdder's).
 * </pre>
 */
final class LiveCount {
    /** Longs between two cells: 128 bytes, two cache lines (see "Cells and false sharing"). */
    private static final int STRIDE = 16;
    private static final VarHandle CELL = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] cells;
    private final int carriers;

    /** @param carriers the number of carrier indices (cores plus spare slots) */
    LiveCount(int carriers) {
        this.carriers = carriers;
        this.cells = new long[(carriers + 2) * STRIDE];
    }

    /**
     * Any thread: adds {@code delta} to the cell of {@code carrier} (the caller's
     * carrier index, or -1 for the shared cell); returns nothing, see {@link #sum}.
     */
    void add(int carrier, long delta) {
        int c = carrier >= 0 && carrier < carriers ? carrier + 1 : 0;
        CELL.getAndAdd(cells, c * STRIDE, delta);
    }

    /** Any thread: the sum of the cells (see "Memory ordering"). */
    long sum() {
        long s = 0;
        for (int c = 0; c <= carriers; c++) {
            s += (long) CELL.getVolatile(cells, c * STRIDE);
        }
        return s;
    }
}
