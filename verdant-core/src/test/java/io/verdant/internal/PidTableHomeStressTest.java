package io.verdant.internal;

import io.verdant.Priority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pid table's home carriers under a race of real threads (PidTable, "Home
 * carriers", "Bounded"): three threads stand for carriers (a thread-local index,
 * as in PidTableHomeTest) and a fourth for a caller on no carrier; each spawns,
 * hands its threads to a random one of the four to end, and ends what it was
 * handed, while the phases change which carrier spawns no more (its inbox then
 * fills and is reclaimed by the others). Checked throughout: no index is held by
 * two live threads; each allocation of an index takes the generation after the
 * last one (so no stale pid can name a later occupant), and ended pids no longer
 * resolve; and at the end, the table holds at most the peak of live threads plus
 * the caches, inboxes and outgoing batches of "Bounded". (Checked against two
 * broken tables: a reclaim that left its batch in the inbox handed an index to
 * two threads, and batches pushed with depth 1, never reclaimed, passed the bound.)
 */
@Timeout(60)
class PidTableHomeStressTest {
    private static final int CARRIERS = 3;
    private static final int PARTIES = CARRIERS + 1; // the last stands for no carrier
    private static final int MAX_LIVE = 3000;
    private static final long RUN_NANOS = TimeUnit.SECONDS.toNanos(5); // a bound for a slow machine
    private static final int MAX_OPS = 6_000_000;

    private static GreenThread<Void> thread() {
        return new GreenThread<>(null, () -> null, Priority.NORMAL);
    }

    @Test
    void noIndexIsHeldTwiceNoStalePidResolvesAndTheTableStaysBounded() throws Exception {
        ThreadLocal<Integer> carrier = ThreadLocal.withInitial(() -> -1);
        PidTable table = new PidTable(CARRIERS, carrier::get);
        int capacity = 1 << 16;
        AtomicReferenceArray<GreenThread<?>> holder = new AtomicReferenceArray<>(capacity);
        AtomicIntegerArray lastGeneration = new AtomicIntegerArray(capacity);
        for (int i = 0; i < capacity; i++) {
            lastGeneration.set(i, -1);
        }
        List<ConcurrentLinkedQueue<GreenThread<?>>> toEnd = new ArrayList<>();
        for (int p = 0; p < PARTIES; p++) {
            toEnd.add(new ConcurrentLinkedQueue<>());
        }
        AtomicInteger live = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger ops = new AtomicInteger();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        long deadline = System.nanoTime() + RUN_NANOS;
        Thread[] parties = new Thread[PARTIES];
        for (int p = 0; p < PARTIES; p++) {
            int me = p;
            parties[p] = Thread.ofPlatform().name("party-" + p).start(() -> {
                carrier.set(me < CARRIERS ? me : -1);
                ThreadLocalRandom random = ThreadLocalRandom.current();
                List<long[]> ended = new ArrayList<>(); // a sample of ended pids: {index, generation}
                try {
                    int op;
                    while ((op = ops.incrementAndGet()) < MAX_OPS && System.nanoTime() < deadline && errors.isEmpty()) {
                        // Six phases: in each, one carrier spawns no more (phases 3-5 also stop the caller on no carrier).
                        int phase = (int) ((long) op * 6 / MAX_OPS);
                        boolean spawns = phase % CARRIERS != me && !(me == CARRIERS && phase >= 3);
                        if (spawns && live.get() < MAX_LIVE && random.nextInt(3) != 0) {
                            GreenThread<Void> t = thread();
                            if (table.allocate(t, carrier.get()) != PidTable.PUBLISHED) {
                                errors.add("refused");
                                return;
                            }
                            peak.accumulateAndGet(live.incrementAndGet(), Math::max);
                            if (t.index >= capacity) {
                                errors.add("index " + t.index + " beyond the test's capacity");
                                return;
                            }
                            if (!holder.compareAndSet(t.index, null, t)) {
                                errors.add("index " + t.index + " handed to two live threads");
                                return;
                            }
                            int last = lastGeneration.getAndSet(t.index, t.generation);
                            if (t.generation != last + 1) {
                                errors.add("index " + t.index + " reused with generation " + t.generation
                                        + " after " + last);
                                return;
                            }
                            // Mostly to a carrier that did not spawn it, as a spawner's children end elsewhere.
                            toEnd.get(random.nextInt(PARTIES)).add(t);
                        }
                        GreenThread<?> t = toEnd.get(me).poll();
                        if (t != null) {
                            if (table.lookup(t.index, t.generation) != t) {
                                errors.add("a live thread's pid does not resolve to it: " + t.index);
                                return;
                            }
                            holder.set(t.index, null); // before free: the index may be reused at once
                            live.decrementAndGet();
                            if (!table.free(t)) {
                                errors.add("a live thread's free failed: " + t.index);
                                return;
                            }
                            if (ended.size() < 4096) {
                                ended.add(new long[] {t.index, t.generation});
                            } else {
                                ended.set(random.nextInt(ended.size()), new long[] {t.index, t.generation});
                            }
                        }
                        if (!ended.isEmpty() && random.nextInt(8) == 0) {
                            long[] pid = ended.get(random.nextInt(ended.size()));
                            if (table.lookup((int) pid[0], (int) pid[1]) != null) {
                                errors.add("the ended pid " + pid[0] + "." + pid[1] + " resolves");
                                return;
                            }
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e.toString());
                }
            });
        }
        for (Thread t : parties) {
            t.join();
        }
        assertThat(errors).isEmpty();
        // Each party ends what it was still handed, on its own carrier.
        for (int p = 0; p < PARTIES; p++) {
            int me = p;
            Thread t = Thread.ofPlatform().start(() -> {
                carrier.set(me < CARRIERS ? me : -1);
                for (GreenThread<?> g; (g = toEnd.get(me).poll()) != null; ) {
                    if (!table.free(g)) {
                        errors.add("a live thread's free failed: " + g.index);
                    }
                }
            });
            t.join();
        }
        assertThat(errors).isEmpty();
        assertThat(table.live()).isZero();
        // "Bounded": the peak of live threads plus, per carrier, a cache, an inbox batch and
        // an outgoing batch per home; a cache may pass LOCAL_MAX while the lock is busy, by BATCH allowed here.
        int bound = peak.get() + CARRIERS * (PidTable.LOCAL_MAX + PidTable.BATCH * (CARRIERS + 2));
        assertThat(table.indicesEverUsed()).as("indices ever handed out, %d operations, peak %d live", ops.get(), peak.get())
                .isLessThanOrEqualTo(bound);
    }
}
