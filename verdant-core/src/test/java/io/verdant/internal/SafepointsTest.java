package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests are acknowledged or withdrawn, so the JVM-wide pending count returns to
 * what other runtimes in the JVM hold (other test classes' runtimes share it: see
 * waitForNoPendingRequests).
 */
@Timeout(60)
class SafepointsTest {

    @Test
    void aRequestIsAcknowledgedAtTheNextCheckpoint() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("sp-ack").build())) {
            CountDownLatch asked = new CountDownLatch(1);
            CountDownLatch go = new CountDownLatch(1);
            GreenHandle<Boolean> h = rt.spawn(() -> {
                asked.countDown();
                go.await();
                GreenThread<?> self = GreenThread.current();
                boolean before = self.preemptRequested();
                Green.checkpoint();
                return before && !self.preemptRequested();
            });
            assertThat(asked.await(20, TimeUnit.SECONDS)).isTrue();
            waitUntilParked(h);
            // The thread is parked on the latch: request, then release it.
            GreenThread<?> g = (GreenThread<?>) h;
            assertThat(Safepoints.request(g)).isTrue();
            assertThat(Safepoints.request(g)).isFalse();
            go.countDown();
            // Asked while parked: it sees the request when it resumes, and its
            // checkpoint acknowledges it.
            assertThat(h.join(Duration.ofSeconds(20))).isTrue();
            // join() returns when the body has ended; the continuation unmounts
            // (and the request is withdrawn) just after.
            waitUntilWithdrawn(g);
            waitForNoPendingRequests(h);
        }
    }

    @Test
    void aRequestToAThreadThatParksOrEndsWithoutCheckpointIsWithdrawn() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("sp-withdraw").build())) {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch requested = new CountDownLatch(1);
            GreenHandle<Void> h = rt.spawn(() -> {
                GreenThread<?> self = GreenThread.current();
                running.countDown();
                // Busy (mounted) until the request is made, then end with no checkpoint.
                while (!self.preemptRequested()) {
                    Thread.onSpinWait();
                }
                requested.countDown();
            });
            assertThat(running.await(20, TimeUnit.SECONDS)).isTrue();
            GreenThread<?> g = (GreenThread<?>) h;
            assertThat(Safepoints.request(g)).isTrue();
            assertThat(requested.await(20, TimeUnit.SECONDS)).isTrue();
            h.join(Duration.ofSeconds(20));
            // join() returns when the body has ended; the continuation unmounts
            // (and the request is withdrawn) just after.
            waitUntilWithdrawn(g);
            waitForNoPendingRequests(h);
        }
    }

    @Test
    void checkpointOutsideAGreenThreadIsANoOpEvenWithRequestsPending() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("sp-outside").build())) {
            CountDownLatch release = new CountDownLatch(1);
            GreenHandle<Void> h = rt.spawn(() -> {
                release.await();
                return null;
            });
            GreenThread<?> g = (GreenThread<?>) h;
            waitUntilParked(h);
            Safepoints.request(g);
            Green.checkpoint();
            assertThat(g.preemptRequested()).isTrue();
            release.countDown();
            h.join(Duration.ofSeconds(20));
            waitForNoPendingRequests(h);
        }
    }

    private static void waitUntilWithdrawn(GreenThread<?> g) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (g.preemptRequested()) {
            assertThat(System.nanoTime()).as("request never withdrawn").isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    private static void waitUntilParked(GreenHandle<?> h) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (h.state() != io.verdant.GreenState.WAITING) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    /**
     * Waits until every request JVM-wide is acknowledged or withdrawn, except those
     * other runtimes hold now (other test classes' runtimes share the JVM and the
     * count): one unit per open deterministic runtime, one per green thread of
     * another open runtime with its request flag set. A request of this test's own
     * runtime, or a count with no flag behind it (a lost decrement), keeps the
     * difference above 0 and fails the test, naming what it saw.
     */
    private static void waitForNoPendingRequests(GreenHandle<?> ownThread) throws InterruptedException {
        RuntimeCore mine = ((GreenThread<?>) ownThread).runtime();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (;;) {
            int pending = Safepoints.pendingRequests();
            int others = io.verdant.internal.det.DetScheduler.openCount();
            for (RuntimeCore rt : RuntimeCore.open()) {
                if (rt != mine) {
                    for (GreenThread<?> g : rt.threads()) {
                        if (g.preemptRequested()) {
                            others++;
                        }
                    }
                }
            }
            if (pending <= others) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("pending requests never returned to what other runtimes hold: " + pending
                        + " pending, " + others + " held elsewhere; " + heldBy());
            }
            Thread.sleep(1);
        }
    }

    /** What holds requests now, for the failure message. */
    private static String heldBy() {
        StringBuilder sb = new StringBuilder("deterministic runtimes open: ")
                .append(io.verdant.internal.det.DetScheduler.openCount()).append("; open runtimes:");
        for (RuntimeCore rt : RuntimeCore.open()) {
            sb.append(' ').append(rt.name).append(" [");
            for (GreenThread<?> g : rt.threads()) {
                if (g.preemptRequested()) {
                    sb.append(g).append(' ');
                }
            }
            sb.append(']');
        }
        return sb.toString();
    }
}
