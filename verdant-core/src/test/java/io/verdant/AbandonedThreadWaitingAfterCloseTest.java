package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A green thread still running when its runtime's close abandoned it (it held
 * the only carrier with no safepoint, and cleared the interrupt of its
 * cancellation) that waits on a shared mutex or channel after close returned:
 * it can never run again to take what it waits for, so its wait must fail as a
 * cancelled one does, not be queued. Before, it was queued: an unlock handed
 * the mutex to it and every later lock timed out; a send handed it the value.
 */
@Timeout(60)
class AbandonedThreadWaitingAfterCloseTest {
    private static volatile boolean go;

    /**
     * Runs {@code waitOnShared} in a green thread of a runtime closed while the
     * thread spins (abandoned, still running), once close has returned.
     * @return what the wait threw, or null while it has not ended
     */
    private static AtomicReference<Throwable> waitAfterClose(Consumer<CountDownLatch> waitOnShared, Runnable queued)
            throws Exception {
        go = false;
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        CountDownLatch ended = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        Verdant rt = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name("abandoned-running")
                .shutdownTimeout(Duration.ofMillis(100)).failureHandler((h, t) -> { }).build());
        try {
            GreenHandle<Void> spinner = rt.spawn(() -> {
                holding.countDown();
                while (!go) {
                    Thread.interrupted(); // ignores its cancellation, no safepoint
                    Thread.onSpinWait();
                }
                Thread.interrupted();
                try {
                    waitOnShared.accept(ended);
                } catch (Throwable t) {
                    thrown.set(t);
                    ended.countDown();
                }
            });
            assertThat(holding.await(20, TimeUnit.SECONDS)).isTrue();
            rt.close(); // abandons the spinner, still running
            assertThat(spinner.isDone()).isTrue();
        } finally {
            go = true;
            rt.close();
        }
        // Its wait ends (CancelledException), or it stays queued on the shared object (before the fix).
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ended.getCount() > 0 && System.nanoTime() < until) {
            queued.run();
            Thread.sleep(1);
        }
        return thrown;
    }

    @Test
    void aMutexIsNotHandedToAThreadThatWaitsAfterItsRuntimeAbandonedIt() throws Exception {
        Mutex<Integer> m = new Mutex<>(0);
        Mutex.Guard<Integer> held = m.lock(Duration.ofSeconds(1));
        AtomicReference<Throwable> thrown;
        try {
            thrown = waitAfterClose(ended -> {
                try (Mutex.Guard<Integer> g = m.lock(Duration.ofSeconds(30))) {
                    g.set(1);
                    ended.countDown();
                }
            }, () -> {
                if (m.waiters() > 0) {
                    throw new AssertionError("the abandoned thread is queued on the mutex");
                }
            });
        } finally {
            held.close();
        }
        assertThat(thrown.get()).isInstanceOf(CancelledException.class);
        try (Mutex.Guard<Integer> g = m.lock(Duration.ofSeconds(2))) {
            assertThat(g.get()).isZero();
        }
    }

    @Test
    void aSendDoesNotHandAValueToAThreadThatReceivesAfterItsRuntimeAbandonedIt() throws Exception {
        Channel<String> ch = Channel.rendezvous();
        AtomicReference<Throwable> thrown = waitAfterClose(ended -> {
            ch.receive();
            ended.countDown();
        }, () -> {
            if (ch.trySend("lost?")) {
                throw new AssertionError("a value was handed to the abandoned thread");
            }
        });
        assertThat(thrown.get()).isInstanceOf(CancelledException.class);
        assertThat(ch.trySend("lost?")).as("nobody live receives on the channel").isFalse();
    }
}
