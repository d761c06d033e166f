package io.verdant.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The runtime's slot table: pid index -> live green thread. A pid is
 * (index, generation); freeing a slot bumps its generation, so an old pid that
 * names a reused slot is detected as stale, never silently aliased.
 *
 * <pre>
 * Layout
 *   pages[i >>> PAGE_SHIFT][i & PAGE_MASK] holds the thread in slot i (or null);
 *   generations, same layout, holds the slot's current generation. Pages are
 *   allocated on demand; the pages arrays only grow (copy on grow).
 *
 * Who touches what
 *   allocate/free run under {@code lock} (a short critical section with no
 *   blocking inside; spawn and exit take it once each).
 *   lookup runs without the lock: it reads the volatile pages array, then the
 *   slot with acquire; a slot is published with release after the thread's
 *   index and generation fields are written.
 *
 * Free list
 *   a stack of free indices (LIFO reuse keeps the live set dense and hot).
 *
 * Closing (RuntimeCore.close against a racing spawn)
 *   closeAndSnapshot() sets {@code closed} and copies the live threads in one
 *   critical section; allocate() checks {@code closed} under the same lock. So
 *   every allocation is ordered either before the snapshot (the thread is in it
 *   and close cancels it) or after (allocate returns false and the spawn fails
 *   with "runtime closed"): no thread can be registered after close's snapshot
 *   and escape its cancellation.
 * </pre>
 */
final class PidTable {
    private static final int PAGE_SHIFT = 12;
    private static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    private static final int PAGE_MASK = PAGE_SIZE - 1;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(GreenThread[].class);

    private final Object lock = new Object();
    private volatile GreenThread<?>[][] pages = new GreenThread<?>[4][];
    private int[][] generations = new int[4][];
    private int[] free = new int[64];
    private int freeCount;
    private int nextIndex;
    private int live;
    /** Guarded by lock: set once by closeAndSnapshot; later allocations fail. */
    private boolean closed;

    /**
     * Any thread. Assigns {@code t} a slot and writes its index and generation;
     * returns false (and leaves {@code t} unregistered) once the table is closed.
     */
    boolean allocate(GreenThread<?> t) {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            int index;
            if (freeCount > 0) {
                index = free[--freeCount];
            } else {
                index = nextIndex++;
                int page = index >>> PAGE_SHIFT;
                GreenThread<?>[][] ps = pages;
                if (page >= ps.length) {
                    ps = java.util.Arrays.copyOf(ps, ps.length * 2);
                    generations = java.util.Arrays.copyOf(generations, ps.length);
                }
                if (ps[page] == null) {
                    ps[page] = new GreenThread<?>[PAGE_SIZE];
                    generations[page] = new int[PAGE_SIZE];
                }
                pages = ps;
            }
            t.index = index;
            t.generation = generations[index >>> PAGE_SHIFT][index & PAGE_MASK];
            SLOT.setRelease(pages[index >>> PAGE_SHIFT], index & PAGE_MASK, t);
            live++;
            return true;
        }
    }

    /**
     * Any thread (RuntimeCore.close): closes the table to new allocations and
     * returns the threads live at that instant (see "Closing").
     */
    java.util.List<GreenThread<?>> closeAndSnapshot() {
        synchronized (lock) {
            closed = true;
            return snapshot();
        }
    }

    /** Any thread; only the slot's own thread calls it, once, when it finishes. */
    void free(GreenThread<?> t) {
        synchronized (lock) {
            int index = t.index;
            GreenThread<?>[] page = pages[index >>> PAGE_SHIFT];
            if (SLOT.getAcquire(page, index & PAGE_MASK) != t) {
                return;
            }
            SLOT.setRelease(page, index & PAGE_MASK, (GreenThread<?>) null);
            generations[index >>> PAGE_SHIFT][index & PAGE_MASK]++;
            if (freeCount == free.length) {
                free = java.util.Arrays.copyOf(free, free.length * 2);
            }
            free[freeCount++] = index;
            live--;
        }
    }

    /** Any thread, lock-free. The live thread with this index and generation, or null. */
    GreenThread<?> lookup(int index, int generation) {
        if (index < 0) {
            return null;
        }
        GreenThread<?>[][] ps = pages;
        int page = index >>> PAGE_SHIFT;
        if (page >= ps.length || ps[page] == null) {
            return null;
        }
        GreenThread<?> t = (GreenThread<?>) SLOT.getAcquire(ps[page], index & PAGE_MASK);
        return t != null && t.generation == generation ? t : null;
    }

    /** Any thread; a snapshot of the live threads (for shutdown and diagnostics). */
    java.util.List<GreenThread<?>> snapshot() {
        java.util.ArrayList<GreenThread<?>> out = new java.util.ArrayList<>();
        GreenThread<?>[][] ps = pages;
        for (GreenThread<?>[] page : ps) {
            if (page == null) {
                continue;
            }
            for (int i = 0; i < page.length; i++) {
                GreenThread<?> t = (GreenThread<?>) SLOT.getAcquire(page, i);
                if (t != null) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    /** Number of occupied slots. */
    int live() {
        synchronized (lock) {
            return live;
        }
    }
}
