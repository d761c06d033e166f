package io.verdant.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

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
 *   thread; records from platform threads are written directly, except from a
 *   runtime's own carriers and ticker: a backend that blocks there would stop
 *   every green thread of the carrier, or every timer of the runtime (seen: a
 *   timer's send to a dead pid, a dead letter raised on the ticker, stopped
 *   every Green.sleep of the runtime while the backend blocked).
 *
 * Queue (never blocks a logging green thread)
 *   A lock-free queue with a size counter bounding it to CAPACITY; a record
 *   that does not fit is dropped and counted, and the writer reports the count
 *   at WARNING on the io.verdant logger before the next record it takes (a
 *   drop always has records queued after it). Its own record: appended to the
 *   next one, the count was lost whenever that record's logger filtered it
 *   out (a level turned down). A green thread that logs never parks: a
 *   lock-based queue (ArrayBlockingQueue) parked it on the queue's lock while
 *   the writer held it, and the writer's unlock then woke it from outside its
 *   runtime, which a deterministic runtime refuses (seen: a supervisor's
 *   restart record failed SameSeedAcrossJvmsTest's schedule, "woken by
 *   verdant-log-writer").
 *
 * Threads and wake-up
 *   log(): any thread; offers, then unparks the writer (a permit, so a record
 *   offered between the writer's empty poll and its park is not missed). The
 *   writer: its own thread only; polls, parks when empty. It is started on
 *   demand by whichever logger, having offered, finds no writer and wins the
 *   CAS on STARTING (a daemon: it never keeps the JVM alive); STARTING stays
 *   set while a writer lives. A start that throws clears STARTING, so a later
 *   record (or a flush) starts it; the logger does not get the failure. The
 *   class is initialised at the first runtime's start (EagerClasses), not by
 *   the first record, which may be logged near the end of a green thread's
 *   stack.
 *
 * Retirement (so that no thread of Verdant's outlives its runtimes)
 *   A writer that found the queue empty for IDLE_NANOS ends: before, it parked
 *   for the life of the JVM, and its Runnable, a class of Verdant's, kept the
 *   class loader that loaded Verdant from being collected after the last
 *   runtime closed (an app server's redeploy; ClassLoaderUnloadTest). It
 *   clears writer, then STARTING, then peeks: a record there is its own to
 *   write if it wins STARTING back, else a newer writer's. Against a logger:
 *   the logger offers, then reads writer, and unparks it or, finding null,
 *   tries STARTING. Either the writer's peek sees the offer, or the logger's
 *   read (after the offer) sees writer cleared and it, or the writer that won
 *   STARTING before it, polls the record.
 *
 * Flush (a runtime's close)
 *   The writer is a daemon: records still queued when the JVM exits are lost,
 *   and a program often exits right after closing its runtime. So close waits,
 *   bounded, until the writer has handled as many records as had been queued
 *   when the wait began (QUEUED, then HANDLED: each counts every record once,
 *   HANDLED after its write returned or threw). The flusher polls (a timed
 *   park) instead of being woken by the writer, which would wake a closer that
 *   is a green thread of another runtime from outside it.
 * </pre>
 */
public final class OffThreadLog {
    /** Records waiting for the writer: enough for a burst of failures; beyond it
     * records are counted, not queued (memory stays bounded). Chosen, not measured. */
    static final int CAPACITY = 4096;

    private static final ConcurrentLinkedQueue<Object[]> QUEUE = new ConcurrentLinkedQueue<>();
    /** Records in QUEUE (incremented before the offer, decremented after the poll). */
    private static final AtomicInteger SIZE = new AtomicInteger();
    private static final AtomicLong DROPPED = new AtomicLong();
    /** Records accepted into QUEUE, ever (see "Flush"). */
    private static final AtomicLong QUEUED = new AtomicLong();
    /** Records the writer has written (or whose write threw), ever; written by the writer only. */
    private static final AtomicLong HANDLED = new AtomicLong();
    /** How often a flush looks at HANDLED: 1 ms, as close's other waits. Chosen, not measured. */
    private static final long FLUSH_POLL_NANOS = 1_000_000L;
    /** How long an idle writer waits for a record before it ends (see "Retirement"): short enough
     * that a closed deployment's loader is soon collectable, long enough that a burst of records
     * starts one thread. Chosen, not measured. */
    static final long IDLE_NANOS = 1_000_000_000L;
    /** IDLE_NANOS, but for a test that makes writers retire all the time; read by each writer as it starts. */
    static volatile long idleNanos = IDLE_NANOS;
    /** Set while a writer lives or is being started (see "Retirement"). */
    private static final AtomicBoolean STARTING = new AtomicBoolean();
    private static volatile Thread writer;

    private OffThreadLog() {
    }

    /**
     * Any thread. Logs {@code message} (and {@code thrown}, if not null) on
     * {@code logger}: directly on a platform thread, through the writer thread
     * on a virtual thread (never parking it) or on a runtime's carrier or ticker.
     *
     * @param logger  where to log
     * @param level   the record's level
     * @param message the message
     * @param thrown  the throwable to attach, or null
     */
    public static void log(System.Logger logger, System.Logger.Level level, String message, Throwable thrown) {
        Thread self = Thread.currentThread();
        if (!self.isVirtual() && !(self instanceof io.verdant.internal.sched.Worker)
                && !(self instanceof io.verdant.internal.sched.Ticker)) {
            write(logger, level, message, thrown);
            return;
        }
        if (SIZE.incrementAndGet() > CAPACITY) {
            SIZE.decrementAndGet();
            DROPPED.incrementAndGet();
            return;
        }
        QUEUED.incrementAndGet();
        QUEUE.offer(new Object[] {logger, level, message, thrown});
        Thread w = writer; // after the offer (see "Retirement")
        if (w != null) {
            LockSupport.unpark(w);
        } else if (STARTING.compareAndSet(false, true)) {
            tryStartWriter();
        }
    }

    /** Any thread: the writer thread, or null before the first record from a virtual thread or carrier. */
    static Thread writer() {
        return writer;
    }

    /**
     * Starts the writer, the caller having won STARTING. Should that fail (a
     * StackOverflowError, the first record logged near the end of a green thread's
     * stack; an OutOfMemoryError, no native thread to be had), the record stays
     * queued and the next record, or a flush, tries again: left set, STARTING would
     * keep every later record from green threads queued and never written. The
     * failure is not thrown: log() is called from error paths (a callback that
     * threw, among others still to run) that must go on.
     */
    private static void tryStartWriter() {
        try {
            // A class, not a method reference: an invokedynamic site whose linkage failed would fail for good.
            Thread t = new Thread(null, new Drain(), "verdant-log-writer", 0, false);
            t.setDaemon(true);
            writer = t;
            io.verdant.internal.sched.Faults.logWriterStarting();
            t.start();
        } catch (Throwable e) {
            writer = null;
            STARTING.set(false);
        }
    }

    private static final class Drain implements Runnable {
        @Override
        public void run() {
            drain();
        }
    }

    private static void drain() {
        long idleFor = idleNanos;
        long idleSince = System.nanoTime();
        for (;;) {
            Object[] r = QUEUE.poll();
            if (r == null) {
                long idle = System.nanoTime() - idleSince;
                if (idle < idleFor) {
                    LockSupport.parkNanos(OffThreadLog.class, idleFor - idle);
                } else if (retire()) {
                    return;
                } else {
                    idleSince = System.nanoTime();
                }
                continue;
            }
            SIZE.decrementAndGet();
            long dropped = DROPPED.getAndSet(0);
            if (dropped > 0) {
                try {
                    System.getLogger("io.verdant").log(System.Logger.Level.WARNING, dropped
                            + " log record(s) from green threads were dropped: more than " + CAPACITY
                            + " were waiting to be written");
                } catch (Throwable ignored) {
                    // As below: a failing backend must not kill the writer.
                }
            }
            try {
                write((System.Logger) r[0], (System.Logger.Level) r[1], (String) r[2], (Throwable) r[3]);
            } catch (Throwable ignored) {
                // A failing backend must not kill the writer; nothing else to report to.
            }
            HANDLED.incrementAndGet();
            idleSince = System.nanoTime();
        }
    }

    /** The writer, idle: true if it may end, false if it is still the writer (see "Retirement"). */
    private static boolean retire() {
        writer = null;
        STARTING.set(false);
        if (QUEUE.peek() != null && STARTING.compareAndSet(false, true)) {
            writer = Thread.currentThread();
            return false;
        }
        return true;
    }

    /**
     * Any thread. Waits up to {@code timeoutNanos} until the records green threads
     * logged before this call have been written (see "Flush"); returns at once if
     * there are none. An interrupt does not cut
     * the wait short; it is kept.
     *
     * @param timeoutNanos how long to wait at most
     * @return true if they were written in time
     */
    public static boolean flush(long timeoutNanos) {
        long target = QUEUED.get();
        if (HANDLED.get() >= target) {
            return true;
        }
        Thread w = writer; // null: the one a queued record started has not set it yet, or has ended
        if (w == Thread.currentThread()) {
            // A backend that closes a runtime while it writes a record: the writer
            // cannot wait for itself (it waited the whole timeout: CloseFromLogWriterTest).
            return false;
        }
        if (w != null) {
            LockSupport.unpark(w);
        } else if (STARTING.compareAndSet(false, true)) {
            tryStartWriter(); // the records' own start failed (or its writer retired just now)
        }
        long start = System.nanoTime();
        boolean interrupted = false;
        try {
            while (HANDLED.get() < target) {
                long left = timeoutNanos - (System.nanoTime() - start);
                if (left <= 0) {
                    return false;
                }
                LockSupport.parkNanos(OffThreadLog.class, Math.min(left, FLUSH_POLL_NANOS));
                interrupted |= Thread.interrupted(); // else every later park returns at once
            }
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
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
