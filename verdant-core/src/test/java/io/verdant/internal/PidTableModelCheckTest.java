package io.verdant.internal;

import io.verdant.Priority;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.verdant.internal.ModelCheck.check;
import static io.verdant.internal.ModelCheck.race;

/**
 * Lincheck's model checker on the pid table directly: allocate, free, lookup
 * and close racing from platform threads (the pool under the lock). A stale pid
 * never resolves to the slot's next occupant, no index is handed to two live
 * threads, and a thread racing close is either published and in close's
 * snapshot or refused, completed by exactly one party. Checks are plain
 * throws: Lincheck compares objects with equals, which AssertJ's assertions
 * refuse. The carriers' free-index caches are not model checked: a cache
 * refill moves BATCH indices in one loop under the spin lock, which Lincheck
 * takes for a livelock (it reports a hang); PidTableTest races them on real threads.
 */
@Timeout(600)
class PidTableModelCheckTest {
    private static final int INVOCATIONS = 300;

    private static GreenThread<Void> thread() {
        return new GreenThread<>(null, () -> null, Priority.NORMAL);
    }

    @Test
    void aStalePidNeverResolvesToTheSlotsNextOccupant() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            PidTable table = new PidTable();
            GreenThread<Void> a = thread();
            table.allocate(a);
            int index = a.index;
            int gen = a.generation;
            GreenThread<Void> b = thread();
            GreenThread<Void> c = thread();
            AtomicReference<Object> seen1 = new AtomicReference<>();
            AtomicReference<Object> seen2 = new AtomicReference<>();
            race(() -> {
                table.free(a);
                table.allocate(b);
            }, () -> {
                seen1.set(table.lookup(index, gen));
                seen2.set(table.lookup(index, gen + 1));
            }, () -> table.allocate(c));
            check(seen1.get() == null || seen1.get() == a, "the old pid resolved to another thread");
            check(seen2.get() == null || seen2.get() == b || seen2.get() == c, "a pid resolved to a thread of another");
            check(b.index != c.index, "one index handed to two live threads");
            check(table.lookup(index, gen) == null, "the freed pid still resolves");
            check(table.lookup(b.index, b.generation) == b && table.lookup(c.index, c.generation) == c,
                    "a live thread's pid does not resolve to it");
            check(table.live() == 2, "live threads: " + table.live());
        });
    }

    @Test
    void aThreadRacingCloseIsPublishedAndSnapshottedOrRefusedAndCompletedOnce() {
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            PidTable table = new PidTable();
            GreenThread<Void> x = thread();
            AtomicInteger status = new AtomicInteger(-1);
            AtomicBoolean inSnapshot = new AtomicBoolean();
            AtomicBoolean closerFreed = new AtomicBoolean();
            race(() -> status.set(table.allocate(x, -1)), () -> {
                List<GreenThread<?>> live = table.closeAndSnapshot();
                for (GreenThread<?> t : live) {
                    inSnapshot.set(true);
                    closerFreed.set(table.free(t)); // close abandons what it saw
                }
            });
            int s = status.get();
            // Whoever empties the slot completes the thread: close (PUBLISHED, TAKEN) or the spawner (REFUSED).
            check(s != PidTable.PUBLISHED || inSnapshot.get() && closerFreed.get(), "published but missed by close");
            check(s != PidTable.TAKEN || closerFreed.get(), "TAKEN, but close did not empty the slot");
            check(s != PidTable.REFUSED || !closerFreed.get(), "REFUSED, but close emptied the slot too");
            check(table.live() == 0, "a thread is left in the closed table");
        });
    }
}
