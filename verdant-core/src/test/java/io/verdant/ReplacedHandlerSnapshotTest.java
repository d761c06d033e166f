package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Snapshots and dumps name the green thread a waiter waits for (a mutex's
 * holder) through the holder's thread: that must work for a holder whose
 * uncaught-exception handler user code replaced, by which Verdant used to find
 * the green thread of a thread.
 */
@Timeout(60)
class ReplacedHandlerSnapshotTest {
    @Test
    void aMutexHolderWhoseHandlerWasReplacedIsNamedAsTheHolder() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("ueh-snap").build())) {
            Mutex<Integer> mutex = new Mutex<>(0);
            CountDownLatch locked = new CountDownLatch(1);
            Channel<String> release = Channel.rendezvous();
            GreenHandle<Object> holder = rt.spawner().name("holder").spawn(() -> {
                Thread.currentThread().setUncaughtExceptionHandler((t, e) -> { });
                try (Mutex.Guard<Integer> g = mutex.lock(Duration.ofSeconds(30))) {
                    locked.countDown();
                    return release.receive() + g.get();
                }
            });
            assertThat(locked.await(20, TimeUnit.SECONDS)).isTrue();
            GreenHandle<Integer> locker = rt.spawner().name("locker").spawn(() -> {
                try (Mutex.Guard<Integer> g = mutex.lock(Duration.ofSeconds(30))) {
                    return g.get();
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (locker.state() != GreenState.WAITING && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            GreenThreadInfo l = rt.snapshot().find(locker.pid()).orElseThrow();
            assertThat(l.waitReason()).endsWith("held by " + holder.pid() + " 'holder'");
            assertThat(l.waitingFor()).isEqualTo(holder.pid());
            release.send("done");
            assertThat(holder.join(Duration.ofSeconds(20))).isEqualTo("done0");
            assertThat(locker.join(Duration.ofSeconds(20))).isZero();
        }
    }
}
