package io.verdant.internal.sched;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The owner pushes and pops while stealers take halves concurrently: every
 * task comes out exactly once (nothing lost, nothing duplicated), the owner's
 * own pops come out in FIFO order, and a stolen batch is a contiguous run of
 * the owner's order. Bounded in count; a few seconds at most.
 */
@Timeout(60)
class LocalQueueStressTest {
    private static final int TASKS = 300_000;
    private static final int STEALERS = 2;

    @Test
    void ownerAndStealersTakeEveryTaskExactlyOnce() throws Exception {
        LocalQueueHarness q = new LocalQueueHarness();
        AtomicBoolean done = new AtomicBoolean();
        List<List<Integer>> stolen = new ArrayList<>();
        List<Thread> stealers = new ArrayList<>();
        CountDownLatch ready = new CountDownLatch(STEALERS);
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int s = 0; s < STEALERS; s++) {
            List<Integer> mine = new ArrayList<>();
            stolen.add(mine);
            LocalQueueHarness.Stealer st = q.new Stealer();
            Thread t = new Thread(() -> {
                ready.countDown();
                try {
                    while (!done.get() || q.size() > 0) {
                        List<Integer> batch = st.steal();
                        for (int k = 1; k < batch.size(); k++) {
                            if (batch.get(k) != batch.get(k - 1) + 1) {
                                throw new AssertionError("stolen batch not contiguous: " + batch);
                            }
                        }
                        mine.addAll(batch);
                        if (batch.isEmpty()) {
                            Thread.onSpinWait();
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }, "stealer-" + s);
            stealers.add(t);
            t.start();
        }
        assertThat(ready.await(30, TimeUnit.SECONDS)).isTrue();
        List<Integer> popped = new ArrayList<>();
        for (int id = 0; id < TASKS; ) {
            if (q.offer(id)) {
                id++;
            } else {
                popOne(q, popped);
            }
            if ((id & 7) == 0) {
                popOne(q, popped);
            }
        }
        done.set(true);
        for (Thread t : stealers) {
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(t.isAlive()).as("stealer ended").isFalse();
        }
        for (int id = q.poll(); id >= 0; id = q.poll()) {
            popped.add(id);
        }
        assertThat(errors).isEmpty();
        for (int k = 1; k < popped.size(); k++) {
            assertThat(popped.get(k)).as("owner pops in FIFO order").isGreaterThan(popped.get(k - 1));
        }
        BitSet seen = new BitSet(TASKS);
        int total = 0;
        List<List<Integer>> all = new ArrayList<>(stolen);
        all.add(popped);
        for (List<Integer> l : all) {
            for (int id : l) {
                assertThat(seen.get(id)).as("task %d taken twice", id).isFalse();
                seen.set(id);
                total++;
            }
        }
        assertThat(total).as("every task taken once").isEqualTo(TASKS);
        assertThat(seen.cardinality()).isEqualTo(TASKS);
    }

    /** An owner pop; an "emptied" pop must leave the ring empty (only the owner adds, thieves only take). */
    private static void popOne(LocalQueueHarness q, List<Integer> popped) {
        int id = q.poll();
        if (id >= 0) {
            popped.add(id);
        }
        if (q.emptied() && q.size() != 0) {
            throw new AssertionError("a pop reported the ring emptied, size " + q.size());
        }
    }

    /**
     * The ticker's one-task take (Sysmon rule c) racing the owner's pops and a
     * stealer's halves: every task comes out exactly once.
     */
    @Test
    void aTickerTakingOneAtATimeRacesOwnerAndStealerWithoutLossOrDuplicate() throws Exception {
        int tasks = 100_000;
        LocalQueueHarness q = new LocalQueueHarness();
        AtomicBoolean done = new AtomicBoolean();
        List<Integer> taken = new ArrayList<>();
        List<Integer> stolen = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger tickerTook = new java.util.concurrent.atomic.AtomicInteger();
        LocalQueueHarness.Stealer st = q.new Stealer();
        Thread ticker = new Thread(() -> {
            try {
                while (!done.get() || q.size() > 0) {
                    int id = q.takeOne();
                    if (id >= 0) {
                        taken.add(id);
                        tickerTook.incrementAndGet();
                    } else {
                        Thread.onSpinWait();
                    }
                }
            } catch (Throwable e) {
                errors.add(e);
            }
        }, "ticker");
        Thread stealer = new Thread(() -> {
            try {
                while (!done.get() || q.size() > 0) {
                    List<Integer> batch = st.steal();
                    stolen.addAll(batch);
                    if (batch.isEmpty()) {
                        Thread.onSpinWait();
                    }
                }
            } catch (Throwable e) {
                errors.add(e);
            }
        }, "stealer");
        ticker.start();
        stealer.start();
        List<Integer> popped = new ArrayList<>();
        int produced = 0;
        // At least `tasks`, and on until the ticker has taken one (a loaded machine may not
        // run it before the owner is through), for at most 30 s.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try {
            for (int id = 0; id < tasks || (tickerTook.get() == 0 && System.nanoTime() < deadline); ) {
                if (q.offer(id)) {
                    id++;
                    produced = id;
                } else {
                    popOne(q, popped);
                }
                if ((id & 7) == 0) {
                    popOne(q, popped);
                }
            }
        } finally {
            done.set(true);
            ticker.join(TimeUnit.SECONDS.toMillis(30));
            stealer.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(ticker.isAlive() || stealer.isAlive()).as("a taker still running").isFalse();
        for (int id = q.poll(); id >= 0; id = q.poll()) {
            popped.add(id);
        }
        assertThat(errors).isEmpty();
        BitSet seen = new BitSet(produced);
        int total = 0;
        for (List<Integer> l : List.of(taken, stolen, popped)) {
            for (int id : l) {
                assertThat(seen.get(id)).as("task %d taken twice", id).isFalse();
                seen.set(id);
                total++;
            }
        }
        assertThat(total).as("every task taken once").isEqualTo(produced);
        assertThat(taken).as("the ticker took some").isNotEmpty();
    }

    @Test
    void offerFailsWhenFullAndStealTakesHalf() {
        LocalQueueHarness q = new LocalQueueHarness();
        for (int i = 0; i < LocalQueueHarness.capacity(); i++) {
            assertThat(q.offer(i)).isTrue();
        }
        assertThat(q.offer(-5)).as("full").isFalse();
        List<Integer> batch = q.new Stealer().steal();
        assertThat(batch).hasSize(LocalQueueHarness.capacity() / 2);
        assertThat(batch.getFirst()).isZero();
        assertThat(q.poll()).isEqualTo(LocalQueueHarness.capacity() / 2);
        assertThat(q.new Stealer().steal()).hasSize((LocalQueueHarness.capacity() / 2 - 1 + 1) / 2);
    }
}
