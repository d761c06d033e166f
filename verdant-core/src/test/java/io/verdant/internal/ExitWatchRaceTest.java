package io.verdant.internal;

import io.verdant.Config;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A watch (the base of monitors, calls and registered names) made as a thread
 * with no actor state ends is told of the end exactly once: either the ending
 * thread sees the cell the watcher made, or the watcher sees the final status
 * (GreenThread, "cell"; a store-load race between the exit's status store and
 * its read of the cell lost the notice before). Bounded: at most 3 s of rounds,
 * each ending one thread at a spread of moments around the watch.
 */
@Timeout(60)
class ExitWatchRaceTest {

    @Test
    void aWatchRacingTheEndOfAThreadWithoutACellIsToldOnce() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("exit-watch-race").build())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            int lost = 0;
            int raced = 0;
            for (int i = 0; System.nanoTime() < deadline && lost == 0; i++) {
                AtomicBoolean go = new AtomicBoolean();
                AtomicBoolean running = new AtomicBoolean();
                GreenHandle<Void> h = rt.spawn(() -> {
                    running.set(true);
                    while (!go.get()) {
                        Thread.onSpinWait();
                    }
                });
                GreenThread<?> g = (GreenThread<?>) h;
                while (!running.get()) {
                    Thread.onSpinWait();
                }
                AtomicInteger told = new AtomicInteger();
                ExitListener listener = down -> told.incrementAndGet();
                int delay = i % 400;
                go.set(true);
                boolean endedFirst = false;
                for (int k = 0; k < delay; k++) {
                    if (g.isDone()) {
                        endedFirst = true;
                        break;
                    }
                }
                if (!endedFirst) {
                    raced++;
                    ActorCell.watch(g, listener);
                }
                h.join(Duration.ofSeconds(10));
                if (!endedFirst && told.get() != 1) {
                    lost++;
                }
            }
            assertThat(raced).isPositive();
            assertThat(lost).as("watches never told (or told twice) in %d raced rounds", raced).isZero();
        }
    }
}
