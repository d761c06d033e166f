package io.verdant.internal.sched;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.GreenState;
import io.verdant.Verdant;
import io.verdant.internal.GreenThread;
import io.verdant.internal.vthread.VirtualThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PollerHost}: where a JDK sub-poller's continuation runs, that it runs
 * exactly once when its host ends or holds it too long, and that a foreign
 * virtual thread running on a carrier wakes a green thread of that runtime
 * without the injection queue, and that a sub-poller submitted from another
 * thread goes to its home carrier unless another carrier steals it, and that the stall
 * rescue counts, hands over and marks its host slow for no task a carrier has claimed
 * (fault sites POLLER_CLAIMED, POLLER_RESCUING). Each test uses its own PollerHost (not the JVM's
 * instance, which the JDK's real sub-pollers use) with a counting fallback.
 */
@Timeout(60)
class PollerHostTest {
    /** The fallback: counts, and runs each task on a new platform thread. */
    private static final class Fallback implements Executor {
        final AtomicInteger runs = new AtomicInteger();

        @Override
        public void execute(Runnable r) {
            runs.incrementAndGet();
            Thread.ofPlatform().daemon().start(r);
        }
    }

    private static Scheduler scheduler(Verdant rt) {
        return rt.run(() -> GreenThread.current().runtime().scheduler);
    }

    private static Verdant oneCarrier(String name) {
        return Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name(name)
                .shutdownTimeout(Duration.ofSeconds(2)).build());
    }

    /** Holds the only carrier (a spin without a safepoint) until {@code release} counts down; at most 20 s. */
    private static GreenHandle<Void> hold(Verdant rt, CountDownLatch holding, CountDownLatch release) {
        GreenHandle<Void> h = rt.spawn(() -> {
            holding.countDown();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (release.getCount() != 0 && System.nanoTime() < end) {
                Thread.onSpinWait();
            }
        });
        return h;
    }

    @Test
    void aContinuationRunsOnACarrierOfALiveHost() throws Exception {
        Fallback fallback = new Fallback();
        PollerHost host = new PollerHost(fallback);
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("ph-live").build())) {
            Scheduler s = scheduler(rt);
            host.hostStarted(s);
            long runs0 = s.pollerRuns();
            CompletableFuture<Thread> ran = new CompletableFuture<>();
            host.execute(() -> ran.complete(Thread.currentThread()));
            Thread t = ran.get(20, TimeUnit.SECONDS);
            assertThat(t).isInstanceOf(Worker.class);
            assertThat(((Worker) t).scheduler()).isSameAs(s);
            assertThat(s.pollerRuns() - runs0).isEqualTo(1);
            assertThat(fallback.runs).hasValue(0);
            assertThat(host.pendingCount()).isZero();
        }
    }

    /**
     * Two runtimes: the first one's only carrier is held (no safepoint, no spares),
     * the second is idle. A submission from outside (the master poller's unpark) runs
     * on the idle one at once; it used to go to the first host and wait behind the
     * holder (in the JVM's PollerHost until the stall rescue, per wake-up: every
     * socket of the idle runtime waited for the busy one).
     */
    @Test
    void aSubmissionFromOutsideGoesToAHostWithAnIdleCarrier() throws Exception {
        Fallback fallback = new Fallback();
        PollerHost host = new PollerHost(fallback);
        try (Verdant busy = oneCarrier("ph-busy"); Verdant idle = oneCarrier("ph-idle")) {
            Scheduler s1 = scheduler(busy);
            Scheduler s2 = scheduler(idle);
            host.hostStarted(s1);
            host.hostStarted(s2);
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            GreenHandle<Void> holder = hold(busy, holding, release);
            try {
                assertThat(holding.await(20, TimeUnit.SECONDS)).isTrue();
                // The value the loop saw is the one asserted: read again, a stray wake-up
                // (another socket's sub-poller task) may have unparked the carrier in between.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                boolean allIdle;
                while (!(allIdle = s2.allIdle()) && System.nanoTime() < deadline) {
                    Thread.sleep(1); // its carrier parks once its spin after the last run ends
                }
                assertThat(allIdle).isTrue();
                CompletableFuture<Thread> ran = new CompletableFuture<>();
                host.execute(() -> ran.complete(Thread.currentThread()));
                Thread t = ran.get(20, TimeUnit.SECONDS);
                assertThat(t).isInstanceOf(Worker.class);
                assertThat(((Worker) t).scheduler()).isSameAs(s2);
                assertThat(fallback.runs).hasValue(0);
            } finally {
                release.countDown();
                holder.join(Duration.ofSeconds(20));
            }
            assertThat(host.pendingCount()).isZero();
        }
    }

    @Test
    void withNoLiveHostAContinuationRunsOnTheFallback() throws Exception {
        Fallback fallback = new Fallback();
        PollerHost host = new PollerHost(fallback);
        CountDownLatch ran = new CountDownLatch(1);
        host.execute(ran::countDown);
        assertThat(ran.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(fallback.runs).hasValue(1);

        // A host that has ended is no host.
        try (Verdant rt = oneCarrier("ph-ended")) {
            Scheduler s = scheduler(rt);
            host.hostStarted(s);
            host.hostEnded(s);
            assertThat(host.hosts(s)).isFalse();
            CountDownLatch again = new CountDownLatch(1);
            host.execute(again::countDown);
            assertThat(again.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(fallback.runs).hasValue(2);
        }
    }

    @Test
    void aHostThatEndsHandsWhatItHoldsToTheFallbackAndItRunsOnce() throws Exception {
        Fallback fallback = new Fallback();
        PollerHost host = new PollerHost(fallback);
        try (Verdant rt = oneCarrier("ph-end")) {
            Scheduler s = scheduler(rt);
            host.hostStarted(s);
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            GreenHandle<Void> holder = hold(rt, holding, release);
            assertThat(holding.await(20, TimeUnit.SECONDS)).isTrue();
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch ran = new CountDownLatch(1);
            host.execute(() -> {
                runs.incrementAndGet();
                ran.countDown();
            });
            assertThat(host.pendingCount()).isEqualTo(1); // queued behind the holder
            host.hostEnded(s);
            assertThat(ran.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(fallback.runs).hasValue(1);
            release.countDown();
            holder.join(Duration.ofSeconds(20));
            // The carrier now reaches the task it was given (injected before this one): it
            // has lost its claim and does not run it again.
            assertThat(rt.spawn(() -> 1).join(Duration.ofSeconds(20))).isEqualTo(1);
            assertThat(runs).hasValue(1);
            assertThat(host.pendingCount()).isZero();
        }
    }

    @Test
    void moreTasksThanSlotsAreAllTrackedAndEachRunsOnce() throws Exception {
        Fallback fallback = new Fallback();
        PollerHost host = new PollerHost(fallback);
        int n = PollerHost.SLOTS + 8; // 8 in the overflow set
        try (Verdant rt = oneCarrier("ph-overflow")) {
            Scheduler s = scheduler(rt);
            host.hostStarted(s);
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            GreenHandle<Void> holder = hold(rt, holding, release);
            assertThat(holding.await(20, TimeUnit.SECONDS)).isTrue();
            AtomicInteger[] runs = new AtomicInteger[n];
            CountDownLatch ran = new CountDownLatch(n);
            for (int i = 0; i < n; i++) {
                AtomicInteger r = runs[i] = new AtomicInteger();
                host.execute(() -> {
                    r.incrementAndGet();
                    ran.countDown();
                });
            }
            assertThat(host.pendingCount()).isEqualTo(n); // all queued behind the holder
            host.hostEnded(s); // slots and overflow alike move to the fallback
            assertThat(ran.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(fallback.runs).hasValue(n);
            assertThat(host.pendingCount()).isZero();
            release.countDown();
            holder.join(Duration.ofSeconds(20));
            // The carrier reaches the tasks it was given: each has lost its claim.
            assertThat(rt.spawn(() -> 1).join(Duration.ofSeconds(20))).isEqualTo(1);
            for (AtomicInteger r : runs) {
                assertThat(r).hasValue(1);
            }
        }
    }

    @Test
    void aTaskHeldBehindABusyCarrierIsRescuedOnce() throws Exception {
        Fallback fallback = new Fallback();
        PollerHost host = new PollerHost(fallback);
        try (Verdant rt = oneCarrier("ph-rescue")) {
            Scheduler s = scheduler(rt);
            host.hostStarted(s);
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            GreenHandle<Void> holder = hold(rt, holding, release);
            assertThat(holding.await(20, TimeUnit.SECONDS)).isTrue();
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch ran = new CountDownLatch(1);
            host.execute(() -> {
                runs.incrementAndGet();
                ran.countDown();
            });
            long rescued0 = s.pollerRescues();
            host.rescue(s, -1); // any wait is too long
            assertThat(ran.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(s.pollerRescues() - rescued0).isEqualTo(1);
            assertThat(host.hosts(s)).isTrue(); // still a host: the next submission comes back
            release.countDown();
            holder.join(Duration.ofSeconds(20));
            assertThat(rt.spawn(() -> 1).join(Duration.ofSeconds(20))).isEqualTo(1);
            assertThat(runs).hasValue(1);
            assertThat(fallback.runs).hasValue(1);
        }
    }

    /**
     * A fallback whose carriers are all held (the JDK's default scheduler behind
     * CPU-bound virtual threads): it keeps what it is given until released.
     */
    private static final class HeldFallback implements Executor {
        final java.util.List<Runnable> held = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void execute(Runnable r) {
            held.add(r);
        }

        /** Runs what it holds, each on a new platform thread; returns them. */
        java.util.List<Thread> release() {
            java.util.List<Thread> threads = new java.util.ArrayList<>();
            for (Runnable r : held) {
                threads.add(Thread.ofPlatform().daemon().start(r));
            }
            return threads;
        }
    }

    /**
     * The rescue must not strand a sub-poller on a fallback whose carriers are held
     * too: once its host's carrier is free it runs there (JdkPollersTest's
     * PollerStartProbe, where the host's only carrier, woken on a loaded machine,
     * ran late, and the default scheduler's one carrier was held).
     */
    @Test
    void aRescuedTaskRunsOnItsHostOnceFreeIfTheFallbackIsHeldToo() throws Exception {
        HeldFallback fallback = new HeldFallback();
        PollerHost host = new PollerHost(fallback);
        try (Verdant rt = oneCarrier("ph-rescue-held")) {
            Scheduler s = scheduler(rt);
            host.hostStarted(s);
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            GreenHandle<Void> holder = hold(rt, holding, release);
            assertThat(holding.await(20, TimeUnit.SECONDS)).isTrue();
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch ran = new CountDownLatch(1);
            host.execute(() -> {
                runs.incrementAndGet();
                ran.countDown();
            });
            long rescued0 = s.pollerRescues();
            host.rescue(s, -1); // any wait is too long
            host.rescue(s, -1); // a later tick: handed over once
            assertThat(s.pollerRescues() - rescued0).isEqualTo(1);
            assertThat(fallback.held).hasSize(1);
            release.countDown();
            holder.join(Duration.ofSeconds(20));
            assertThat(ran.await(20, TimeUnit.SECONDS)).as("ran on its host, the fallback still held").isTrue();
            assertThat(host.pendingCount()).isZero();
            for (Thread t : fallback.release()) { // the fallback's turn comes: it has lost the claim
                assertThat(t.join(Duration.ofSeconds(20))).isTrue();
            }
            assertThat(runs).hasValue(1);
        }
    }

    @Test
    void aForeignVirtualThreadOnACarrierWakesAGreenThreadWithoutInjecting() throws Exception {
        Fallback fallback = new Fallback();
        PollerHost host = new PollerHost(fallback);
        try (Verdant rt = oneCarrier("ph-local")) {
            Scheduler s = scheduler(rt);
            host.hostStarted(s);
            CompletableFuture<Thread> parking = new CompletableFuture<>();
            GreenHandle<Thread> sleeper = rt.spawn(() -> {
                parking.complete(Thread.currentThread());
                LockSupport.park(); // a spurious return only ends the test early: the count below still holds
                return Thread.currentThread();
            });
            Thread green = parking.get(20, TimeUnit.SECONDS);
            while (sleeper.state() != GreenState.WAITING && !sleeper.isDone()) {
                Thread.onSpinWait();
            }
            long pushed0 = s.injectionCounts()[2];
            // A virtual thread whose scheduler is the host (as a JDK sub-poller's is): its
            // start is the one injection; its unpark of the green thread is a local push.
            Thread foreign = VirtualThreads.newThread(host, "SubPoller-test", () -> LockSupport.unpark(green));
            foreign.start();
            foreign.join(Duration.ofSeconds(20));
            assertThat(sleeper.join(Duration.ofSeconds(20))).isSameAs(green);
            assertThat(s.injectionCounts()[2] - pushed0).isEqualTo(1);
            assertThat(fallback.runs).hasValue(0);
        }
    }

    /** Runs {@code continuation} through {@code host} from this (platform) thread; returns the carrier it ran on. */
    private static Worker runOnce(PollerHost host, Runnable[] body, AtomicReference<CompletableFuture<Thread>> ran,
                                  int i) throws Exception {
        CompletableFuture<Thread> f = new CompletableFuture<>();
        ran.set(f);
        host.execute(body[i]);
        Thread t = f.get(20, TimeUnit.SECONDS);
        assertThat(t).isInstanceOf(Worker.class);
        return (Worker) t;
    }

    /** Holds a carrier of {@code rt} (a spin without a safepoint) until {@code release} counts down, at
     * most 20 s; completes {@code on} with that carrier first. */
    private static GreenHandle<Void> holdCarrier(Verdant rt, CompletableFuture<Worker> on, CountDownLatch release) {
        return rt.spawn(() -> {
            on.complete(Worker.ofCaller());
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (release.getCount() != 0 && System.nanoTime() < end) {
                Thread.onSpinWait(); // no safepoint: the carrier stays held
            }
        });
    }

    /** Numbers distinct sub-pollers in {@code host} (two carriers) until the next one's home is
     * {@code home}; returns that next number. */
    private static int numberUntilHome(PollerHost host, Worker home) {
        int n = 0;
        while (n % 2 != home.index) {
            int k = n;
            host.number(() -> Integer.toString(k)); // a distinct sub-poller each
            n++;
        }
        return n;
    }

    private static long steals(Worker w) {
        return w.counters.steals;
    }

    @Test
    void aSubPollerSubmittedFromElsewhereRunsOnItsHomeCarrier() throws Exception {
        Fallback fallback = new Fallback();
        PollerHost host = new PollerHost(fallback);
        boolean homes = PollerHost.homes;
        PollerHost.homes = true;
        try (Verdant rt = Verdant.start(Config.builder().workers(2).maxSpareCarriers(0).name("ph-home").build())) {
            Scheduler s = scheduler(rt);
            host.hostStarted(s);
            Worker[] ws = s.workers();
            AtomicReference<CompletableFuture<Thread>> ran = new AtomicReference<>();
            // Two sub-pollers (two continuations, numbered 0 and 1 as first seen): homes 0 and 1.
            Runnable[] body = {
                () -> ran.get().complete(Thread.currentThread()),
                () -> ran.get().complete(Thread.currentThread())
            };
            int rounds = 200;
            int[] away = new int[2];
            long steals0 = steals(ws[0]) + steals(ws[1]);
            long pushed0 = s.injectionCounts()[2];
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < 2; i++) {
                    Worker w = runOnce(host, body, ran, i);
                    assertThat(w.scheduler()).isSameAs(s);
                    if (w != ws[i]) {
                        away[i]++;
                    }
                }
            }
            long steals = steals(ws[0]) + steals(ws[1]) - steals0;
            // Each ran on its home, except where the other carrier stole it (the inbox's rule:
            // its home had not taken it within the grace, e.g. its OS thread was not running).
            assertThat((long) away[0] + away[1]).isLessThanOrEqualTo(steals);
            assertThat(away[0] + away[1]).isLessThan(2 * rounds);
            assertThat(s.injectionCounts()[2] - pushed0).isZero(); // inboxes, not the injection queue
            assertThat(fallback.runs).hasValue(0);
            assertThat(host.pendingCount()).isZero();
        } finally {
            PollerHost.homes = homes;
        }
    }

    @Test
    void aSubPollerWhoseHomeIsHeldRunsOnAnotherCarrier() throws Exception {
        Fallback fallback = new Fallback();
        PollerHost host = new PollerHost(fallback);
        boolean homes = PollerHost.homes;
        PollerHost.homes = true;
        try (Verdant rt = Verdant.start(Config.builder().workers(2).maxSpareCarriers(0).name("ph-held")
                .shutdownTimeout(Duration.ofSeconds(2)).build())) {
            Scheduler s = scheduler(rt);
            host.hostStarted(s);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Worker> holdingOn = new CompletableFuture<>();
            GreenHandle<Void> holder = holdCarrier(rt, holdingOn, release);
            Worker held = holdingOn.get(20, TimeUnit.SECONDS);
            int n = numberUntilHome(host, held);
            CompletableFuture<Thread> ran = new CompletableFuture<>();
            Runnable subPoller = () -> ran.complete(Thread.currentThread());
            assertThat(host.number(subPoller)).isEqualTo(n);
            host.execute(subPoller);
            // The held carrier never takes it; Sysmon sees its inbox as waiting work and wakes
            // the other carrier, which takes it (it has waited longer than the inbox's grace).
            Thread t = ran.get(20, TimeUnit.SECONDS);
            assertThat(t).isInstanceOf(Worker.class).isNotSameAs(held);
            assertThat(((Worker) t).scheduler()).isSameAs(s);
            release.countDown();
            holder.join(Duration.ofSeconds(20));
            assertThat(fallback.runs).hasValue(0);
            assertThat(host.pendingCount()).isZero();
        } finally {
            PollerHost.homes = homes;
        }
    }

    @Test
    void aSubPollerWhoseHomeIsHeldIsTakenByABusyCarrier() throws Exception {
        Fallback fallback = new Fallback();
        PollerHost host = new PollerHost(fallback);
        boolean homes = PollerHost.homes;
        PollerHost.homes = true;
        try (Verdant rt = Verdant.start(Config.builder().workers(2).maxSpareCarriers(0).name("ph-busy")
                .shutdownTimeout(Duration.ofSeconds(2)).build())) {
            Scheduler s = scheduler(rt);
            host.hostStarted(s);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Worker> holdingOn = new CompletableFuture<>();
            GreenHandle<Void> holder = holdCarrier(rt, holdingOn, release);
            Worker held = holdingOn.get(20, TimeUnit.SECONDS);
            // The other carrier stays busy: a thread that yields to itself never lets it
            // search or park, so only its dispatch path can find the held home's inbox.
            CompletableFuture<Thread> ran = new CompletableFuture<>();
            CompletableFuture<Worker> busyOn = new CompletableFuture<>();
            GreenHandle<Void> busy = rt.spawn(() -> {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!ran.isDone() && System.nanoTime() < end) {
                    busyOn.complete(Worker.ofCaller());
                    Green.yield();
                }
            });
            assertThat(busyOn.get(20, TimeUnit.SECONDS)).isNotSameAs(held);
            int n = numberUntilHome(host, held);
            Runnable subPoller = () -> ran.complete(Thread.currentThread());
            assertThat(host.number(subPoller)).isEqualTo(n);
            host.execute(subPoller);
            // Taken by the busy carrier's dispatch path once it has waited the inbox's grace,
            // not left to PollerHost's rescue (the fallback) or the held home.
            Thread t = ran.get(20, TimeUnit.SECONDS);
            assertThat(t).isInstanceOf(Worker.class).isNotSameAs(held);
            assertThat(fallback.runs).hasValue(0);
            release.countDown();
            busy.join(Duration.ofSeconds(20));
            holder.join(Duration.ofSeconds(20));
            assertThat(host.pendingCount()).isZero();
        } finally {
            PollerHost.homes = homes;
        }
    }

    @Test
    void withHomesOffASubPollerSubmittedFromElsewhereIsInjected() throws Exception {
        Fallback fallback = new Fallback();
        PollerHost host = new PollerHost(fallback);
        boolean homes = PollerHost.homes;
        PollerHost.homes = false;
        try (Verdant rt = Verdant.start(Config.builder().workers(2).maxSpareCarriers(0).name("ph-nohome").build())) {
            Scheduler s = scheduler(rt);
            host.hostStarted(s);
            AtomicReference<CompletableFuture<Thread>> ran = new AtomicReference<>();
            Runnable[] body = {() -> ran.get().complete(Thread.currentThread())};
            long pushed0 = s.injectionCounts()[2];
            for (int r = 0; r < 10; r++) {
                assertThat(runOnce(host, body, ran, 0).scheduler()).isSameAs(s);
            }
            assertThat(s.injectionCounts()[2] - pushed0).isEqualTo(10); // the injection queue, as before homes
            assertThat(fallback.runs).hasValue(0);
        } finally {
            PollerHost.homes = homes;
        }
    }

    /**
     * The claim among the three parties that may run a rescued task: its host's carrier
     * (PollerTask.dispatch), the fallback's run of the rescue (runRescued) and
     * runElsewhere (hostEnded, here repeated while tasks are queued). A rescuer thread
     * (the only caller of rescue, as the host's ticker is) hands every pending task to
     * the fallback at once, while the two carriers run them and the test thread ends and
     * restarts the host every few batches. Each task must run exactly once and none stay
     * pending. Bounded: it submits at least 5,000 tasks and goes on (at most 50,000, 10 s)
     * until the rescuer, which a loaded machine may leave unscheduled for the first ones,
     * has handed 100 tasks to the fallback.
     */
    @Test
    void aTaskRunsOnceWhenItsHostTheRescueAndTheHostsEndRaceForIt() throws Exception {
        final int minTasks = 5_000;
        final int tasks = 50_000;
        final int minRescues = 100;
        final int batch = 50;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        PollerHost host = new PollerHost(pool);
        AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
        CountDownLatch ran = new CountDownLatch(tasks);
        int submitted = 0;
        try {
            try (Verdant rt = Verdant.start(Config.builder().workers(2).maxSpareCarriers(0).name("ph-claim")
                    .shutdownTimeout(Duration.ofSeconds(2)).build())) {
                Scheduler s = scheduler(rt);
                host.hostStarted(s);
                java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
                Thread rescuer = Thread.ofPlatform().daemon().start(() -> {
                    while (!stop.get()) {
                        host.rescue(s, -1); // any wait is too long
                        Thread.yield();
                    }
                });
                try {
                    long rescues0 = s.pollerRescues();
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (submitted < tasks && System.nanoTime() < end
                            && (submitted < minTasks || s.pollerRescues() - rescues0 < minRescues)) {
                        for (int k = 0; k < batch && submitted < tasks; k++, submitted++) {
                            int i = submitted;
                            host.execute(() -> {
                                runs.incrementAndGet(i);
                                // A little work (20 us), so that tasks queue up on the carriers
                                // and the rescuer finds some still pending.
                                long busy = System.nanoTime() + 20_000;
                                while (System.nanoTime() < busy) {
                                    Thread.onSpinWait();
                                }
                                ran.countDown();
                            });
                        }
                        if ((submitted / batch) % 4 == 0) {
                            host.hostEnded(s); // what it holds goes to the fallback, racing both
                            host.hostStarted(s);
                        }
                    }
                    for (int i = submitted; i < tasks; i++) {
                        ran.countDown(); // not submitted in time: nothing to wait for
                    }
                    assertThat(ran.await(30, TimeUnit.SECONDS)).as("every task ran, %d left", ran.getCount()).isTrue();
                    assertThat(host.pendingCount()).isZero();
                } finally {
                    stop.set(true);
                    assertThat(rescuer.join(Duration.ofSeconds(20))).isTrue();
                }
            } // closed: its carriers run nothing more
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue(); // nor does the fallback
        }
        assertThat(submitted).isPositive();
        for (int i = 0; i < submitted; i++) {
            assertThat(runs.get(i)).as("runs of task %d", i).isEqualTo(1);
        }
    }

    /** Waits for {@code latch} inside a fault hook, at most 20 s (a bug fails the test, never hangs it). */
    private static void awaitInHook(CountDownLatch latch) {
        try {
            if (!latch.await(20, TimeUnit.SECONDS)) {
                throw new AssertionError("hook: not released within 20 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * The stall rescue reads a pending task that its host's carrier has claimed and
     * not yet taken off pending (the carrier held at POLLER_CLAIMED, between
     * PollerTask.dispatch's claim and PollerHost.ran). That task is running on its
     * host: nothing is rescued, counted, handed to the fallback or marked slow. It
     * used to count a rescue and hand the fallback a run that lost the claim.
     */
    @Test
    void aTaskItsCarrierHasClaimedIsNotRescued() throws Exception {
        Fallback fallback = new Fallback();
        PollerHost host = new PollerHost(fallback);
        try (Verdant rt = oneCarrier("ph-claimed")) {
            Scheduler s = scheduler(rt);
            host.hostStarted(s);
            CountDownLatch claimed = new CountDownLatch(1);
            CountDownLatch go = new CountDownLatch(1);
            Faults.install((w, at) -> {
                // Only this test's task on this test's carrier (the JVM's own sub-pollers
                // may run on it too, through the JVM's PollerHost).
                if (at == Faults.Site.POLLER_CLAIMED && w != null && w.scheduler() == s
                        && w.currentTask() instanceof PollerTask p && p.owner == host && claimed.getCount() != 0) {
                    claimed.countDown();
                    awaitInHook(go);
                }
            });
            try {
                AtomicInteger runs = new AtomicInteger();
                CountDownLatch ran = new CountDownLatch(1);
                long rescued0 = s.pollerRescues();
                host.execute(() -> {
                    runs.incrementAndGet();
                    ran.countDown();
                });
                assertThat(claimed.await(20, TimeUnit.SECONDS)).isTrue();
                assertThat(host.pendingCount()).isEqualTo(1); // claimed, still pending: what the ticker reads
                host.rescue(s, -1); // the ticker's tick in that window; any wait is too long
                assertThat(s.pollerRescues() - rescued0).as("rescues counted").isZero();
                assertThat(s.pollerSlow).as("marked slow").isFalse();
                go.countDown();
                assertThat(ran.await(20, TimeUnit.SECONDS)).isTrue();
                assertThat(runs).hasValue(1);
                assertThat(fallback.runs).as("runs handed to the fallback").hasValue(0);
                assertThat(host.pendingCount()).isZero();
            } finally {
                Faults.install(null);
                go.countDown();
            }
        }
    }

    /**
     * The stall rescue found a task late and not claimed, and before it marks the host
     * slow (held at POLLER_RESCUING) the host's carrier comes free and runs the task,
     * its PollerHost.ran clearing a mark not yet written. The host is not left marked
     * slow, nothing is counted or handed to the fallback, and what that changes for a
     * user: with a second runtime whose carrier is held and none idle, the next
     * submissions from outside (the master poller's unpark) of that sub-poller and of
     * another one go to the first runtime, which runs them once its carrier is free. It
     * used to leave the first runtime marked slow (and that sub-poller with no last
     * host), so both went to the held runtime and waited there (for a rescue, in the
     * JVM's PollerHost).
     */
    @Test
    void aTaskItsCarrierRunsWhileTheRescueMarksItsHostDoesNotLeaveTheHostSlow() throws Exception {
        Fallback fallback = new Fallback();
        PollerHost host = new PollerHost(fallback);
        try (Verdant first = oneCarrier("ph-slow-a"); Verdant other = oneCarrier("ph-slow-b")) {
            Scheduler s1 = scheduler(first);
            Scheduler s2 = scheduler(other);
            host.hostStarted(s1);
            host.hostStarted(s2);
            CountDownLatch holdingOther = new CountDownLatch(1);
            CountDownLatch releaseOther = new CountDownLatch(1);
            // Held for the whole test (at most 50 s, in the spin), not the 20 s of hold().
            GreenHandle<Void> otherHolder = other.spawn(() -> {
                holdingOther.countDown();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(50);
                while (releaseOther.getCount() != 0 && System.nanoTime() < end) {
                    Thread.onSpinWait(); // no safepoint: the carrier stays held
                }
            });
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            GreenHandle<Void> holder = hold(first, holding, release);
            try {
                assertThat(holdingOther.await(20, TimeUnit.SECONDS)).isTrue();
                assertThat(holding.await(20, TimeUnit.SECONDS)).isTrue();
                // No idle carrier, neither host slow: the first host takes it, queued behind its holder.
                AtomicReference<CompletableFuture<Thread>> ranX = new AtomicReference<>(new CompletableFuture<>());
                Runnable x = () -> ranX.get().complete(Thread.currentThread());
                host.execute(x);
                Thread rescuer = Thread.currentThread();
                AtomicInteger armed = new AtomicInteger(1);
                Faults.install((w, at) -> {
                    if (at == Faults.Site.POLLER_RESCUING && Thread.currentThread() == rescuer
                            && armed.getAndDecrement() > 0) {
                        release.countDown(); // the host's carrier comes free and runs the task
                        try {
                            ranX.get().get(20, TimeUnit.SECONDS); // its ran() is over: the continuation runs after
                        } catch (Exception e) {
                            throw new AssertionError("hook: the task did not run on its host within 20 s", e);
                        }
                    }
                });
                long rescued0 = s1.pollerRescues();
                try {
                    host.rescue(s1, -1); // the ticker's tick; any wait is too long
                } finally {
                    Faults.install(null);
                }
                assertThat(armed.get()).as("the hook fired, once").isZero();
                assertThat(((Worker) ranX.get().get()).scheduler()).isSameAs(s1);
                assertThat(holder.join(Duration.ofSeconds(20))).isNull();
                assertThat(s1.pollerSlow).as("the first host marked slow").isFalse();
                assertThat(s1.pollerRescues() - rescued0).as("rescues counted").isZero();
                assertThat(fallback.runs).as("runs handed to the fallback").hasValue(0);
                assertThat(host.pendingCount()).isZero();

                // Hold the first host's carrier again: no idle carrier anywhere.
                CountDownLatch holding2 = new CountDownLatch(1);
                CountDownLatch release2 = new CountDownLatch(1);
                GreenHandle<Void> holder2 = hold(first, holding2, release2);
                CompletableFuture<Thread> ranY = new CompletableFuture<>();
                try {
                    assertThat(holding2.await(20, TimeUnit.SECONDS)).isTrue();
                    ranX.set(new CompletableFuture<>());
                    host.execute(x); // its last host
                    host.execute(() -> ranY.complete(Thread.currentThread())); // a sub-poller with no last host
                } finally {
                    release2.countDown();
                }
                assertThat(holder2.join(Duration.ofSeconds(20))).isNull();
                // The other runtime's carrier is still held (until releaseOther): each runs
                // within the wait only if it went to the first runtime.
                assertThat(((Worker) ranX.get().get(20, TimeUnit.SECONDS)).scheduler())
                        .as("the sub-poller that ran on the first runtime went back there").isSameAs(s1);
                assertThat(((Worker) ranY.get(20, TimeUnit.SECONDS)).scheduler())
                        .as("a sub-poller with no last host went to the first runtime").isSameAs(s1);
                assertThat(fallback.runs).hasValue(0);
            } finally {
                release.countDown();
                releaseOther.countDown();
                holder.join(Duration.ofSeconds(20));
                otherHolder.join(Duration.ofSeconds(20));
            }
            assertThat(host.pendingCount()).isZero();
        }
    }
}
