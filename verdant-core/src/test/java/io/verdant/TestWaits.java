package io.verdant;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waits the tests share: for a condition, and for an object to be garbage-collected. */
public final class TestWaits {
    private TestWaits() {
    }

    /**
     * Returns once {@code condition} holds; fails with {@code what} after 30 s. The
     * assertion is on the reading that ended the wait: a state may move on after it.
     */
    public static void until(BooleanSupplier condition, String what) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        boolean met;
        while (!(met = condition.getAsBoolean()) && System.nanoTime() < until) {
            Thread.sleep(1);
        }
        assertThat(met).as(what).isTrue();
    }

    /** Runs the collector until {@code ref} is cleared, for at most 20 s; the caller asserts. */
    public static void awaitCollected(WeakReference<?> ref) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (ref.get() != null && System.nanoTime() < until) {
            System.gc();
            Thread.sleep(10);
        }
    }

    /** Whether {@code ref} is cleared within 20 s of collections. */
    public static boolean collected(WeakReference<?> ref) throws InterruptedException {
        awaitCollected(ref);
        return ref.get() == null;
    }
}
