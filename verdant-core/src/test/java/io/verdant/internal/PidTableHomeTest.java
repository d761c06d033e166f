package io.verdant.internal;

import io.verdant.Priority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pid table's home carriers (PidTable, "Home carriers" and "Bounded"): an
 * index freed on another carrier goes back, in batches, to the carrier that
 * handed it out, and is reused there only; a pid stays exact across such a
 * return; a carrier that spawns while the other ends every thread keeps the
 * table bounded; and what was sent home to a carrier that spawns no more is
 * used again by the others. Carriers are stood for by a thread-local index
 * (as in PidTableCarrierStressTest).
 */
@Timeout(60)
class PidTableHomeTest {

    private static GreenThread<Void> thread() {
        return new GreenThread<>(null, () -> null, Priority.NORMAL);
    }

    private static GreenThread<Void> allocated(PidTable table, int carrier) {
        GreenThread<Void> t = thread();
        assertThat(table.allocate(t, carrier)).isEqualTo(PidTable.PUBLISHED);
        return t;
    }

    /**
     * Carrier 0 hands out indices, carrier 1 ends their threads: carrier 1's own
     * spawns take none of them, and once a batch has come back, carrier 0's spawns
     * take exactly those.
     */
    @Test
    void indicesFreedOnAnotherCarrierGoBackToTheCarrierThatHandedThemOut() {
        int[] carrier = {0};
        PidTable table = new PidTable(2, () -> carrier[0]);
        // BATCH + 1: carrier 0's cache is refilled BATCH at a time, so it holds BATCH - 1 after these.
        List<GreenThread<Void>> first = new ArrayList<>();
        for (int i = 0; i < PidTable.BATCH + 1; i++) {
            first.add(allocated(table, 0));
        }
        Set<Integer> sentHome = new HashSet<>();
        carrier[0] = 1;
        for (GreenThread<Void> t : first.subList(0, PidTable.BATCH)) {
            assertThat(table.free(t, 1)).isTrue();
            sentHome.add(t.index);
        }
        Set<Integer> carrier0Indices = new HashSet<>();
        first.forEach(t -> carrier0Indices.add(t.index));
        for (int i = 0; i < PidTable.BATCH; i++) {
            GreenThread<Void> t = allocated(table, 1);
            assertThat(carrier0Indices).as("carrier 1 took index %d that carrier 0 handed out", t.index)
                    .doesNotContain(t.index);
        }
        carrier[0] = 0;
        // Carrier 0 first uses up what its cache still holds, then the batch that came home.
        for (int i = 0; i < PidTable.BATCH - 1; i++) {
            allocated(table, 0);
        }
        Set<Integer> reused = new HashSet<>();
        for (int i = 0; i < PidTable.BATCH; i++) {
            reused.add(allocated(table, 0).index);
        }
        assertThat(reused).isEqualTo(sentHome);
    }

    /** A pid whose index went home from another carrier and was handed out again is stale, exactly. */
    @Test
    void aStalePidIsDetectedAfterACrossCarrierReleaseAndReuse() {
        int[] carrier = {0};
        PidTable table = new PidTable(2, () -> carrier[0]);
        java.util.Map<Integer, Integer> lastGeneration = new java.util.HashMap<>();
        List<GreenThread<Void>> old = new ArrayList<>();
        for (int round = 0; round < 8; round++) {
            carrier[0] = 0;
            List<GreenThread<Void>> now = new ArrayList<>();
            for (int i = 0; i < 2 * PidTable.BATCH; i++) {
                GreenThread<Void> t = allocated(table, 0);
                Integer before = lastGeneration.put(t.index, t.generation);
                assertThat(t.generation).as("slot %d reused", t.index).isEqualTo(before == null ? 0 : before + 1);
                now.add(t);
            }
            for (GreenThread<Void> t : old) {
                assertThat(table.lookup(t.index, t.generation)).as("an ended thread's pid").isNull();
            }
            carrier[0] = 1;
            for (GreenThread<Void> t : now) {
                assertThat(table.lookup(t.index, t.generation)).isSameAs(t);
                assertThat(table.free(t, 1)).isTrue();
            }
            old.addAll(now);
        }
        assertThat(table.live()).isZero();
        // Carrier 0 reused what carrier 1 sent home: few indices, each through several generations.
        assertThat(table.indicesEverUsed()).isLessThanOrEqualTo(4 * PidTable.BATCH);
        assertThat(lastGeneration.values().stream().mapToInt(Integer::intValue).max().orElse(0)).isGreaterThan(3);
    }

