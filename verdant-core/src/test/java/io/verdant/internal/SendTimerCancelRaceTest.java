package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Priority;
import io.verdant.internal.sched.SchedulerTestAccess;
import io.verdant.internal.timer.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A periodic timer's first node fires and re-arms while its creator is still
 * installing that first node (SendTimerCore, "The armed node"): the creator
 * installs the fired first node after the firing thread read the armed node
 * and before it installed the second. Before the fix the second node was then
 * never installed: cancel() cancelled the fired first node, and the second
 * stayed armed in the wheel for up to a period after cancel() returned (it sent
 * nothing when it fired, but was kept and run). Now cancel() leaves no node of
 * the timer pending. The interleaving is forced at the fault site
 * SEND_TIMER_ARMING; the firing is done by a test thread that sees a later time
 * than everyone else (the runtime's ticker sees a clock that stands still, so it
 * fires nothing of this timer). Needs -Dio.verdant.internal.faults=true.
 */
@Timeout(30)
class SendTimerCancelRaceTest {
    private static final long MS = 1_000_000L;

    @AfterEach
    void removeHook() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aPeriodicTimerCancelledAfterARaceWithItsFirstFiringLeavesNoNodeArmed() throws Exception {
        long early = 1_000_000_000L;
        long late = early + 10 * MS;
        AtomicReference<Thread> driver = new AtomicReference<>();
        Clock clock = () -> Thread.currentThread() == driver.get() ? late : early;
        RuntimeCore core = new RuntimeCore(Config.builder().workers(1).name("send-timer-cancel-race").build(), clock);
        CountDownLatch sinkDone = new CountDownLatch(1);
        try {
            GreenThread<Object> sink = core.spawn(() -> {
                sinkDone.await();
                return null;
            }, "sink", Priority.NORMAL);
            Thread creator = Thread.currentThread();
            CountDownLatch driverArming = new CountDownLatch(1);
            CountDownLatch creatorInstalled = new CountDownLatch(1);
            AtomicReference<Throwable> driverFailed = new AtomicReference<>();
            Thread fire = new Thread(() -> {
                try {
                    core.timers.advance(); // sees the later time: fires the first node, which re-arms
                } catch (Throwable t) {
                    driverFailed.set(t);
                }
            }, "test-timer-driver");
            driver.set(fire);
            SchedulerTestAccess.atSites((w, site) -> {
                if (!site.equals("SEND_TIMER_ARMING")) {
                    return;
                }
                try {
                    if (Thread.currentThread() == creator) {
                        // The creator made the first node: let it fire and re-arm up to
                        // the second node's installation, then install the first.
                        fire.start();
                        assertThat(driverArming.await(20, TimeUnit.SECONDS)).isTrue();
                    } else if (Thread.currentThread() == fire) {
                        // The firing thread made the second node: wait for the creator's install.
                        driverArming.countDown();
                        assertThat(creatorInstalled.await(20, TimeUnit.SECONDS)).isTrue();
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            SendTimerCore timer = SendTimerCore.start(core, sink.pid(), "tick", MS, MS);
            creatorInstalled.countDown();
            fire.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(fire.isAlive()).isFalse();
            assertThat(driverFailed.get()).isNull();
            SchedulerTestAccess.atSites(null);
            assertThat(timer.isActive()).isTrue();
            assertThat(core.timers.size()).as("the re-armed node").isEqualTo(1);

            assertThat(timer.cancel()).isTrue();
            assertThat(core.timers.size()).as("nodes of the cancelled timer still armed").isZero();
        } finally {
            sinkDone.countDown();
            core.close();
        }
    }
}
