package io.verdant.internal.sched;

import io.verdant.Config;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A carrier survives a fault in its own bookkeeping (issue 10, item 7): a
 * throw injected into next(), search(), park() or the error logger is reported
 * and the carrier goes on, giving back its idle-list entry and its search
 * token, so later work that needs both carriers at once still runs. Spare
 * carriers are off, so no spare can stand in for a dead carrier.
 */
@Timeout(120)
class CarrierFaultTest {

    @AfterEach
    void removeHook() {
        Faults.install(null);
    }

    /** Spins, without a safepoint, until {@code n} threads arrived; false after 5 s. */
    private static boolean meet(AtomicInteger arrived, int n) {
        arrived.incrementAndGet();
        long t0 = System.nanoTime();
        while (arrived.get() < n) {
            if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(5)) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    @ParameterizedTest
    @EnumSource(value = Faults.Site.class, names = {"SLICE_WRITTEN", "SLICE_ENDING", "TAKEN", "DISPATCHED", "OWN_SLOT_PENDING",
            "SPAWN_PUBLISHED", "CANCEL_MARKED", "SLOT_PUBLISHED", "SLOT_EMPTIED", "UNMOUNTED", "OVERFLOW_ALLOCATING",
            "SENDER_WAITING", "TIMEOUT_EXPIRED", "POOL_GROWING", "SEND_TIMER_ARMING", "SYSMON_OBSERVING",
            "BLOCKING_CALL_STARTING", "TRACE_RING_ALLOCATING", "LINK_PEER_SIDE_MADE", "JOIN_TIMED_OUT",
            "JOIN_CANCELLED", "CARRIER_STARTING", "LOG_WRITER_STARTING", "SPAWN_ALLOCATING",
            "MAILBOX_NODE_ALLOCATING", "SELECT_NODE_ALLOCATING", "SEND_LOOKED_UP", "CALLBACKS_COUNTED",
            "SCOPE_CHILD_ADDING", "LINK_CHILD_ADDING", "ENDED_THREAD_STARTING", "SELECT_RESULT_ALLOCATING",
            "BLOCKING_CALL_WAITING", "MUTEX_WAIT_ENDED", "SPAWN_STARTED", "BATCH_SENDING",
            "POLLER_CLAIMED", "POLLER_RESCUING", "OUTSIDE_INJECTING", "CLOSED_MARKED",
            "CLOSE_WAKE_LIST_ALLOCATING", "DISPATCHER_RETIRING", "EVENT_ACTOR_OFFERING"}, mode = EnumSource.Mode.EXCLUDE)
    void aCarrierSurvivesAFaultInItsOwnCode(Faults.Site site) throws Exception {
        String name = "fault-" + site.name().toLowerCase();
        String victim = name + "-carrier-1";
        CountDownLatch fired = new CountDownLatch(1);
        AtomicInteger faultsLeft = new AtomicInteger(1);
        // REPORT fails the logger: a NEXT fault is reported, and the report throws too.
        Faults.Site trigger = site == Faults.Site.REPORT ? Faults.Site.NEXT : site;
        Faults.install((w, at) -> {
            if (w == null || !w.getName().equals(victim)) { // null: a spawn off the carriers (SPAWN_PUBLISHED)
                return;
            }
            if (at == trigger && faultsLeft.getAndDecrement() > 0) {
                fired.countDown();
                throw new IllegalStateException("injected fault at " + at);
            }
            if (site == Faults.Site.REPORT && at == Faults.Site.REPORT) {
                throw new IllegalStateException("injected fault in the error logger");
            }
        });
        try (Verdant rt = Verdant.start(Config.builder().workers(2).maxSpareCarriers(0).name(name)
                .shutdownTimeout(Duration.ofSeconds(2)).build())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (fired.getCount() > 0) {
                assertThat(System.nanoTime()).as("fault at %s not reached", trigger).isLessThan(deadline);
                // Work from outside wakes idle carriers: they take, search and park again.
                AtomicInteger arrived = new AtomicInteger();
                GreenHandle<Boolean> a = rt.spawn(() -> meet(arrived, 1));
                a.join(Duration.ofSeconds(20));
            }
            Faults.install(null);
            Thread carrier = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals(victim)).findFirst().orElse(null);
            assertThat(carrier).as("carrier %s", victim).isNotNull();
            assertThat(carrier.isAlive()).isTrue();
            // Both carriers are needed at once, again and again.
            for (int round = 0; round < 20; round++) {
                AtomicInteger arrived = new AtomicInteger();
                GreenHandle<Boolean> a = rt.spawn(() -> meet(arrived, 2));
                GreenHandle<Boolean> b = rt.spawn(() -> meet(arrived, 2));
                assertThat(a.join(Duration.ofSeconds(20))).as("round %d, first", round).isTrue();
                assertThat(b.join(Duration.ofSeconds(20))).as("round %d, second", round).isTrue();
            }
        }
    }
}
