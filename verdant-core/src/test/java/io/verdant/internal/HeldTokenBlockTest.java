package io.verdant.internal;

import io.verdant.Config;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import io.verdant.internal.sched.SchedulerTestAccess;
import io.verdant.internal.sched.Worker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A carrier that blocks in its post-run bookkeeping of a green thread T (the
 * UNMOUNTED fault site: where Dispatcher.unmounted takes a monitor) on a lock
 * that T waits for must not lose T (GreenThread, "One queued copy"). The test
 * thread holds the lock; T blocks on it and unmounts; T's carrier C, at
 * UNMOUNTED for that dispatch, blocks on it behind T; the test thread lets go.
 * The lock goes to T first (a monitor's entry list and an AQS queue are
 * FIFO), so the JDK submits T (the unblocker thread for a monitor, the
 * releasing thread's unpark for a lock) while C still does its bookkeeping. If
 * that submission were dropped because C's dispatch still held T's token (the
 * queued-copy token released at the end of the dispatch: the Savina
 * bndbuffer hang, with Dispatchers' idleLock as the monitor), nothing would run
 * T, and C would wait for T for ever. The other carrier must run T.
 *
 * On failure the test unblocks C itself (a second pass through the monitor; an
 * interrupt of the lock's wait), so a broken protocol fails by a join timeout
 * rather than hanging the build.
 */
@Timeout(90)
class HeldTokenBlockTest {

    @AfterEach
    void uninstall() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aCarrierBlockedOnAMonitorAfterTheThreadBlockedOnItLosesNoSubmission() throws Exception {
        Object monitor = new Object();
        try (Verdant rt = runtime("held-token-monitor")) {
            AtomicReference<Worker> held = new AtomicReference<>();
            CountDownLatch entered = new CountDownLatch(1);
            AtomicBoolean armed = new AtomicBoolean(true);
            AtomicReference<GreenThread<?>> target = new AtomicReference<>();
            SchedulerTestAccess.atSites((w, site) -> {
                GreenThread<?> g = target.get();
                if (site.equals("UNMOUNTED") && g != null && w.currentTask() == g
                        && g.vthread().getState() == Thread.State.BLOCKED && armed.compareAndSet(true, false)) {
                    held.set(w);
                    entered.countDown();
                    synchronized (monitor) {
                        // C takes the monitor T waits for, in T's post-run window.
                        Thread.onSpinWait();
                    }
                }
            });
            GreenHandle<Integer> t;
            boolean ran;
            synchronized (monitor) {
                CountDownLatch go = new CountDownLatch(1);
                t = rt.spawner().name("target").spawn(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    synchronized (monitor) {
                        return 1;
                    }
                });
                target.set((GreenThread<?>) t);
                go.countDown();
                assertThat(entered.await(20, TimeUnit.SECONDS)).as("T blocked and its carrier reached UNMOUNTED").isTrue();
                Worker c = held.get();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (c.getState() != Thread.State.BLOCKED && System.nanoTime() < deadline) {
                    Thread.onSpinWait(); // C queues on the monitor behind T
                }
                assertThat(c.getState()).as("T's carrier blocked on the monitor").isEqualTo(Thread.State.BLOCKED);
            }
            // The monitor goes to T: the JDK submits it while C is still blocked in T's window.
            try {
                ran = t.join(Duration.ofSeconds(10)) == 1;
            } catch (io.verdant.TimedOutException e) {
                ran = false;
                synchronized (monitor) {
                    // Frees C (the next in the entry list), whose dispatch then queues T.
                    Thread.onSpinWait();
                }
            }
            assertThat(ran).as("T ran while its last carrier was blocked in T's post-run window").isTrue();
        }
    }

    @Test
    void aCarrierBlockedOnALockAfterTheThreadParkedForItLosesNoSubmission() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        try (Verdant rt = runtime("held-token-lock")) {
            AtomicReference<Worker> held = new AtomicReference<>();
            CountDownLatch entered = new CountDownLatch(1);
            AtomicBoolean armed = new AtomicBoolean(true);
            AtomicReference<GreenThread<?>> target = new AtomicReference<>();
            SchedulerTestAccess.atSites((w, site) -> {
                GreenThread<?> g = target.get();
                if (site.equals("UNMOUNTED") && g != null && w.currentTask() == g
                        && lock.hasQueuedThread(g.vthread()) && armed.compareAndSet(true, false)) {
                    held.set(w);
                    entered.countDown();
                    try {
                        lock.lockInterruptibly(); // behind T in the lock's queue
                        lock.unlock();
                    } catch (InterruptedException e) {
                        // The test's way out when T was lost (see the class comment).
                    }
                }
            });
            GreenHandle<Integer> t;
            boolean ran;
            Worker c;
            lock.lock();
            try {
                CountDownLatch go = new CountDownLatch(1);
                t = rt.spawner().name("target").spawn(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    lock.lock();
                    try {
                        return 1;
                    } finally {
                        lock.unlock();
                    }
                });
                target.set((GreenThread<?>) t);
                go.countDown();
                assertThat(entered.await(20, TimeUnit.SECONDS)).as("T parked and its carrier reached UNMOUNTED").isTrue();
                c = held.get();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!lock.hasQueuedThread(c) && System.nanoTime() < deadline) {
                    Thread.onSpinWait(); // C queues on the lock behind T
                }
                assertThat(lock.hasQueuedThread(c)).as("T's carrier waits for the lock").isTrue();
            } finally {
                lock.unlock(); // unparks T, the first in the queue
            }
            try {
                ran = t.join(Duration.ofSeconds(10)) == 1;
            } catch (io.verdant.TimedOutException e) {
                ran = false;
                c.interrupt();
            }
            assertThat(ran).as("T ran while its last carrier was blocked in T's post-run window").isTrue();
        }
    }

    private static Verdant runtime(String name) {
        // Two carriers: C is held, the other must run T. A 30 s slice and stall threshold:
        // neither the ticker nor Sysmon acts on the held carrier during the test.
        return Verdant.start(Config.builder().workers(2).name(name)
                .stallThreshold(Duration.ofSeconds(30)).timeslice(Duration.ofSeconds(30)).build());
    }
}
