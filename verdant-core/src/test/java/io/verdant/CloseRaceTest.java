package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * close() racing spawn() from other threads (issue 10, items 2 and 3; the
 * CloseSpawn reproducer): close never throws, and every green thread whose spawn
 * succeeded is cancelled by close, none is left to be abandoned after the
 * shutdown timeout; a spawn that loses the race fails with "runtime closed".
 */
@Timeout(120)
class CloseRaceTest {
    /** Per spawner and round: bounds the round's work; close starts after 50. */
    private static final int MAX_SPAWNS = 5_000;

    @Test
    void closeRacingPlatformSpawnersCancelsEverySpawnedThreadAndNeverThrows() throws Exception {
        // The shutdown timeout is far above what cancelling a few thousand sleepers
        // takes even on a loaded machine: a thread still alive when it expires is
        // one that close never cancelled (it is then abandoned, see below).
        for (int round = 0; round < 8; round++) {
            Verdant rt = Verdant.start(Config.builder().workers(2).name("close-race-" + round)
                    .shutdownTimeout(Duration.ofSeconds(20)).build());
            Queue<GreenHandle<Object>> spawned = new ConcurrentLinkedQueue<>();
            AtomicReference<Throwable> unexpected = new AtomicReference<>();
            CountDownLatch enough = new CountDownLatch(2);
            List<Thread> spawners = new ArrayList<>();
            for (int s = 0; s < 2; s++) {
                Thread t = new Thread(() -> {
                    int n = 0;
                    try {
                        while (n < MAX_SPAWNS) {
                            spawned.add(rt.spawn(() -> {
                                Green.sleep(Duration.ofHours(1));
                                return null;
                            }));
                            if (++n == 50) {
                                enough.countDown();
                            }
                        }
                    } catch (IllegalStateException closed) {
                        if (!String.valueOf(closed.getMessage()).contains("closed")) {
                            unexpected.set(closed);
                        }
                    } catch (Throwable t2) {
                        unexpected.set(t2);
                    } finally {
                        enough.countDown();
                    }
                }, "close-race-spawner-" + s);
                t.start();
                spawners.add(t);
            }
            assertThat(enough.await(20, TimeUnit.SECONDS)).isTrue();

            Throwable fromClose = catchThrowable(rt::close);
            for (Thread t : spawners) {
                t.join(TimeUnit.SECONDS.toMillis(20));
                assertThat(t.isAlive()).isFalse();
            }
            assertThat(fromClose).as("close() in round %d", round).isNull();
            assertThat(unexpected.get()).as("spawner failure in round %d", round).isNull();
            assertThat(rt.isClosed()).isTrue();
            assertThat(rt.liveThreads()).isZero();
            // A carrier counts itself stopped just before its thread ends: join them.
            for (Thread t : StallTest.threads("close-race-" + round)) {
                t.join(TimeUnit.SECONDS.toMillis(10));
            }
            assertThat(StallTest.threads("close-race-" + round)).isEmpty();
            // Cancelled by close (the body's sleep threw CancelledException), never
            // abandoned after the shutdown timeout (join would throw CancelledException).
            for (GreenHandle<Object> h : spawned) {
                Throwable joined = catchThrowable(h::join);
                assertThat(joined).as("join of %s in round %d", h.pid(), round)
                        .isInstanceOf(GreenFailedException.class).hasCauseInstanceOf(CancelledException.class);
            }
            rt.close(); // idempotent, does not throw again
        }
    }
}