    /**
     * One carrier spawns 200,000 threads and the other ends every one of them: the
     * batches sent home come back, so the table holds the peak of live threads plus
     * the caches and batches, never a share of the threads spawned.
     */
    @Test
    void oneCarrierSpawningWhileTheOtherEndsEveryThreadKeepsTheTableBounded() throws Exception {
        ThreadLocal<Integer> carrier = ThreadLocal.withInitial(() -> -1);
        PidTable table = new PidTable(2, carrier::get);
        int inFlight = 1024;
        ArrayBlockingQueue<GreenThread<Void>> toEnd = new ArrayBlockingQueue<>(inFlight);
        GreenThread<Void> last = thread();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        int total = 200_000;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Thread spawner = Thread.ofPlatform().name("carrier-0").start(() -> {
            carrier.set(0);
            try {
                for (int i = 0; i < total && System.nanoTime() < deadline; i++) {
                    GreenThread<Void> t = thread();
                    if (table.allocate(t, 0) != PidTable.PUBLISHED) {
                        errors.add("refused");
                        return;
                    }
                    while (!toEnd.offer(t, 10, TimeUnit.MILLISECONDS)) {
                        if (System.nanoTime() > deadline) {
                            errors.add("the ender stopped");
                            return;
                        }
                    }
                }
            } catch (InterruptedException e) {
                errors.add("interrupted");
            } finally {
                // Waits for room: on a full queue (1,023 of 1,024 seen) an offer that failed left
                // the ender waiting out its 10 s poll for the end.
                try {
                    if (!toEnd.offer(last, 10, TimeUnit.SECONDS)) {
                        errors.add("the ender stopped");
                    }
                } catch (InterruptedException e) {
                    errors.add("interrupted");
                }
            }
        });
        Thread ender = Thread.ofPlatform().name("carrier-1").start(() -> {
            carrier.set(1);
            try {
                for (int n = 0; ; n++) {
                    GreenThread<Void> t = toEnd.poll(10, TimeUnit.SECONDS);
                    if (t == null || t == last) {
                        if (n < total) {
                            errors.add("ended " + n + " of " + total);
                        }
                        return;
                    }
                    if (!table.free(t, 1)) {
                        errors.add("a live thread's free failed: " + t.index);
                    }
                }
            } catch (InterruptedException e) {
                errors.add("interrupted");
            }
        });
        spawner.join();
        ender.join();
        assertThat(errors).isEmpty();
        assertThat(table.live()).isZero();
        int carriers = 2;
        int bound = inFlight + 2 + carriers * (PidTable.LOCAL_MAX + PidTable.BATCH * (carriers + 1));
        assertThat(table.indicesEverUsed()).as("indices ever handed out for %d threads", total)
                .isLessThanOrEqualTo(bound);
    }

    /**
     * Carrier 0 spawns and stops; carrier 1 ends its threads, so their indices wait in
     * carrier 0's inbox. Carrier 1, and a caller on no carrier, then spawn: they take
     * those indices (all but carrier 0's next refill) before any fresh one.
     */
    @Test
    void indicesSentHomeToACarrierThatSpawnsNoMoreAreUsedAgainByOthers() {
        int[] carrier = {0};
        PidTable table = new PidTable(2, () -> carrier[0]);
        List<GreenThread<Void>> first = new ArrayList<>();
        for (int i = 0; i < 4 * PidTable.BATCH; i++) {
            first.add(allocated(table, 0));
        }
        carrier[0] = 1;
        first.forEach(t -> assertThat(table.free(t, 1)).isTrue());
        int used = table.indicesEverUsed();
        assertThat(used).isEqualTo(4 * PidTable.BATCH);
        for (int i = 0; i < 2 * PidTable.BATCH; i++) {
            allocated(table, 1);
        }
        carrier[0] = -1;
        for (int i = 0; i < PidTable.BATCH; i++) {
            allocated(table, -1);
        }
        assertThat(table.indicesEverUsed()).as("fresh indices taken").isEqualTo(used);
        assertThat(table.live()).isEqualTo(3 * PidTable.BATCH);
    }
}
