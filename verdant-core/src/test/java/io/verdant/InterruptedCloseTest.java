package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * close() by an interrupted thread waits as an uninterrupted one does, without
 * spinning, and returns with the interrupt status set: the green threads it
 * cancelled get the time they need to end (step 3), and close returns only
 * after the carriers stopped (step 6).
 */
@Timeout(60)
class InterruptedCloseTest {

    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(300);

    @Test
    void anInterruptedCloseWaitsForTheCancelledThreadsWithoutSpinning() throws Exception {
        Verdant rt = Verdant.start(Config.builder().workers(1).name("interrupted-close")
                .shutdownTimeout(Duration.ofSeconds(20)).build());
        CountDownLatch sleeping = new CountDownLatch(1);
        AtomicBoolean ended = new AtomicBoolean();
        rt.spawn(() -> {
            sleeping.countDown();
            try {
                Green.sleep(Duration.ofHours(1));
            } catch (CancelledException e) {
                // Ends a while after close cancelled it, parked all the time.
                Thread.interrupted();
                long end = System.nanoTime() + LINGER_NANOS;
                for (long left = LINGER_NANOS; left > 0; left = end - System.nanoTime()) {
                    LockSupport.parkNanos(left);
                }
                ended.set(true);
            }
            return null;
        });
        assertThat(sleeping.await(10, TimeUnit.SECONDS)).isTrue();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long cpu0 = mx.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        Thread.currentThread().interrupt();
        try {
            rt.close();
        } finally {
            assertThat(Thread.interrupted()).as("interrupt status after close").isTrue();
        }
        long waited = System.nanoTime() - t0;
        long cpu = mx.getCurrentThreadCpuTime() - cpu0;
        assertThat(ended).as("the cancelled thread ended before close returned").isTrue();
        assertThat(waited).isGreaterThanOrEqualTo(LINGER_NANOS / 2);
        // Parked between looks at the live count (one a millisecond), not spinning: a spin
        // takes the closer's CPU for the whole wait.
        assertThat(cpu).as("closer CPU (ns) in a %d ms wait", waited / 1_000_000).isLessThan(waited / 4);
    }

    @Test
    void anInterruptedCloseReturnsOnlyAfterTheCarrierLeftAThreadThatIgnoresCancellation() throws Exception {
        Verdant rt = Verdant.start(Config.builder().workers(1).name("interrupted-close-stuck")
                .shutdownTimeout(Duration.ofMillis(50)).build());
        CountDownLatch spinning = new CountDownLatch(1);
        AtomicBoolean left = new AtomicBoolean();
        rt.spawn(() -> {
            // No safepoint: close cannot stop it, and after the shutdown timeout abandons it;
            // its carrier stops when it returns.
            long end = System.nanoTime() + LINGER_NANOS;
            spinning.countDown();
            while (System.nanoTime() - end < 0) {
                Thread.onSpinWait();
            }
            left.set(true);
            return null;
        });
        assertThat(spinning.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.currentThread().interrupt();
        try {
            rt.close();
        } finally {
            assertThat(Thread.interrupted()).as("interrupt status after close").isTrue();
        }
        assertThat(left).as("the carrier had left the green thread when close returned").isTrue();
    }
}
