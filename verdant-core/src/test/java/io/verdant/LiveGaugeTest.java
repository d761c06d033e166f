package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Verdant#liveThreads()} (and {@code metrics().live()}) read while green
 * threads spawn and end: the live count is kept in cells (one per carrier, one
 * shared), and a thread spawned from a platform thread (the shared cell) ends on
 * a carrier. Before the fix each cell was one signed word read cell by cell, so
 * a reader that read the shared cell before such a spawn and the carrier's cell
 * after its end counted the end without the spawn: the gauge went negative (down
 * to -3098 in 3 s on a 2-core machine), and below the threads certainly alive.
 */
@Timeout(60)
class LiveGaugeTest {
    @Test
    void theLiveGaugeNeverDropsBelowAThreadThatLivesThroughoutNorBelowZero() throws Exception {
        for (int workers = 1; workers <= 2; workers++) {
            try (Verdant rt = Verdant.start(Config.builder().workers(workers).name("live-gauge-" + workers).build())) {
                GreenHandle<Object> resident = rt.spawner().name("resident").spawn(() -> Green.receive());
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong lowest = new AtomicLong(Long.MAX_VALUE);
                AtomicLong lowestMetric = new AtomicLong(Long.MAX_VALUE);
                Thread reader = Thread.ofPlatform().name("live-gauge-reader").start(() -> {
                    int k = 0;
                    while (!stop.get()) {
                        lowest.accumulateAndGet(rt.liveThreads(), Math::min);
                        if ((++k & 1023) == 0) {
                            lowestMetric.accumulateAndGet(rt.metrics().live(), Math::min);
                        }
                    }
                });
                try {
                    // Spawned here (a platform thread), ended on a carrier; bounded in time,
                    // and over as soon as the gauge is seen too low.
                    long end = System.nanoTime() + Duration.ofMillis(1500).toNanos();
                    while (System.nanoTime() < end && lowest.get() >= 1) {
                        rt.spawn(() -> { }).join(Duration.ofSeconds(20));
                    }
                } finally {
                    stop.set(true);
                    reader.join();
                    Green.send(resident.pid(), "bye");
                }
                resident.join(Duration.ofSeconds(20));
                assertThat(lowest.get()).as("lowest liveThreads() with 'resident' alive, %d workers", workers)
                        .isGreaterThanOrEqualTo(1);
                assertThat(lowestMetric.get()).as("lowest metrics().live(), %d workers", workers)
                        .isGreaterThanOrEqualTo(1);
                assertThat(rt.liveThreads()).isZero();
            }
        }
    }
}
