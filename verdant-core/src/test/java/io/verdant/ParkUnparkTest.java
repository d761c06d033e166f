package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * LockSupport park/unpark permit semantics on green threads (scenarios after the
 * JDK's own virtual-thread tests, written anew), and mass park/release.
 */
@Timeout(120)
class ParkUnparkTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("park").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void unparkBeforeParkLeavesAPermitSoParkReturnsAtOnce() {
        boolean returned = rt.run(() -> {
            LockSupport.unpark(Thread.currentThread());
            LockSupport.park();
            return true;
        });
        assertThat(returned).isTrue();
    }

    @Test
    void doubleUnparkGivesOnePermit() throws Exception {
        CountDownLatch parkedTwice = new CountDownLatch(1);
        AtomicReference<Thread> thread = new AtomicReference<>();
        AtomicInteger returnsFromPark = new AtomicInteger();
        GreenHandle<Void> h = rt.spawn(() -> {
            thread.set(Thread.currentThread());
            LockSupport.unpark(Thread.currentThread());
            LockSupport.unpark(Thread.currentThread());
            LockSupport.park(); // consumes the single permit
            returnsFromPark.incrementAndGet();
            parkedTwice.countDown();
            while (returnsFromPark.get() < 2) {
                LockSupport.park(); // no permit left: really parks
                returnsFromPark.incrementAndGet();
            }
        });
        assertThat(parkedTwice.await(10, TimeUnit.SECONDS)).isTrue();
        waitUntilWaiting(h);
        assertThat(returnsFromPark.get()).isEqualTo(1);
        LockSupport.unpark(thread.get());
        h.join();
        assertThat(returnsFromPark.get()).isEqualTo(2);
    }

    @Test
    void interruptWakesAParkedGreenThread() throws Exception {
        GreenHandle<Boolean> h = rt.spawn(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                LockSupport.park();
            }
            return Thread.currentThread().isInterrupted();
        });
        waitUntilWaiting(h);
        Thread vt = threadOf(h);
        vt.interrupt();
        assertThat(h.join()).isTrue();
    }

    @Test
    void chainOf300ParkedThreadsEachUnparkedByThePreviousLosesNoWakeUp() {
        int n = 300;
        int rounds = 20;
        // Each parks until its predecessor sets its flag and unparks it.
        for (int round = 0; round < rounds; round++) {
            int[] order = new int[1];
            rt.run(() -> {
                Thread[] threads = new Thread[n + 1];
                java.util.concurrent.atomic.AtomicIntegerArray woken = new java.util.concurrent.atomic.AtomicIntegerArray(n + 1);
                CountDownLatch allStarted = new CountDownLatch(n);
                List<GreenHandle<Void>> hs = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    int me = i;
                    hs.add(Green.spawn(() -> {
                        threads[me] = Thread.currentThread();
                        allStarted.countDown();
                        while (woken.get(me) == 0) {
                            LockSupport.park();
                        }
                        synchronized (order) {
                            order[0]++;
                        }
                        if (me < n) {
                            woken.set(me + 1, 1);
                            LockSupport.unpark(threads[me + 1]);
                        }
                    }));
                }
                allStarted.await();
                woken.set(1, 1);
                LockSupport.unpark(threads[1]);
                hs.forEach(GreenHandle::join);
                return null;
            });
            assertThat(order[0]).isEqualTo(n);
        }
    }

    @Test
    void hundredThousandParkedAtOnceThenReleased() throws Exception {
        int n = 100_000;
        CountDownLatch allParked = new CountDownLatch(n);
        AtomicInteger released = new AtomicInteger();
        Thread[] threads = new Thread[n];
        java.util.concurrent.atomic.AtomicBoolean go = new java.util.concurrent.atomic.AtomicBoolean();
        List<GreenHandle<Void>> hs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int me = i;
            hs.add(rt.spawn(() -> {
                threads[me] = Thread.currentThread();
                allParked.countDown();
                while (!go.get()) {
                    LockSupport.park();
                }
                released.incrementAndGet();
            }));
        }
        assertThat(allParked.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(rt.liveThreads()).isEqualTo(n);
        go.set(true);
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
        for (GreenHandle<Void> h : hs) {
            h.join();
        }
        assertThat(released.get()).isEqualTo(n);
        assertThat(rt.liveThreads()).isZero();
    }

    static void waitUntilWaiting(GreenHandle<?> h) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (h.state() != GreenState.WAITING) {
            assertThat(System.nanoTime()).as("thread reached WAITING in time").isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    private Thread threadOf(GreenHandle<?> h) {
        return ((io.verdant.internal.GreenThread<?>) h).virtualThread();
    }
}
