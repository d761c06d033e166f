package io.verdant;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the Abandoned* tests leave green threads parked for good: a runtime of
 * one carrier (no spares) whose close cancels them while another of its
 * threads spins on that carrier without a safepoint, so they never run again.
 * The spinner is released once close has returned; the parked ones stay.
 */
public final class AbandonedWaiters {
    private AbandonedWaiters() {
    }

    /**
     * Starts {@code count} green threads that each call {@code wait} and checks
     * that each is WAITING, then closes their runtime with its carrier held.
     *
     * @return the abandoned threads, weakly
     */
    static List<WeakReference<Thread>> abandon(String name, int count, Callable<?> wait) throws Exception {
        List<WeakReference<Thread>> threads = new ArrayList<>();
        Verdant a = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name(name)
                .shutdownTimeout(Duration.ofMillis(100)).failureHandler((h, t) -> { }).build());
        try {
            for (int i = 0; i < count; i++) {
                GreenHandle<?> g = a.spawn(() -> {
                    synchronized (threads) {
                        threads.add(new WeakReference<>(Thread.currentThread()));
                    }
                    return wait.call();
                });
                awaitWaitingForGood(g);
                assertThat(g.state()).isEqualTo(GreenState.WAITING);
            }
            closeHoldingItsCarrier(a);
        } finally {
            a.close();
        }
        return threads;
    }

    /**
     * A green thread waiting in {@code Green.receive()}, abandoned by the close of its
     * one-carrier runtime {@code name} (closed when this returns): its handle.
     */
    static GreenHandle<Object> abandonedReceiver(String name) throws Exception {
        Verdant closed = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).name(name)
                .shutdownTimeout(Duration.ofMillis(100)).failureHandler((h, t) -> { }).build());
        try {
            GreenHandle<Object> abandoned = closed.spawn(() -> Green.receive());
            StallTest.waitUntil(() -> abandoned.state() == GreenState.WAITING);
            closeHoldingItsCarrier(closed);
            return abandoned;
        } finally {
            closed.close();
        }
    }

    /**
     * Returns once {@code g} is WAITING on three looks 5 ms apart (fails after 20 s):
     * a thread can park for a moment on its way into a wait (a lock the ticker
     * holds, a channel's own lock, descheduled on a loaded machine) and be RUNNING
     * again at the next look.
     */
    public static void awaitWaitingForGood(GreenHandle<?> g) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int looks = 0;
        while (looks < 3 && System.nanoTime() < until) {
            looks = g.state() == GreenState.WAITING ? looks + 1 : 0;
            Thread.sleep(looks == 0 ? 1 : 5);
        }
        assertThat(looks).as("waiting for good").isEqualTo(3);
    }

    /**
     * Closes {@code a}, a runtime of one carrier and no spares, while one of its
     * green threads spins on that carrier without a safepoint, so the threads
     * close cancels never run again; the spinner is released once close returned.
     */
    public static void closeHoldingItsCarrier(Verdant a) throws InterruptedException {
        AtomicBoolean release = new AtomicBoolean();
        try {
            CountDownLatch holding = new CountDownLatch(1);
            a.spawn(() -> {
                holding.countDown();
                while (!release.get()) {
                    Thread.onSpinWait(); // holds the only carrier: the cancelled threads never run
                }
            });
            assertThat(holding.await(20, TimeUnit.SECONDS)).isTrue();
            a.close();
        } finally {
            release.set(true);
        }
    }

    /** Collects garbage until every thread is gone, for up to 10 s, then asserts that none is left. */
    static void assertCollected(List<WeakReference<Thread>> threads, String what) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (threads.stream().anyMatch(r -> r.get() != null) && System.nanoTime() < until) {
            System.gc();
            Thread.sleep(10);
        }
        assertThat(threads.stream().filter(r -> r.get() != null).count()).as(what).isZero();
    }
}
