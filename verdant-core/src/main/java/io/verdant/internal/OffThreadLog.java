package io.verdant.internal;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes log records for green threads from a platform thread.
 *
 * <pre>
 * Why
 *   A logging backend takes JVM-wide locks (java.util.logging's ConsoleHandler
 *   monitor, the stream's lock) and may block inside them. A green thread that
 *   unmounts while holding one, and is then never resumed (its runtime closed
 *   and dropped its continuation), holds the lock forever and every later log
 *   call in the JVM hangs. Seen in the test suite: a failure record written by
 *   the failing green thread held the ConsoleHandler monitor after its runtime
 *   closed. So records from virtual threads are handed to one daemon platform
 *   thread; records from platform threads are written directly.
 *
 * Queue
 *   bounded (CAPACITY); a record that does not fit is dropped and counted, and
 *   the count is written with the next record that does. The writer thread is
 *   started on first use and parks in take() when idle (a daemon: it never
 *   keeps the JVM alive).
 *
 * Threads
 *   log(): any thread. The writer: its own thread only.
 * </pre>
 */
public final class OffThreadLog {
    /** Records waiting for the writer: enough for a burst of failures; beyond it
     * records are counted, not queued (memory stays bounded). Chosen, not measured. */
    static final int CAPACITY = 4096;

    private static final ArrayBlockingQueue<Object[]> QUEUE = new ArrayBlockingQueue<>(CAPACITY);
    private static final AtomicLong DROPPED = new AtomicLong();
    private static volatile boolean started;

    private OffThreadLog() {
    }

    /**
     * Any thread. Logs {@code message} (and {@code thrown}, if not null) on
     * {@code logger}: directly on a platform thread, through the writer thread
     * on a virtual thread.
     *
     * @param logger  where to log
     * @param level   the record's level
     * @param message the message
     * @param thrown  the throwable to attach, or null
     */
    public static void log(System.Logger logger, System.Logger.Level level, String message, Throwable thrown) {
        if (!Thread.currentThread().isVirtual()) {
            write(logger, level, message, thrown);
            return;
        }
        if (!started) {
            start();
        }
        if (!QUEUE.offer(new Object[] {logger, level, message, thrown})) {
            DROPPED.incrementAndGet();
        }
    }

    private static synchronized void start() {
        if (started) {
            return;
        }
        Thread t = new Thread(null, OffThreadLog::drain, "verdant-log-writer", 0, false);
        t.setDaemon(true);
        t.start();
        started = true;
    }

    private static void drain() {
        for (;;) {
            Object[] r;
            try {
                r = QUEUE.take();
            } catch (InterruptedException e) {
                continue;
            }
            long dropped = DROPPED.getAndSet(0);
            String message = (String) r[2];
            if (dropped > 0) {
                message += " (" + dropped + " earlier log record(s) from green threads were dropped: queue full)";
            }
            try {
                write((System.Logger) r[0], (System.Logger.Level) r[1], message, (Throwable) r[3]);
            } catch (Throwable ignored) {
                // A failing backend must not kill the writer; nothing else to report to.
            }
        }
    }

    private static void write(System.Logger logger, System.Logger.Level level, String message, Throwable thrown) {
        if (thrown == null) {
            logger.log(level, message);
        } else {
            logger.log(level, message, thrown);
        }
    }
}
