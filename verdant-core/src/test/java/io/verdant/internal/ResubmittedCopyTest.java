package io.verdant.internal;

import io.verdant.Actors;
import io.verdant.Config;
import io.verdant.DumpOptions;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Pid;
import io.verdant.Verdant;
import io.verdant.internal.sched.Worker;
import io.verdant.internal.vthread.VirtualThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Thread.getStackTrace() of a runnable, unmounted virtual thread makes the JDK submit
 * it once more (VirtualThread.tryGetStackTrace: "resubmit as task may have run while
 * suspended"), while the copy submitted when it became runnable may still be queued.
 * A second copy of a queued green thread must not be queued: the injection queue links
 * tasks through Task.next, so a task pushed while already in it cut the queue (the
 * tasks behind it were lost), and a copy dispatched while the real one runs elsewhere
 * overwrote the thread's carrier (Carriers.current(), owner-only per-carrier state) and,
 * for an event-actor dispatcher, ran Dispatcher.unmounted() beside the running turn.
 */
@Timeout(120)
class ResubmittedCopyTest {
    private static final long RUN_NANOS = TimeUnit.SECONDS.toNanos(3);

    /** Green threads woken from a platform thread (so queued in the injection queues) while their stacks are taken. */
    @Test
    void stacksOfThreadsWokenFromOutsideLoseNoThread() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("resubmit-inject").build())) {
            int n = 64;
            int rounds = 2_000;
            List<GreenHandle<Integer>> hs = new ArrayList<>();
            List<Thread> vts = new ArrayList<>();
            AtomicInteger wrongCarrier = new AtomicInteger();
            CountDownLatch started = new CountDownLatch(n);
            for (int i = 0; i < n; i++) {
                hs.add(rt.spawn(() -> {
                    started.countDown();
                    for (int r = 0; r < rounds; r++) {
                        LockSupport.park();
                        checkCarrier(wrongCarrier);
                    }
                    return rounds;
                }));
            }
            assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
            for (GreenHandle<Integer> h : hs) {
                vts.add(((GreenThread<?>) h).vthread());
            }
            Thread waker = new Thread(() -> {
                while (!hs.stream().allMatch(GreenHandle::isDone)) {
                    for (Thread vt : vts) {
                        LockSupport.unpark(vt);
                    }
                }
            }, "resubmit-waker");
            waker.setDaemon(true);
            waker.start();
            long end = System.nanoTime() + RUN_NANOS;
            while (System.nanoTime() < end && !hs.stream().allMatch(GreenHandle::isDone)) {
                for (Thread vt : vts) {
                    vt.getStackTrace();
                }
            }
            for (GreenHandle<Integer> h : hs) {
                assertThat(h.join(Duration.ofSeconds(30))).as("every thread runs to its end").isEqualTo(rounds);
            }
            waker.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(wrongCarrier.get()).as("slices that saw another carrier as theirs").isZero();
        }
    }

    /** Event actors exchanging messages on 2 workers while dumps with stacks are taken in a loop. */
    @Test
    void dumpsWithStacksBesideEventActorsLoseNoMessageAndNoCarrier() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("resubmit-events").build())) {
            int pairs = 8;
            int hops = 20_000;
            CountDownLatch done = new CountDownLatch(pairs);
            AtomicInteger wrongCarrier = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<GreenHandle<Object>> actors = new ArrayList<>();
            for (int p = 0; p < pairs; p++) {
                // Each actor's state is its peer's pid; a message is the hop count left.
                GreenHandle<Object> b = Actors.spawner(rt).spawn(null, (s, m) -> {
                    checkCarrier(wrongCarrier);
                    if (m instanceof Pid peer) {
                        return peer;
                    }
                    int left = (Integer) m;
                    if (left == 0) {
                        done.countDown();
                    } else {
                        Green.send((Pid) s, left - 1);
                    }
                    return s;
                });
                GreenHandle<Object> a = Actors.spawner(rt).spawn(null, (s, m) -> {
                    checkCarrier(wrongCarrier);
                    if (m instanceof Pid peer) {
                        return peer;
                    }
                    int left = (Integer) m;
                    if (left == 0) {
                        done.countDown();
                    } else {
                        Green.send((Pid) s, left - 1);
                    }
                    return s;
                });
                Green.send(a.pid(), b.pid());
                Green.send(b.pid(), a.pid());
                actors.add(a);
                actors.add(b);
            }
            for (int p = 0; p < pairs; p++) {
                // From this platform thread: the dispatchers are signalled from outside.
                Green.send(actors.get(2 * p).pid(), hops);
            }
            long end = System.nanoTime() + RUN_NANOS;
            StringBuilder sb = new StringBuilder();
            int dumps = 0;
            while (System.nanoTime() < end && done.getCount() != 0) {
                sb.setLength(0);
                try {
                    rt.dump(sb, DumpOptions.text().stacks(true));
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
                dumps++;
            }
            assertThat(failure.get()).isNull();
            assertThat(done.await(30, TimeUnit.SECONDS)).as("every exchange ends (%d dumps)", dumps).isTrue();
            assertThat(wrongCarrier.get()).as("handlers that saw another carrier as theirs").isZero();
        }
    }

    /**
     * In a green thread or a handler: Carriers.current() must be the carrier the caller
     * runs on, and that carrier must be running the caller (its current task), so its
     * owner-only state is the caller's to use. Task.worker is not checked: a stale copy
     * dispatched elsewhere may name another carrier there for a moment, which is why
     * the runtime's own code reads its carrier from the JDK (Worker.ofCaller).
     */
    private static void checkCarrier(AtomicInteger wrong) {
        Thread real = VirtualThreads.currentCarrier();
        Worker seen = Carriers.current();
        if (real instanceof Worker && (seen != real || seen.currentTask() != GreenThread.mounted())) {
            wrong.incrementAndGet();
        }
    }
}
