package io.verdant;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * For the probes {@link JdkPollersTest} runs in a fresh JVM whose default
 * scheduler has one carrier: a CPU-bound default virtual thread that holds that
 * carrier from {@link #start()} until {@link #release()} (at most 30 s).
 */
final class DefaultCarrierHog {
    private final Thread thread;
    private volatile boolean released;

    private DefaultCarrierHog() throws InterruptedException {
        CountDownLatch hogging = new CountDownLatch(1);
        thread = Thread.ofVirtual().start(() -> {
            hogging.countDown();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!released && System.nanoTime() < end) {
                Thread.onSpinWait();
            }
        });
        hogging.await();
    }

    /** Returns once the hog runs, holding the default scheduler's carrier. */
    static DefaultCarrierHog start() throws InterruptedException {
        return new DefaultCarrierHog();
    }

    /** Whether it still holds the carrier (not released, its 30 s not over). */
    boolean holding() {
        return thread.isAlive();
    }

    /** Lets it end and waits until it has. */
    void release() throws InterruptedException {
        released = true;
        thread.join();
    }
}
