package io.verdant.internal;

import io.verdant.Priority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pid table's carrier caches on real threads (jcstress style; Lincheck's
 * model checker takes a cache refill's loop for a livelock): two threads
 * standing for carriers 0 and 1 allocate, one platform thread (no carrier)
 * too, and the threads are freed on the other carrier or on the platform
 * thread, so indices travel between the caches and the pool, while a reader
 * looks up every pid ever handed out. No index is ever held by two live
 * threads, a pid never resolves to any thread but its own, and at the end
 * nothing is left in the table.
 */
@Timeout(60)
class PidTableCarrierStressTest {
    private static final int ROUNDS = 200_000;
    private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(3);
    /** Most indices the table can hand out here: a bound for the ownership marks. */
    private static final int MAX_INDEX = 1 << 16;

    private static GreenThread<Void> thread() {
        return new GreenThread<>(null, () -> null, Priority.NORMAL);
    }

    @Test
    void indicesTravellingBetweenCarrierCachesAndThePoolAreNeverHeldTwice() throws Exception {
        ThreadLocal<Integer> carrier = ThreadLocal.withInitial(() -> -1);
        PidTable table = new PidTable(2, carrier::get);
        AtomicIntegerArray held = new AtomicIntegerArray(MAX_INDEX);
        /** The last thread handed each index: its pid must resolve to it or to nothing, never to a later occupant. */
        AtomicReferenceArray<GreenThread<?>> issued = new AtomicReferenceArray<>(MAX_INDEX);
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        long deadline = System.nanoTime() + BUDGET_NANOS;
        // Threads allocated on one side are freed on the next: 0 -> 1 -> platform -> 0.
        List<ArrayBlockingQueue<GreenThread<Void>>> toFree = List.of(
                new ArrayBlockingQueue<>(4096), new ArrayBlockingQueue<>(4096), new ArrayBlockingQueue<>(4096));

        class Side implements Runnable {
            final int me;

            Side(int me) {
                this.me = me;
            }

            private void free(GreenThread<Void> t) {
                held.set(t.index, 0); // before the free: the index may be handed out again at once
                if (!table.free(t, carrier.get())) {
                    errors.add("a live thread's free failed: " + t.index);
                }
            }

            @Override
            public void run() {
                carrier.set(me < 2 ? me : -1);
                ArrayBlockingQueue<GreenThread<Void>> mine = toFree.get(me);
                ArrayBlockingQueue<GreenThread<Void>> next = toFree.get((me + 1) % 3);
                for (int i = 0; i < ROUNDS && !stop.get() && System.nanoTime() < deadline; i++) {
                    GreenThread<Void> t = thread();
                    if (table.allocate(t, carrier.get()) != PidTable.PUBLISHED) {
                        errors.add("allocation refused");
                        break;
                    }
                    if (t.index >= MAX_INDEX || !held.compareAndSet(t.index, 0, 1)) {
                        errors.add("index " + t.index + " handed to two live threads");
                        break;
                    }
                    issued.set(t.index, t);
                    if (!next.offer(t)) {
                        free(t);
                    }
                    for (int k = 0; k < 2; k++) {
                        GreenThread<Void> f = mine.poll();
                        if (f != null) {
                            free(f);
                        }
                    }
                }
            }
        }

        Runnable reader = () -> {
            while (!stop.get()) {
                for (int i = 0; i < 4096; i++) {
                    GreenThread<?> t = issued.get(i);
                    if (t == null) {
                        continue;
                    }
                    GreenThread<?> seen = table.lookup(t.index, t.generation);
                    if (seen != null && seen != t) {
                        errors.add("pid " + t.index + "/" + t.generation + " resolved to another thread");
                    }
                }
            }
        };

        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            threads.add(Thread.ofPlatform().name("side-" + s).start(new Side(s)));
        }
        Thread r = Thread.ofPlatform().name("reader").start(reader);
        try {
            for (Thread t : threads) {
                t.join();
            }
        } finally {
            stop.set(true);
            r.join();
        }
        assertThat(errors).isEmpty();
        // What is still queued for a free is freed on the platform thread's side (the pool).
        for (ArrayBlockingQueue<GreenThread<Void>> q : toFree) {
            for (GreenThread<Void> t = q.poll(); t != null; t = q.poll()) {
                held.set(t.index, 0);
                assertThat(table.free(t, -1)).isTrue();
            }
        }
        assertThat(table.live()).isZero();
    }
}
