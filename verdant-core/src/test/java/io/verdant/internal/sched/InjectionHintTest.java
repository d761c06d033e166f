package io.verdant.internal.sched;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.Verdant;
import io.verdant.internal.GreenThread;
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
 * The injection queue's dispatch-path hint (InjectionQueue, "The dispatch path's
 * hint"): a push sets its level's bit; a clear keeps the bit of a level that
 * holds a task; consumers that look only when the hint says so, and clear it
 * after misses, still take every task (a hint lost for good would leave them
 * spinning: the timeout fails the test); and a carrier clears a stale bit after
 * HINT_MISSES dispatches. Counts only; bounded in count.
 */
@Timeout(60)
class InjectionHintTest {
    private static final int PRODUCERS = 3;
    private static final int CONSUMERS = 2;
    private static final int PER_PRODUCER = 50_000;

    @Test
    void pushSetsTheLevelBitAndAClearKeepsTheBitOfALevelThatHoldsATask() {
        InjectionQueue q = new InjectionQueue();
        assertThat(q.hintBits()).isZero();
        assertThat(q.maybeAnyBelow(Scheduler.LEVELS)).isFalse();
        q.push(new InjectionQueueStressTest.Item(0, 0, 1));
        assertThat(q.hintBits()).isEqualTo(1 << 1);
        assertThat(q.maybeAnyBelow(1)).as("levels below 1").isFalse();
        assertThat(q.maybeAnyBelow(2)).as("levels below 2").isTrue();
        q.clearHintsBelow(Scheduler.LEVELS);
        assertThat(q.hintBits()).as("cleared while the level holds a task").isEqualTo(1 << 1);
        assertThat(q.pollBatch(Scheduler.LEVELS, 1)).isNotNull();
        assertThat(q.hintBits()).as("stale until cleared").isEqualTo(1 << 1);
        q.clearHintsBelow(Scheduler.LEVELS);
        assertThat(q.hintBits()).isZero();
        q.push(new InjectionQueueStressTest.Item(0, 1, 3));
        q.push(new InjectionQueueStressTest.Item(0, 2, 0));
        q.clearHintsBelow(1);
        assertThat(q.hintBits()).as("a clear below 1 leaves level 3 alone").isEqualTo(1 | 1 << 3);
    }

    @Test
    void consumersThatLookOnlyByTheHintTakeEveryTask() throws Exception {
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
                    for (int seq = 0; seq < PER_PRODUCER; seq++) {
                        q.push(new InjectionQueueStressTest.Item(me, seq, (seq * 7 + me) % Scheduler.LEVELS));
                        if (seq % 64 == 0) {
                            Thread.yield(); // let consumers drain, so bits go stale and get cleared often
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
                try {
                    start.await();
                    int misses = 0;
                    for (int turn = 0; taken.get() < total; turn++) {
                        if (!q.maybeAnyBelow(Scheduler.LEVELS)) {
                            Thread.onSpinWait();
                            continue;
                        }
                        Task t = q.pollBatch(Scheduler.LEVELS, 1 + (turn + me) % 5);
                        if (t == null) {
                            if (++misses >= 2) {
                                misses = 0;
                                q.clearHintsBelow(Scheduler.LEVELS);
                            }
                            continue;
                        }
                        misses = 0;
                        while (t != null) {
                            InjectionQueueStressTest.Item it = (InjectionQueueStressTest.Item) t;
                            synchronized (seen) {
                                if (seen[it.producer][it.seq]) {
                                    throw new AssertionError("taken twice: " + it.producer + "/" + it.seq);
                                }
                                seen[it.producer][it.seq] = true;
                            }
                            taken.incrementAndGet();
                            t = InjectionQueue.unlinkNext(t);
                        }
                    }
                } catch (Throwable t) {
                    errors.add(t);
                }
            }, "consumer-" + c));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(50));
            assertThat(t.isAlive()).as("%s finished (a lost hint leaves consumers spinning)", t.getName()).isFalse();
        }
        assertThat(errors).isEmpty();
        assertThat(taken.get()).isEqualTo(total);
    }

    @Test
    void aCarrierClearsAStaleBitAfterHintMissesDispatches() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("hint").build())) {
            Scheduler s = rt.run(() -> GreenThread.current().lastWorker().scheduler);
            // Spawned from this platform thread: injected, which sets the bit of its level;
            // the carrier takes it, and the bit stays set (nothing clears it on a take).
            rt.run(() -> null);
            assertThat(s.injection.hintBits()).as("bit left set by the injection of the last run").isNotZero();
            rt.run(() -> {
                for (int i = 0; i < 4 * Scheduler.HINT_MISSES; i++) {
                    Green.yield();
                }
                return null;
            });
            // The run above was injected too (setting the bit again): its own yields
            // are dispatches that found the bit set and nothing to take.
            int bits = rt.run(() -> {
                for (int i = 0; i < 4 * Scheduler.HINT_MISSES; i++) {
                    Green.yield();
                }
                return s.injection.hintBits();
            });
            assertThat(bits).as("stale bits cleared by the carrier's dispatches").isZero();
        }
    }
}
