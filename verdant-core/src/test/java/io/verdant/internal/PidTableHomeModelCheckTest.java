package io.verdant.internal;

import io.verdant.Priority;
import org.jetbrains.lincheck.Lincheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

import static io.verdant.internal.ModelCheck.check;
import static io.verdant.internal.ModelCheck.race;

/**
 * Lincheck's model checker on the pid table's inboxes (PidTable, "Home
 * carriers"): carrier 0 handed out 3 * BATCH indices, carrier 1 ended all but
 * one of their threads, so two batches wait in carrier 0's inbox and the third
 * is one index short. Then, racing: carrier 0 spawns (its cache is empty: it
 * pops a batch, no lock), carrier 1 ends the last thread (it pushes the third
 * batch by CAS), and a caller on no carrier spawns (under the lock, with the pool
 * empty, it reclaims a batch of carrier 0's inbox if it holds two or more).
 * Checked: the two spawns get different indices, carrier 0's an old one with
 * the generation after its last (a stale pid never names it; the other's too,
 * unless it found fewer than two batches and took a fresh one); every other old
 * index is counted in exactly one place (carrier 0's cache, the pool, a batch
 * in carrier 0's inbox, whose depths are right, or carrier 1's outgoing batch);
 * and the inbox lost no batch and gave none twice. Carriers are stood for by a
 * thread-local index. The table is set up outside the model checker: a cache
 * refill moves BATCH indices in one loop, which Lincheck takes for a livelock
 * (it reports a hang), even unraced. (Checked against a broken table: a
 * reclaim that left its batch in the inbox was found, an index counted twice.)
 */
@Timeout(600)
class PidTableHomeModelCheckTest {
    private static final int INVOCATIONS = 100;
    private static final int N = 3 * PidTable.BATCH;

    private static GreenThread<Void> thread() {
        return new GreenThread<>(null, () -> null, Priority.NORMAL);
    }

    /** The table and the threads of the race, set up before the model checker runs. */
    private static final class Case {
        final ThreadLocal<Integer> carrier = new ThreadLocal<>();
        final PidTable table = new PidTable(2, () -> carrier.get() == null ? -1 : carrier.get());
        final GreenThread<Void> lastOne;
        final GreenThread<Void> a = thread();
        final GreenThread<Void> b = thread();
        final int[] results = {-1, -1, -1};

        Case() {
            List<GreenThread<Void>> first = new ArrayList<>();
            carrier.set(0);
            for (int i = 0; i < N; i++) {
                GreenThread<Void> t = thread();
                check(table.allocate(t, 0) == PidTable.PUBLISHED, "refused");
                first.add(t);
            }
            carrier.set(1);
            for (int i = 0; i < N - 1; i++) {
                check(table.free(first.get(i), 1), "a live thread's free failed");
            }
            carrier.remove();
            lastOne = first.get(N - 1);
        }
    }

    @Test
    void aPopAPushAndAReclaimOfOneInboxHandOutEachIndexOnce() throws Exception {
        // One table, set up here: Lincheck restores what an invocation changed in the objects
        // it captures before the next one, so each invocation starts from this state.
        Case c = new Case();
        Field localsField = PidTable.class.getDeclaredField("locals");
        localsField.setAccessible(true);
        PidTable.Local[] locals = (PidTable.Local[]) localsField.get(c.table);
        Field freeCountField = PidTable.class.getDeclaredField("freeCount");
        freeCountField.setAccessible(true);
        check(locals[0].count == 0 && locals[0].inbox != null && locals[0].inbox.depth == 2
                && locals[1].outCount[0] == PidTable.BATCH - 1 && freeCountField.getInt(c.table) == 0,
                "the set-up state");
        Lincheck.runConcurrentTest(INVOCATIONS, () -> {
            race(() -> {
                c.carrier.set(0);
                c.results[0] = c.table.allocate(c.a, 0);
            }, () -> {
                c.carrier.set(1);
                c.results[1] = c.table.free(c.lastOne, 1) ? 1 : 0;
            }, () -> c.results[2] = c.table.allocate(c.b, -1));
            GreenThread<Void> a = c.a;
            GreenThread<Void> b = c.b;
            check(c.results[0] == PidTable.PUBLISHED && c.results[2] == PidTable.PUBLISHED, "a spawn was refused");
            check(c.results[1] == 1, "the last thread's free failed");
            check(a.index != b.index, "index " + a.index + " handed to two live threads");
            // Carrier 0 always finds a batch at home; the caller on no carrier takes a fresh index
            // (the first, N) only if the inbox held fewer than two batches when it looked.
            boolean bFresh = b.index == N;
            check(a.index < N && b.index <= N, "a fresh index was taken: " + a.index + ", " + b.index);
            check(a.generation == 1 && b.generation == (bFresh ? 0 : 1),
                    "generations " + a.generation + ", " + b.generation);
            check(c.table.lookup(a.index, 0) == null && (bFresh || c.table.lookup(b.index, 0) == null),
                    "a stale pid resolves");
            check(c.table.lookup(a.index, a.generation) == a && c.table.lookup(b.index, b.generation) == b,
                    "a live pid does not resolve");
            // Each old index still free is in one place: carrier 0's cache, the pool, a batch in
            // carrier 0's inbox (each batch's depth right) or carrier 1's outgoing batch.
            int batches = 0;
            for (PidTable.Batch x = locals[0].inbox; x != null; x = x.next) {
                check(x.depth == (x.next == null ? 1 : x.next.depth + 1), "a batch's depth is " + x.depth);
                batches++;
            }
            int pool;
            try {
                pool = freeCountField.getInt(c.table);
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
            int free = locals[0].count + pool + batches * PidTable.BATCH + locals[1].outCount[0];
            check(free == N - 1 - (bFresh ? 0 : 1), "free old indices: " + free + ", cache " + locals[0].count
                    + ", pool " + pool + ", inbox batches " + batches + ", outgoing " + locals[1].outCount[0]);
            // Carrier 0 popped one batch, and the caller on no carrier reclaimed one unless it took a fresh index.
            check(batches == 3 - 1 - (bFresh ? 0 : 1), "batches left in the inbox: " + batches);
        });
    }
}
