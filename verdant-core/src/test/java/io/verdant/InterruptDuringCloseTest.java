package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An interrupt that reaches the closer while close() waits, for the
 * {@code Green.blocking} pool to stop (step 5) or for the carriers to leave
 * their last task (step 6), cuts no wait short: close returns only after the
 * carriers stopped, reports none as stuck, and returns with the interrupt
 * status set, as with an interrupt before close (InterruptedCloseTest). Here a
 * carrier is held, past close's step 3, by a virtual thread a green thread
 * started (it inherits the runtime as its scheduler, and close does not wait
 * for it as for a green thread) that spins until the test lets it go.
 */
@Timeout(60)
class InterruptDuringCloseTest {

    @Test
    void anInterruptWhileCloseWaitsForTheBlockingPoolStillWaitsForTheCarriers() throws Exception {
        interruptCloseWhileIn("awaitTermination", "interrupt-in-pool-wait", true);
    }

    @Test
    void anInterruptWhileCloseWaitsForTheCarriersStillWaitsForThem() throws Exception {
        interruptCloseWhileIn("terminate", "interrupt-in-carrier-wait", false);
    }

    private static void interruptCloseWhileIn(String frame, String name, boolean poolWork) throws Exception {
        Verdant rt = Verdant.start(Config.builder().workers(2).name(name)
                .shutdownTimeout(Duration.ofSeconds(10)).build());
        AtomicBoolean releasePool = new AtomicBoolean();
        AtomicBoolean releaseSpin = new AtomicBoolean();
        AtomicBoolean spinEnded = new AtomicBoolean();
        CountDownLatch spinning = new CountDownLatch(1);
        CountDownLatch working = new CountDownLatch(1);
        Thread closer = null;
        try (LogCapture log = new LogCapture("io.verdant")) {
            rt.run(() -> Thread.ofVirtual().start(() -> {
                spinning.countDown();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); // bounded
                while (!releaseSpin.get() && System.nanoTime() - end < 0) {
                    Thread.onSpinWait();
                }
                spinEnded.set(true);
            }));
            assertThat(spinning.await(10, TimeUnit.SECONDS)).isTrue();
            if (poolWork) {
                rt.spawn(() -> Green.blocking(() -> {
                    working.countDown();
                    // Ignores interrupts, so close's step 5 waits for it; bounded in time.
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (!releasePool.get() && System.nanoTime() - end < 0) {
                        Thread.onSpinWait();
                    }
                    return null;
                }));
                assertThat(working.await(10, TimeUnit.SECONDS)).isTrue();
            }
            AtomicBoolean interruptedAfter = new AtomicBoolean();
            closer = new Thread(() -> {
                rt.close();
                interruptedAfter.set(Thread.interrupted());
            }, name + "-closer-thread");
            Thread c = closer;
            c.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!in(c, frame) && System.nanoTime() - deadline < 0) {
                Thread.sleep(1);
            }
            assertThat(in(c, frame)).as("close is in %s", frame).isTrue();
            c.interrupt();
            releasePool.set(true);
            // The carrier is still held: a close that waits as it should is still running a
            // second later; one that the interrupt cut short has returned.
            c.join(1_000);
            boolean returnedEarly = !c.isAlive() && !spinEnded.get();
            releaseSpin.set(true);
            c.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(c.isAlive()).as("close returned").isFalse();
            assertThat(returnedEarly).as("close returned while a carrier was still running").isFalse();
            assertThat(log.records().stream().map(LogRecord::getMessage).filter(m -> m.contains("are stuck")).toList())
                    .as("carriers reported stuck").isEmpty();
            assertThat(interruptedAfter).as("interrupt status after close").isTrue();
        } finally {
            releasePool.set(true);
            releaseSpin.set(true);
            if (closer != null) {
                closer.join(TimeUnit.SECONDS.toMillis(20));
            }
            rt.close();
        }
        for (Thread t : StallTest.threads(name)) {
            t.join(TimeUnit.SECONDS.toMillis(10)); // a carrier counts itself stopped just before it ends
            assertThat(t.isAlive()).as(t.getName()).isFalse();
        }
    }

    private static boolean in(Thread closer, String method) {
        return Arrays.stream(closer.getStackTrace()).anyMatch(f -> f.getMethodName().equals(method));
    }
}
