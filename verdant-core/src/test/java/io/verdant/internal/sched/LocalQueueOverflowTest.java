package io.verdant.internal.sched;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A full {@link LocalQueue} overflows its older half into the
 * {@link InjectionQueue} as one batch (LocalQueue, "Overflow"), in FIFO order,
 * and keeps the pushed task; a batch taken from the injection queue into a ring comes out in the
 * same order; and overflow racing stealers and an injection consumer loses and
 * duplicates nothing. Bounded in count; a few seconds at most.
 */
@Timeout(60)
class LocalQueueOverflowTest {
    private static final int CAP = LocalQueueHarness.capacity();

    @AfterEach
    void removeHook() {
        Faults.install(null);
    }

    @Test
    void anOverflowWhoseAllocationFailsLeavesTheRingAsItWas() {
        LocalQueueHarness q = new LocalQueueHarness();
        for (int i = 0; i < CAP; i++) {
            q.push(i);
        }
        AtomicBoolean armed = new AtomicBoolean(true);
        Thread owner = Thread.currentThread();
        Faults.install((w, site) -> {
            // The hook is JVM-wide: only this test thread's push (a carrier of a runtime another
            // test left behind that overflows its ring would take the one failure).
            if (site == Faults.Site.OVERFLOW_ALLOCATING && Thread.currentThread() == owner
                    && armed.compareAndSet(true, false)) {
                throw new OutOfMemoryError("injected: the overflow batch's allocation failed");
            }
        });
        assertThatThrownBy(() -> q.push(CAP)).isInstanceOf(OutOfMemoryError.class);
        assertThat(q.size()).as("no task claimed, the new one not queued").isEqualTo(CAP);
        assertThat(q.injectedSize()).isZero();
        assertThat(q.injectionCounts()[1]).as("no batch pushed").isZero();

        assertThat(q.push(CAP)).as("the retried push overflows").isTrue();
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < CAP / 2; i++) {
            expected.add(i);
        }
        assertThat(q.takeInjected(Integer.MAX_VALUE)).as("the oldest half, each once, in order").isEqualTo(expected);
        for (int i = CAP / 2; i <= CAP; i++) {
            assertThat(q.poll()).isEqualTo(i);
        }
        assertThat(q.poll()).isEqualTo(-1);
    }

    @Test
    void aFullRingMovesItsOlderHalfInOneBatchAndKeepsTheNewTask() {
        LocalQueueHarness q = new LocalQueueHarness();
        for (int i = 0; i < CAP; i++) {
            assertThat(q.push(i)).as("room for %d", i).isFalse();
        }
        assertThat(q.injectedSize()).isZero();
        assertThat(q.push(CAP)).as("the push into a full ring overflows").isTrue();

        long[] c = q.injectionCounts();
        assertThat(c[0]).as("single pushes").isZero();
        assertThat(c[1]).as("batch pushes: one for the whole overflow").isEqualTo(1);
        assertThat(c[2]).as("tasks moved: half the ring").isEqualTo(CAP / 2);
        assertThat(q.size()).as("half stays in the ring, and the new task").isEqualTo(CAP / 2 + 1);

        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < CAP / 2; i++) {
            expected.add(i);
        }
        assertThat(q.takeInjected(Integer.MAX_VALUE)).as("the oldest half, in order").isEqualTo(expected);
        for (int i = CAP / 2; i <= CAP; i++) {
            assertThat(q.poll()).as("the newer half stays, FIFO").isEqualTo(i);
        }
        assertThat(q.poll()).isEqualTo(-1);
    }

    @Test
    void batchesKeepFifoOrderThroughTheInjectionQueueAndIntoAnotherRing() {
        LocalQueueHarness q = new LocalQueueHarness();
        int overflows = 0;
        int total = 5 * CAP;
        for (int i = 0; i < total; i++) {
            if (q.push(i)) {
                overflows++;
            }
        }
        assertThat(q.injectionCounts()[1]).isEqualTo(overflows);
        assertThat(overflows).isGreaterThan(1);
        // Batches of 7 taken into a stealer's ring come out in push order,
        // continuing across batch boundaries (both of the injection queue and of the take).
        LocalQueueHarness.Stealer s = q.new Stealer();
        List<Integer> out = new ArrayList<>();
        for (List<Integer> b = s.refillFromInjection(7); !b.isEmpty(); b = s.refillFromInjection(7)) {
            assertThat(b.size()).isLessThanOrEqualTo(7);
            out.addAll(b);
        }
        for (int k = 1; k < out.size(); k++) {
            assertThat(out.get(k)).as("injected order").isGreaterThan(out.get(k - 1));
        }
        // Every task moved is older than every task left in the ring: push order overall.
        assertThat(out.size()).isEqualTo(overflows * (CAP / 2));
        for (int k = 0; k < out.size(); k++) {
            assertThat(out.get(k)).isEqualTo(k);
        }
        assertThat(q.injectionCounts()[4]).isEqualTo(out.size());
        for (int i = out.size(); i < total; i++) {
            assertThat(q.poll()).isEqualTo(i);
        }
        assertThat(q.poll()).isEqualTo(-1);
    }

    @Test
    void overflowRacingStealersAndAnInjectionConsumerTakesEveryTaskOnce() throws Exception {
        final int tasks = 300_000;
        final int stealers = 2;
        LocalQueueHarness q = new LocalQueueHarness();
        AtomicBoolean done = new AtomicBoolean();
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        List<List<Integer>> taken = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        CountDownLatch ready = new CountDownLatch(stealers + 1);
        for (int s = 0; s <= stealers; s++) {
            boolean consumer = s == stealers;
            List<Integer> mine = new ArrayList<>();
            taken.add(mine);
            LocalQueueHarness.Stealer st = q.new Stealer();
            Thread t = new Thread(() -> {
                ready.countDown();
                try {
                    for (int turn = 0; !done.get() || q.size() > 0 || q.injectedSize() > 0; turn++) {
                        // The consumer takes injected batches as a worker does; the
                        // stealers steal, and take an injected batch every fourth turn.
                        List<Integer> batch = consumer || (turn & 3) == 3
                                ? st.refillFromInjection(1 + (turn % 64)) : st.steal();
                        for (int k = 1; k < batch.size(); k++) {
                            if (batch.get(k) <= batch.get(k - 1)) {
                                throw new AssertionError("batch out of order: " + batch);
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
            }, consumer ? "injection-consumer" : "stealer-" + s);
            threads.add(t);
            t.start();
        }
        assertThat(ready.await(30, TimeUnit.SECONDS)).isTrue();
        List<Integer> popped = new ArrayList<>();
        int overflows = 0;
        for (int id = 0; id < tasks; id++) {
            if (q.push(id)) {
                overflows++;
            }
            if ((id & 15) == 0) {
                int v = q.poll();
                if (v >= 0) {
                    popped.add(v);
                }
            }
        }
        done.set(true);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(t.isAlive()).as("thread ended").isFalse();
        }
        for (int id = q.poll(); id >= 0; id = q.poll()) {
            popped.add(id);
        }
        assertThat(errors).isEmpty();
        for (int k = 1; k < popped.size(); k++) {
            assertThat(popped.get(k)).as("owner pops in FIFO order").isGreaterThan(popped.get(k - 1));
        }
        taken.add(popped);
        BitSet seen = new BitSet(tasks);
        int total = 0;
        for (List<Integer> l : taken) {
            for (int id : l) {
                assertThat(seen.get(id)).as("task %d taken twice", id).isFalse();
                seen.set(id);
                total++;
            }
        }
        assertThat(total).as("every task taken once").isEqualTo(tasks);
        long[] c = q.injectionCounts();
        assertThat(c[1]).as("one batch push per overflow").isEqualTo(overflows);
        assertThat(overflows).as("the owner outran the stealers at least once").isPositive();
        assertThat(c[2]).as("tasks moved by overflows").isEqualTo((long) overflows * (CAP / 2));
        assertThat(c[4]).as("every injected task taken").isEqualTo(c[2]);
    }
}
