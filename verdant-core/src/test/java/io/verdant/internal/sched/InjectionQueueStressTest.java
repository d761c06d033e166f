package io.verdant.internal.sched;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link InjectionQueue} under concurrent producers (single pushes and batches,
 * on every level) and consumers taking batches: every task comes out exactly
 * once, each producer's tasks of one level come out in push order, the counts
 * add up, and a taken chain ends in null with every link cleared by
 * unlinkNext. Exercises the stub's re-push (consumers often drain the queue)
 * and producers caught between their getAndSet and their link. The same
 * with overflow batches pushed as arrays (InjectionQueue, "Array batches"),
 * taken in part and whole, into the consumer's rings or as chains. Bounded
 * in count; a few seconds at most.
 */
@Timeout(60)
class InjectionQueueStressTest {
    private static final int PRODUCERS = 3;
    private static final int CONSUMERS = 2;
    private static final int PER_PRODUCER = 100_000;

    /** A task carrying its producer and sequence number. */
    static final class Item extends Task {
        final int producer;
        final int seq;

        Item(int producer, int seq, int level) {
            super(level);
            this.producer = producer;
            this.seq = seq;
        }

        @Override
        protected void dispatch(Worker worker) {
            throw new UnsupportedOperationException("test task");
        }
    }

    @Test
    void concurrentProducersAndBatchConsumersLoseAndDuplicateNothing() throws Exception {
        stress(false);
    }

    @Test
    void arrayBatchesTakenInPartsIntoRingsOrChainsLoseAndDuplicateNothing() throws Exception {
        stress(true);
    }

