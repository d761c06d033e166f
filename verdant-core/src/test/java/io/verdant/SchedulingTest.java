package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Scheduling order on one worker: yield, FIFO within a level, priorities, anti-starvation. */
@Timeout(60)
class SchedulingTest {

    private static Verdant single(String name) {
        return Verdant.start(Config.builder().workers(1).name(name).build());
    }

    @Test
    void twoYieldingThreadsAlternateStrictlyOnOneWorker() {
        try (Verdant rt = single("yield-alternation")) {
            List<String> trace = Collections.synchronizedList(new ArrayList<>());
            rt.run(() -> {
                CountDownLatch bothReady = new CountDownLatch(2);
                GreenHandle<Void> a = Green.spawn(() -> {
                    bothReady.countDown();
                    for (int i = 0; i < 5; i++) {
                        trace.add("a" + i);
                        Green.yield();
                    }
                });
                GreenHandle<Void> b = Green.spawn(() -> {
                    bothReady.countDown();
                    for (int i = 0; i < 5; i++) {
                        trace.add("b" + i);
                        Green.yield();
                    }
                });
                a.join();
                b.join();
            });
            assertThat(trace).containsExactly("a0", "b0", "a1", "b1", "a2", "b2", "a3", "b3", "a4", "b4");
        }
    }

    @Test
    void threadsOfOneLevelRunInSpawnOrderOnOneWorker() {
        try (Verdant rt = single("fifo")) {
            List<Integer> order = Collections.synchronizedList(new ArrayList<>());
            rt.run(() -> {
                List<GreenHandle<Void>> hs = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    int n = i;
                    hs.add(Green.spawn(() -> {
                        order.add(n);
                    }));
                }
                hs.forEach(GreenHandle::join);
            });
            assertThat(order).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20).boxed().toList());
        }
    }

    @Test
    void higherPriorityRunsFirstOnOneWorker() {
        try (Verdant rt = single("priorities")) {
            List<Priority> order = Collections.synchronizedList(new ArrayList<>());
            rt.run(() -> {
                // The spawner does not park until all four are queued, so the
                // worker chooses among all of them at once.
                List<GreenHandle<Void>> hs = new ArrayList<>();
                for (Priority p : new Priority[] {Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.CRITICAL}) {
                    hs.add(Green.spawner().priority(p).spawn(() -> {
                        order.add(Green.priority());
                    }));
                }
                hs.forEach(GreenHandle::join);
            });
            assertThat(order).containsExactly(Priority.CRITICAL, Priority.HIGH, Priority.NORMAL, Priority.LOW);
        }
    }

    @Test
    void lowPriorityProgressesUnderSaturatingHighLoad() throws Exception {
        try (Verdant rt = single("anti-starvation")) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong highTurns = new AtomicLong();
            CountDownLatch lowDone = new CountDownLatch(1);
            List<GreenHandle<Void>> high = new ArrayList<>();
            // Two HIGH threads that never stop yielding keep the HIGH level non-empty forever.
            for (int i = 0; i < 2; i++) {
                high.add(rt.spawner().priority(Priority.HIGH).spawn(() -> {
                    while (!stop.get()) {
                        highTurns.incrementAndGet();
                        Green.yield();
                    }
                }));
            }
            AtomicInteger lowTurns = new AtomicInteger();
            GreenHandle<Void> low = rt.spawner().priority(Priority.LOW).spawn(() -> {
                for (int i = 0; i < 100; i++) {
                    lowTurns.incrementAndGet();
                    Green.yield();
                }
                lowDone.countDown();
            });
            boolean finished = lowDone.await(30, java.util.concurrent.TimeUnit.SECONDS);
            stop.set(true);
            high.forEach(GreenHandle::join);
            low.join();
            assertThat(finished).as("LOW finished 100 turns under saturating HIGH load").isTrue();
            // LOW got turns, but far fewer than HIGH: the priority still means something.
            assertThat(highTurns.get()).isGreaterThan(5L * lowTurns.get());
        }
    }

    @Test
    void injectedLowPriorityProgressesUnderHighLoadThatOverflowsTheRing() throws Exception {
        // More HIGH yielders than a carrier's ring holds: the ring overflows into the
        // injection queue, so injected HIGH work never runs out. A LOW thread spawned from
        // this platform thread waits in the injection queue, not in the carrier's ring.
        int highThreads = 600;
        try (Verdant rt = single("injected-anti-starvation")) {
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch allRunning = new CountDownLatch(highThreads);
            List<GreenHandle<Void>> high = new ArrayList<>();
            try {
                for (int i = 0; i < highThreads; i++) {
                    high.add(rt.spawner().priority(Priority.HIGH).spawn(() -> {
                        allRunning.countDown();
                        while (!stop.get()) {
                            Green.yield();
                        }
                    }));
                }
                assertThat(allRunning.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                CountDownLatch lowRan = new CountDownLatch(1);
                GreenHandle<Void> low = rt.spawner().priority(Priority.LOW).spawn(lowRan::countDown);
                boolean ran = lowRan.await(5, java.util.concurrent.TimeUnit.SECONDS);
                stop.set(true);
                high.forEach(GreenHandle::join);
                low.join();
                assertThat(ran).as("an injected LOW thread ran under saturating HIGH load").isTrue();
            } finally {
                stop.set(true);
            }
        }
    }

    @Test
    void aLowThreadWokenByAHighThreadProgressesUnderHighLoad() throws Exception {
        // A HIGH thread alone on the only carrier wakes a parked LOW thread (a hand-off:
        // nothing else is runnable there), then keeps HIGH work runnable for ever.
        try (Verdant rt = single("woken-low-anti-starvation")) {
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch lowWaiting = new CountDownLatch(1);
            CountDownLatch go = new CountDownLatch(1);
            CountDownLatch lowRan = new CountDownLatch(1);
            try {
                GreenHandle<Object> low = rt.spawner().priority(Priority.LOW).spawn(() -> {
                    lowWaiting.countDown();
                    go.await();
                    lowRan.countDown();
                    return null;
                });
                // One carrier: the HIGH thread runs only once the LOW one has parked in await.
                assertThat(lowWaiting.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                GreenHandle<Void> high = rt.spawner().priority(Priority.HIGH).spawn(() -> {
                    go.countDown();
                    GreenHandle<Void> other = Green.spawner().priority(Priority.HIGH).spawn(() -> {
                        while (!stop.get()) {
                            Green.yield();
                        }
                    });
                    while (!stop.get()) {
                        Green.yield();
                    }
                    other.join();
                });
                boolean ran = lowRan.await(5, java.util.concurrent.TimeUnit.SECONDS);
                stop.set(true);
                high.join();
                low.join();
                assertThat(ran).as("the woken LOW thread ran under saturating HIGH load").isTrue();
            } finally {
                stop.set(true);
            }
        }
    }

    @Test
    void workIsSpreadOverTwoWorkers() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("spread").build())) {
            // Two threads that each wait for the other to be running at the same
            // time: only possible if both carriers run green threads at once.
            CountDownLatch both = new CountDownLatch(2);
            List<GreenHandle<Boolean>> hs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                hs.add(rt.spawn(() -> {
                    both.countDown();
                    long deadline = System.nanoTime() + 20_000_000_000L;
                    while (both.getCount() > 0 && System.nanoTime() < deadline) {
                        Thread.onSpinWait(); // busy: never parks, never yields
                    }
                    return both.getCount() == 0;
                }));
            }
            for (GreenHandle<Boolean> h : hs) {
                assertThat(h.join()).isTrue();
            }
        }
    }
}
