package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A child that fails while the supervisor is stopping its siblings (a strategy
 * restart) leaves its Failure signal in the supervisor's mailbox. Before the
 * fix stop() unlinked it and took only its Down, so the Failure stayed behind;
 * once the children were restarted it named no current child, and the
 * supervisor took it for a failure of its parent ("Not a child: ... Go down
 * with it"): it stopped every child and died with LinkedFailureException though
 * its intensity allowed the restart. stop() now drops it, as OTP's supervisor
 * flushes the EXIT of a child it unlinks. Failed 6 of 6 runs without the fix.
 */
@Timeout(60)
class SupervisorStaleExitSignalTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("sup-stale").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void aSiblingFailingDuringAOneForAllRestartDoesNotKillTheSupervisor() throws Exception {
        AtomicInteger aRuns = new AtomicInteger();
        AtomicInteger bRuns = new AtomicInteger();
        AtomicInteger slowRuns = new AtomicInteger();
        CountDownLatch bGo = new CountDownLatch(1);
        CountDownLatch bDown = new CountDownLatch(1);

        Supervisor.ChildSpec a = Supervisor.ChildSpec.of("a", () -> {
            boolean first = aRuns.getAndIncrement() == 0;
            for (;;) {
                if ("crash".equals(Green.receive()) && first) {
                    throw new IllegalStateException("a crashed");
                }
            }
        });
        Supervisor.ChildSpec b = Supervisor.ChildSpec.of("b", () -> {
            if (bRuns.getAndIncrement() == 0) {
                bGo.await();
                throw new IllegalStateException("b crashed while the supervisor stopped 'slow'");
            }
            for (;;) {
                Green.receive();
            }
        });
        Supervisor.ChildSpec slow = Supervisor.ChildSpec.of("slow", () -> {
            boolean first = slowRuns.getAndIncrement() == 0;
            try {
                for (;;) {
                    Green.receive();
                }
            } catch (CancelledException e) {
                if (first) {
                    // Being stopped by the ONE_FOR_ALL restart (the last child is stopped first):
                    // b fails now, and its Failure reaches the supervisor before b is stopped.
                    bGo.countDown();
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (bDown.getCount() > 0 && System.nanoTime() < end) {
                        Thread.interrupted();
                        try {
                            bDown.await(10, TimeUnit.MILLISECONDS);
                        } catch (InterruptedException ignored) {
                            // cancellation may interrupt again
                        }
                    }
                }
                throw e;
            }
        });

        Supervisor sup = Supervisor.builder().strategy(Supervisor.Strategy.ONE_FOR_ALL)
                .intensity(10, Duration.ofMinutes(1))
                .child(a).child(b).child(slow)
                .start(rt);
        Pid aPid = sup.child("a").orElseThrow();
        Pid bPid = sup.child("b").orElseThrow();
        // Told after b's links (the supervisor's Failure is enqueued first: ActorCell.exited).
        CountDownLatch watching = new CountDownLatch(1);
        rt.spawn(() -> {
            Green.monitor(bPid);
            watching.countDown();
            Green.receive(Signal.Down.class);
            bDown.countDown();
        });
        assertThat(watching.await(20, TimeUnit.SECONDS)).isTrue();

        assertThat(Green.send(aPid, "crash")).isTrue();
        assertThat(bDown.await(20, TimeUnit.SECONDS)).isTrue();

        // Processed after every signal already queued (the stale Failure included).
        List<Supervisor.ChildInfo> which = sup.whichChildren();
        assertThat(which).extracting(Supervisor.ChildInfo::state).containsOnly(Supervisor.ChildState.RUNNING);
        assertThat(sup.handle().isDone()).as("supervisor ended: %s", sup.handle()).isFalse();
        assertThat(sup.restartCount()).isEqualTo(1);
        sup.shutdown();
    }
}
