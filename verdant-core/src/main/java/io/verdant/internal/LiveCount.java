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
 *   closing thread, a deterministic runtime); the count is the spawns of all
 *   cells less their ends (see "Reading"). A cell may end more threads than it
 *   spawned (a thread spawned on one carrier ends on another).
 *
 * Cells and false sharing
 *   cells[(c + 1) * STRIDE] is carrier c's cell, cells[0] the shared one;
 *   STRIDE longs (128 bytes) apart, so no two cells share a cache line (nor an
 *   adjacent-line prefetch pair). Carrier c's cell is written only by code
 *   running on carrier c, the shared cell by anyone.
 *
 * Single-writer cells (issue 11)
 *   A carrier's cell has one writer, the carrier's OS thread (a green thread
 *   cannot be descheduled between the read and the write of an update: nothing
 *   in between is a safepoint or unmounts), so an update there is a plain read
 *   and a release store: no atomic on the spawning or on the ending carrier
 *   (it was a getAndAdd on each, about 20 cycles of a locked instruction). The
 *   shared cell stays a getAndAdd. As with Worker's counters, sum() adds the
 *   cells up when asked.
 *
 * Memory ordering (what RuntimeCore relies on)
 *   A carrier's update is a release store, the shared cell's a getAndAdd;
 *   sum() reads each cell volatile. sum() is not an atomic snapshot: while
 *   updates run it may be off by the ones in flight (as LongAdder's), and a
 *   release store needs no fence, so the cell a carrier just wrote may read
 *   old for a moment to another thread (it becomes visible without further
 *   action). What RuntimeCore needs (see its "Counting live threads"):
 *   1. A spawn's +1 is visible to whoever learns of the thread: the +1 comes
 *      before the thread's publication in the pid table (a volatile store),
 *      so close's snapshot, which reads the slot, and any reader after it,
 *      see it (happens-before); a joiner sees the -1 of the thread it joined
 *      (completion's getAndSet of the waiters comes after it).
 *   2. Close waits for the count to reach 0 by polling (RuntimeCore.awaitLiveZero):
 *      an ending thread that saw the runtime closing unparks the closer, but
 *      one that read the state before close wrote it may not, and its -1 may
 *      reach close's sum a moment late: the poll bounds that delay.
 *
 * Reading
 *   Each cell is two words that only grow: the spawns counted there and the
 *   ends. sum() reads every cell's ends first, then every cell's spawns. A
 *   thread's end comes after its spawn (happens-before, through its
 *   publication), so a reader that sees an end sees its spawn: no end is
 *   counted without its spawn, and the count is never negative; it may count
 *   a thread that ended during the read. One word per cell signed
 *   +1/-1, as before, was read cell by cell: a reader held between two cells
 *   counted the end of a thread spawned in a cell it had read (the shared one,
 *   a spawn from a platform thread) and ended in one it read later (a
 *   carrier's) without its spawn, and the gauge went below the threads alive
 *   and below zero (LiveGaugeTest). Cost: the same store per spawn and per end,
 *   into another word of the same line.
 * </pre> * </pre>
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
     * Any thread: adds {@code delta} to the cell of {@code carrier}, which must be
     * the carrier the caller runs on (RuntimeCore.carrierOfCaller), or -1 for the
     * shared cell; returns nothing, see {@link #sum}.
     */
    void add(int carrier, long delta) {
        // A spawn (+) counts in the cell's first word, an end (-) in its second (see "Reading").
        int word = delta < 0 ? 1 : 0;
        long n = delta < 0 ? -delta : delta;
        if (carrier >= 0 && carrier < carriers) {
            // Carrier-owned cell: single writer (see "Single-writer cells").
            int i = (carrier + 1) * STRIDE + word;
            CELL.setRelease(cells, i, cells[i] + n);
        } else {
            CELL.getAndAdd(cells, word, n);
        }
    }

    /** Any thread: the spawns counted less the ends (see "Memory ordering" and "Reading"). */
    long sum() {
        long ended = 0;
        for (int c = 0; c <= carriers; c++) {
            ended += (long) CELL.getVolatile(cells, c * STRIDE + 1);
        }
        long spawned = 0;
        for (int c = 0; c <= carriers; c++) {
            spawned += (long) CELL.getVolatile(cells, c * STRIDE);
        }
        return spawned - ended;
    }
}
