package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A time slice longer than the default stall threshold must not make every
 * green thread that runs a whole slice, reaching safepoints all along, look
 * stalled: unless set, the stall threshold is at least ten slices.
 */
@Timeout(30)
class StallDefaultFollowsTimesliceTest {

    @Test
    void threadsThatReachSafepointsUnderALongSliceAreNotReportedAsStalled() {
        Config c = Config.builder().workers(1).timeslice(Duration.ofMillis(200)).build();
        try (Verdant rt = Verdant.start(c)) {
            Runnable spin = () -> {
                long end = System.nanoTime() + 250_000_000L;
                while (System.nanoTime() < end) {
                    Green.checkpoint();
                }
            };
            GreenHandle<Void> a = rt.spawn(spin);
            GreenHandle<Void> b = rt.spawn(spin);
            a.join();
            b.join();
            assertThat(rt.metrics().stalls()).as("stalls reported for threads that call Green.checkpoint()")
                    .isZero();
        }
    }

    @Test
    void theDefaultIsTheLongerOfOneHundredMillisecondsAndTenSlices() {
        assertThat(Config.builder().build().stallThreshold()).isEqualTo(Duration.ofMillis(100));
        assertThat(Config.builder().timeslice(Duration.ZERO).build().stallThreshold())
                .isEqualTo(Duration.ofMillis(100));
        assertThat(Config.builder().timeslice(Duration.ofMillis(200)).build().stallThreshold())
                .isEqualTo(Duration.ofSeconds(2));
        assertThat(Config.builder().timeslice(Duration.ofNanos(Long.MAX_VALUE)).build().stallThreshold())
                .isEqualTo(Duration.ofNanos(Long.MAX_VALUE));
        assertThat(Config.builder().timeslice(Duration.ofMillis(200)).stallThreshold(Duration.ofMillis(50)).build()
                .stallThreshold()).as("a setting is kept").isEqualTo(Duration.ofMillis(50));
    }
}
