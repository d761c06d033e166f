package io.verdant;

import io.verdant.internal.GreenThread;
import io.verdant.internal.sched.SchedulerTestAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A failure that reaches a linked, non-trapping peer while that peer is ending
 * (its body returned, its completion has read how it ends, its status is not
 * yet written: fault site SLOT_EMPTIED) cannot stop it any more. Before, the
 * kill was still taken (a CAS nobody read again) and counted as reaching the
 * peer, so the failure counted as observed: nobody saw it, it was not logged,
 * and the peer ended normally. Now the ending peer refuses it, and the failure,
 * seen by no one, is logged as unobserved.
 */
@Timeout(60)
class KillWhileEndingTest {
    private final LogCapture log = new LogCapture("io.verdant.failures");

    @AfterEach
    void uninstall() {
        SchedulerTestAccess.atSites(null);
        log.close();
    }

    private static final class Boom extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Boom() {
            super("the linked thread failed");
        }
    }

    @Test
    void aFailureReachingALinkedPeerThatIsEndingIsNotCountedAsObserved() throws Exception {
        try (Verdant failing = Verdant.start(Config.builder().workers(1).name("kill-ending-x").build());
             Verdant ending = Verdant.start(Config.builder().workers(1).name("kill-ending-c").build())) {
            CountDownLatch go = new CountDownLatch(1);
            CountDownLatch failedFully = new CountDownLatch(1);
            Boom boom = new Boom();
            GreenHandle<Void> x = failing.spawn(() -> {
                go.await();
                throw boom;
            });
            // After its exit has told its links (onComplete callbacks run after the exit signals).
            ((GreenThread<Void>) x).onComplete((v, f) -> failedFully.countDown(), false);
            AtomicBoolean armed = new AtomicBoolean(true);
            AtomicBoolean held = new AtomicBoolean();
            SchedulerTestAccess.atSites((w, site) -> {
                GreenThread<?> g = GreenThread.current();
                if (site.equals("SLOT_EMPTIED") && g != null && g.runtime().name.equals("kill-ending-c")
                        && armed.compareAndSet(true, false)) {
                    // The linked thread fails while this one ends (it runs on the other runtime's carrier).
                    go.countDown();
                    // Spins (bounded) rather than parks: the ending thread holds its carrier, as it would.
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (failedFully.getCount() > 0 && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    held.set(failedFully.getCount() == 0);
                }
            });
            GreenHandle<String> c = ending.spawn(() -> {
                Green.link(x.pid());
                return "done";
            });

            assertThat(c.join(Duration.ofSeconds(30))).as("it had ended: the failure came too late").isEqualTo("done");
            assertThat(held.get()).as("the linked thread failed while this one was ending").isTrue();
            assertThat(((GreenThread<?>) x).virtualThread().join(Duration.ofSeconds(20))).isTrue();
            LogRecord r = log.await(rec -> rec.getLevel() == Level.WARNING
                    && rec.getMessage().contains("'kill-ending-x'"));
            assertThat(r).as("the failure nobody saw is logged as unobserved").isNotNull();
            assertThat(r.getThrown()).isSameAs(boom);
        }
    }
}