    /** Producers push single tasks and chains, or (arrays) single tasks and array batches. */
    private static void stress(boolean arrays) throws Exception {
        InjectionQueue q = new InjectionQueue();
        int total = PRODUCERS * PER_PRODUCER;
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        boolean[][] seen = new boolean[PRODUCERS][PER_PRODUCER];
        AtomicInteger taken = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            int me = p;
            threads.add(new Thread(() -> {
                try {
                    start.await();
                    int seq = 0;
                    while (seq < PER_PRODUCER) {
                        // Same level for a run of tasks, so a level's order is checkable.
                        int level = (seq / 1000) % Scheduler.LEVELS;
                        int n = Math.min(1 + (seq % 7 == 0 ? seq % 200 : 0), PER_PRODUCER - seq);
                        n = Math.min(n, 1000 - seq % 1000);
                        if (n == 1) {
                            q.push(new Item(me, seq++, level));
                        } else if (arrays) {
                            Task[] batch = new Task[n];
                            for (int i = 0; i < n; i++) {
                                batch[i] = new Item(me, seq++, level);
                            }
                            q.pushArray(batch, level);
                        } else {
                            Item first = new Item(me, seq++, level);
                            Item last = first;
                            for (int i = 1; i < n; i++) {
                                Item t = new Item(me, seq++, level);
                                last.next = t;
                                last = t;
                            }
                            q.pushBatch(first, last, n, level);
                        }
                    }
                } catch (Throwable t) {
                    errors.add(t);
                }
            }, "producer-" + p));
        }
        for (int c = 0; c < CONSUMERS; c++) {
            int me = c;
            threads.add(new Thread(() -> {
                int[][] lastSeq = new int[PRODUCERS][Scheduler.LEVELS];
                // With arrays, consumer 0 takes into its own rings (as a carrier does), the others as chains.
                LocalQueue[] rings = null;
                if (arrays && me == 0) {
                    rings = new LocalQueue[Scheduler.LEVELS];
                    for (int p = 0; p < rings.length; p++) {
                        rings[p] = new LocalQueue();
                    }
                }
                for (int[] a : lastSeq) {
                    java.util.Arrays.fill(a, -1);
                }
                try {
                    start.await();
                    for (int turn = 0; taken.get() < total; turn++) {
                        Task t = q.pollBatch(Scheduler.LEVELS, 1 + (turn + me) % 150, rings);
                        if (t == null) {
                            // A task lost would leave this loop spinning: the join below times out.
                            Thread.onSpinWait();
                            continue;
                        }
                        while (t != null) {
                            Item it = (Item) t;
                            synchronized (seen) {
                                if (seen[it.producer][it.seq]) {
                                    throw new AssertionError("taken twice: " + it.producer + "/" + it.seq);
                                }
                                seen[it.producer][it.seq] = true;
                            }
                            if (it.seq <= lastSeq[it.producer][it.priorityLevel()]) {
                                throw new AssertionError("out of order on level " + it.priorityLevel());
                            }
                            lastSeq[it.producer][it.priorityLevel()] = it.seq;
                            taken.incrementAndGet();
                            t = InjectionQueue.unlinkNext(t);
                            if (it.next != null) {
                                throw new AssertionError("link not cleared");
                            }
                            if (t == null && rings != null) {
                                // The rest of an array batch went to the ring of its level, oldest first.
                                t = rings[it.priorityLevel()].poll();
                                if (t != null && t.next != null) {
                                    throw new AssertionError("a task from a ring carries a link");
                                }
                            }
                        }
                    }
                } catch (Throwable t) {
                    errors.add(t);
                    taken.set(Integer.MAX_VALUE); // stop the other consumers
                }
            }, "consumer-" + c));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(40));
            assertThat(t.isAlive()).as(t.getName() + " ended").isFalse();
        }
        assertThat(errors).isEmpty();
        assertThat(taken.get()).isEqualTo(total);
        assertThat(q.size()).isZero();
        assertThat(q.bestLevel()).isEqualTo(-1);
        long[] c = q.counts();
        assertThat(c[2]).as("tasks pushed").isEqualTo(total);
        assertThat(c[4]).as("tasks taken").isEqualTo(total);
        assertThat(q.pollBatch(Scheduler.LEVELS, 10)).isNull();
        if (arrays) {
            assertThat(c[1]).as("batches pushed").isPositive();
        }
    }

    @Test
    void anArrayBatchIsTakenInPartsInOrderThenLeavesTheQueue() {
        InjectionQueue q = new InjectionQueue();
        Task[] batch = new Task[10];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = new Item(0, i, 2);
        }
        q.pushArray(batch, 2);
        q.push(new Item(0, 10, 2));
        assertThat(q.size()).isEqualTo(11);
        List<Integer> got = new ArrayList<>();
        Task t = q.pollBatch(Scheduler.LEVELS, 4);
        for (; t != null; t = InjectionQueue.unlinkNext(t)) {
            got.add(((Item) t).seq);
        }
        assertThat(got).as("a part, as a chain").containsExactly(0, 1, 2, 3);
        assertThat(batch[0]).as("a taken slot is cleared").isNull();
        assertThat(q.size()).isEqualTo(7);
        LocalQueue[] rings = new LocalQueue[Scheduler.LEVELS];
        for (int p = 0; p < rings.length; p++) {
            rings[p] = new LocalQueue();
        }
        Task first = q.pollBatch(Scheduler.LEVELS, 100, rings);
        assertThat(((Item) first).seq).isEqualTo(4);
        assertThat(first.next).as("the rest went to the ring").isNull();
        got.clear();
        for (Task r = rings[2].poll(); r != null; r = rings[2].poll()) {
            got.add(((Item) r).seq);
        }
        assertThat(got).as("the rest of the batch, not the task behind it").containsExactly(5, 6, 7, 8, 9);
        assertThat(q.size()).isEqualTo(1);
        Task single = q.pollBatch(Scheduler.LEVELS, 100, rings);
        assertThat(((Item) single).seq).isEqualTo(10);
        assertThat(InjectionQueue.unlinkNext(single)).isNull();
        assertThat(q.size()).isZero();
        assertThat(q.pollBatch(Scheduler.LEVELS, 10)).isNull();
        // A batch that is the tail when emptied: the stub goes behind it; the queue works as before.
        Task[] second = {new Item(1, 0, 2), new Item(1, 1, 2)};
        q.pushArray(second, 2);
        Task a = q.pollBatch(Scheduler.LEVELS, 2);
        assertThat(((Item) a).seq).isEqualTo(0);
        assertThat(((Item) InjectionQueue.unlinkNext(a)).seq).isEqualTo(1);
        assertThat(q.pollBatch(Scheduler.LEVELS, 10)).isNull();
        q.push(new Item(2, 0, 2));
        assertThat(((Item) q.pollBatch(Scheduler.LEVELS, 10)).producer).isEqualTo(2);
        assertThat(q.pollBatch(Scheduler.LEVELS, 10)).isNull();
        assertThat(q.counts()[1]).as("batches").isEqualTo(2);
    }

    @Test
    void aBatchTakesTheBestLevelOldestFirstAndLeavesTheRest() {
        InjectionQueue q = new InjectionQueue();
        for (int i = 0; i < 5; i++) {
            q.push(new Item(0, i, 2));
        }
        q.push(new Item(0, 100, 1));
        assertThat(q.bestLevel()).isEqualTo(1);
        assertThat(q.pollBatch(1, 10)).as("nothing better than level 1").isNull();
        Task t = q.pollBatch(Scheduler.LEVELS, 10);
        assertThat(((Item) t).seq).isEqualTo(100);
        assertThat(InjectionQueue.unlinkNext(t)).as("one level per batch").isNull();
        Task b = q.pollBatch(Scheduler.LEVELS, 3);
        List<Integer> got = new ArrayList<>();
        for (; b != null; b = InjectionQueue.unlinkNext(b)) {
            got.add(((Item) b).seq);
        }
        assertThat(got).containsExactly(0, 1, 2);
        assertThat(q.size()).isEqualTo(2);
        Task rest = q.pollBatch(Scheduler.LEVELS, 10);
        got.clear();
        for (; rest != null; rest = InjectionQueue.unlinkNext(rest)) {
            got.add(((Item) rest).seq);
        }
        assertThat(got).containsExactly(3, 4);
        assertThat(q.size()).isZero();
        // Drained (the stub re-pushed): it works as before.
        q.push(new Item(0, 7, 2));
        assertThat(((Item) q.pollBatch(Scheduler.LEVELS, 10)).seq).isEqualTo(7);
        assertThat(q.pollBatch(Scheduler.LEVELS, 10)).isNull();
    }
}
