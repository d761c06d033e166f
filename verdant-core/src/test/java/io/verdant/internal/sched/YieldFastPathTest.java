package io.verdant.internal.sched;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import io.verdant.internal.GreenThread;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The yield paths of the carrier, in counts (the machine may be loaded):
 * <ul>
 * <li>a thread yielding alone resumes at once from the carrier's private
 * yielded slot: no push into the local queue, no wake-up signal, so no idle
 * carrier is unparked and nothing is stolen, however the thread was started
 * (its carrier's level mask used to keep the bit of the level the thread was
 * first queued at, and every yield then went through the queue and a signal);</li>
 * <li>a yielder that the carrier moves into its local queue because other work
 * turned up meanwhile (Worker.next) is announced to an idle carrier, which takes
 * it while the other work holds this carrier: checked with Sysmon's safety net
 * (the stranded-work rescue a tick later) off.</li>
 * </ul>
 */
@Timeout(120)
class YieldFastPathTest {

    @AfterEach
    void removeHook() {
        Faults.install(null);
    }

    /** Yields {@code n} times. */
    private static void yieldLoop(int n) {
        for (int i = 0; i < n; i++) {
            Green.yield();
        }
    }

    /**
     * One carrier: a thread spawned from a green thread (so first queued in the
     * carrier's local ring, which sets its level's bit) then yields alone while its
     * parent waits in join. Every yield must resume from the yielded slot: the
     * ring's tail does not move. (Before the level mask was cleared by the take
     * that empties a level, it moved once per yield: the bit stayed set, and a
     * yield behind a set bit goes through the ring.)
     */
    @Test
    void aThreadYieldingAloneOnOneCarrierSkipsTheQueue() throws Exception {
        int n = 10_000;
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("alone1").build())) {
            Worker w = rt.run(() -> GreenThread.current().lastWorker());
            long before = pushes(w);
            rt.run(() -> Green.spawn(() -> yieldLoop(n)).join(Duration.ofSeconds(60)));
            long pushed = pushes(w) - before;
            System.out.printf("yield alone on one carrier n=%d: local pushes=%d%n", n, pushed);
            // The spawn itself is one push; the yields none.
            assertThat(pushed).as("local-queue pushes during %d lone yields", n).isLessThanOrEqualTo(5);
        }
    }

    /** Pushes into {@code w}'s local rings so far (their tails; read after a join, so ordered). */
    private static long pushes(Worker w) {
        long n = 0;
        for (LocalQueue q : w.levels) {
            n += q.tailOwner();
        }
        return n;
    }

    @Test
    void aThreadYieldingAloneUnparksNobodyAndIsNotStolen() throws Exception {
        int n = 100_000;
        try (Verdant rt = Verdant.start(Config.builder().workers(2).maxSpareCarriers(0).name("alone").build())) {
            Scheduler s = rt.run(() -> GreenThread.current().runtime().scheduler);
            // Spawned from a green thread: queued in its carrier's local queue first.
            rt.run(() -> Green.spawn(() -> yieldLoop(1_000)).join(Duration.ofSeconds(30)));
            long w0 = s.wakeupsIssued();
            long st0 = steals(s);
            rt.run(() -> Green.spawn(() -> yieldLoop(n)).join(Duration.ofSeconds(60)));
            long wakeups = s.wakeupsIssued() - w0;
            long steals = steals(s) - st0;
            System.out.printf("yield alone n=%d: wakeups=%d steals=%d%n", n, wakeups, steals);
            // The spawn and the join may wake the other carrier a few times; the yields none.
            assertThat(wakeups).as("idle carriers unparked during %d lone yields", n).isLessThanOrEqualTo(20);
            assertThat(steals).as("tasks stolen during %d lone yields", n).isLessThanOrEqualTo(20);
        }
    }

    private static long steals(Scheduler s) {
        long n = 0;
        for (Worker w : s.carriers()) {
            n += w.counters.steals;
        }
        return n;
    }

    /**
     * Carrier A runs green thread Y, which yields into A's yielded slot. At the
     * start of A's next turn (a fault-injection hook at Worker.next) a foreign task
     * X is injected without a signal: A takes X and moves Y into its local queue.
     * X spins on A, without a safepoint, until Y has run again. Carrier B is parked
     * throughout, so only a signal for Y can get Y run while X holds A.
     */
    @Test
    void aYielderMovedBehindOtherWorkIsHandedToAnIdleCarrier() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).maxSpareCarriers(0).name("strand")
                .shutdownTimeout(Duration.ofSeconds(2)).build())) {
            Scheduler s = rt.run(() -> GreenThread.current().runtime().scheduler);
            s.sysmon().rescueInjected(false);
            s.sysmon().rescueLocal(false);
            AtomicBoolean yRan = new AtomicBoolean();
            AtomicBoolean xGaveUp = new AtomicBoolean();
            AtomicBoolean armed = new AtomicBoolean();
            AtomicBoolean injected = new AtomicBoolean();
            boolean ok = rt.run(() -> {
                GreenThread<?> y = GreenThread.current();
                Worker a = y.lastWorker();
                Worker b = s.workers()[a.index() == 0 ? 1 : 0];
                Task x = new ForeignTask(() -> {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (!yRan.get()) {
                        if (System.nanoTime() - deadline > 0) {
                            xGaveUp.set(true);
                            return;
                        }
                        Thread.onSpinWait();
                    }
                }, y.priorityLevel());
                Faults.install((w, site) -> {
                    if (site == Faults.Site.NEXT && w == a && w.yielded == y && armed.compareAndSet(true, false)) {
                        s.inject(x);
                        injected.set(true);
                    }
                });
                // B parked (not searching or spinning, where it would find Y by itself).
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (b.getState() != Thread.State.WAITING && System.nanoTime() - until < 0) {
                    Thread.onSpinWait();
                }
                armed.set(true);
                Green.yield();
                yRan.set(true);
                return !xGaveUp.get();
            });
            assertThat(injected.get()).as("the hook injected X while Y was in the yielded slot").isTrue();
            assertThat(ok).as("Y ran on the idle carrier while X held the other").isTrue();
        }
    }
}
