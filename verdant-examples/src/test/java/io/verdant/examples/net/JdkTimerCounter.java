package io.verdant.examples.net;

import java.lang.reflect.Field;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Counts the timer tasks the JDK schedules for timed parks of virtual threads
 * whose scheduler is not a {@code ForkJoinPool} (every green thread): JDK 25
 * sends them to the {@code ScheduledThreadPoolExecutor}s of
 * {@code java.lang.VirtualThread$DelayedTaskSchedulers}. While open, those
 * executors are replaced by counting ones (reflection; the test JVM opens
 * {@code java.lang}); {@link #close()} puts the JDK's back. A JDK without that
 * class skips the test that uses it.
 */
final class JdkTimerCounter implements AutoCloseable {
    private final Object[] slots;
    private final Object[] originals;
    private final AtomicLong scheduled = new AtomicLong();

    JdkTimerCounter() {
        Object[] found = null;
        try {
            Field f = Class.forName("java.lang.VirtualThread$DelayedTaskSchedulers").getDeclaredField("INSTANCE");
            f.setAccessible(true);
            found = (Object[]) f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            assumeTrue(false, "this JDK has no VirtualThread$DelayedTaskSchedulers.INSTANCE to count: " + e);
        }
        slots = found;
        originals = slots.clone();
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Counting();
        }
    }

    /** Timer tasks scheduled since this counter was opened. */
    long scheduled() {
        return scheduled.get();
    }

    @Override
    public void close() {
        for (int i = 0; i < slots.length; i++) {
            Object counting = slots[i];
            slots[i] = originals[i];
            // Tasks already scheduled on it still run (delayed tasks survive shutdown by default).
            ((ScheduledExecutorService) counting).shutdown();
        }
    }

    private final class Counting extends ScheduledThreadPoolExecutor {
        Counting() {
            super(1, r -> {
                Thread t = new Thread(r, "VirtualThread-unparker (counting)");
                t.setDaemon(true);
                return t;
            });
            setRemoveOnCancelPolicy(true); // as the JDK's own
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            scheduled.incrementAndGet();
            return super.schedule(command, delay, unit);
        }
    }
}
