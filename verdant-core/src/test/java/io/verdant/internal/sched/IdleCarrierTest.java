package io.verdant.internal.sched;

import io.verdant.Config;
import io.verdant.Verdant;
import io.verdant.internal.GreenThread;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A runtime with nothing to do uses no CPU: once its carriers have searched,
 * spun (Scheduler, "Adaptive spin") and parked, nothing wakes them. Counted, not
 * timed: over an observation window the carriers make no search, no park and no
 * dispatch, nobody unparks them, and their CPU time does not grow by more than a
 * wake-up or two would take (a parked thread's does not grow at all; a carrier
 * that spun or woke periodically would use most of the window). The window is
 * the only wait: nothing in it is waited for, so load can only make it longer.
 */
@Timeout(60)
class IdleCarrierTest {

    /** {searches, parks, dispatches, wake-ups issued, carriers' CPU ns} summed over the cores, then the ticker's passes. */
    private static long[] snapshot(Scheduler s, ThreadMXBean mx) {
        long[] r = new long[6];
        for (Worker w : s.workers()) {
            r[0] += w.counters.searches;
            r[1] += w.counters.parks;
            r[2] += w.dispatchCount();
            r[4] += Math.max(0, mx.getThreadCpuTime(w.threadId()));
        }
        r[3] = s.wakeupsIssued();
        r[5] = s.ticker().passes();
        return r;
    }

    @Test
    void anIdleRuntimesCarriersStayParked() throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("idlecpu").build())) {
            Scheduler s = rt.run(() -> GreenThread.current().runtime().scheduler);
            for (int i = 0; i < 1000; i++) {
                rt.run(() -> 1); // some work first: both carriers have searched, spun and parked since
            }
            // The value the loop saw is the one asserted: read again, a stray wake-up (see
            // below) may have unparked a carrier in between.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            boolean allIdle;
            while (!(allIdle = s.allIdle()) && System.nanoTime() - deadline < 0) {
                Thread.sleep(1);
            }
            assertThat(allIdle).as("every carrier parked").isTrue();
            long[] a = snapshot(s, mx);
            Thread.sleep(300); // the observation window
            long[] b = snapshot(s, mx);
            System.out.printf("idle 300 ms: searches=%d parks=%d dispatches=%d wakeups=%d carrier_cpu_us=%d ticker_passes=%d%n",
                    b[0] - a[0], b[1] - a[1], b[2] - a[2], b[3] - a[3], (b[4] - a[4]) / 1000, b[5] - a[5]);
            // A few stray wake-ups at most: the JDK's socket sub-pollers may be hosted on this
            // runtime's carriers (PollerHost), and a socket elsewhere in the JVM (another test's
            // connection closing late) wakes one. A carrier that spins or polls while idle would
            // search thousands of times and burn most of the window.
            assertThat(b[3] - a[3]).as("idle carriers unparked").isLessThanOrEqualTo(20);
            // The ticker sleeps too (no timer armed): a pass per stray carrier wake-up at most.
            assertThat(b[5] - a[5]).as("ticker passes").isLessThanOrEqualTo(40);
            assertThat(b[1] - a[1]).as("carrier parks (each follows a wake-up)").isLessThanOrEqualTo(20);
            assertThat(b[0] - a[0]).as("searches").isLessThanOrEqualTo(40);
            assertThat(b[4] - a[4]).as("carriers' CPU time in a 300 ms window, ns")
                    .isLessThan(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
