package io.verdant.internal;

import io.verdant.CancelledException;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The pool behind {@code Green.blocking}: platform threads that run work known
 * to block or pin a carrier (file I/O, JNI, a legacy blocking client) while the
 * calling green thread parks, so its carrier keeps serving other green threads.
 *
 * <pre>
 * Pool
 *   A ThreadPoolExecutor of at most Config.blockingThreads daemon threads,
 *   created lazily on first use (a runtime that never blocks pays nothing).
 *   Core size = maximum size with core time-out: threads appear on demand up to
 *   the bound, then calls queue (unbounded LinkedBlockingQueue: a queued call
 *   only costs its green thread's parked continuation), and idle threads end
 *   after KEEP_ALIVE_SECONDS.
 *
 * Thread context
 *   A pool thread is made by whichever caller's submission needs one and then
 *   serves every later call, so it inherits nothing from that caller: no
 *   inheritable thread locals (the first caller's request context leaked into
 *   unrelated later calls). Each call runs with its caller's context class
 *   loader, set for the work and restored after it.
 *
 * One call (state machine of Call.state)
 *     QUEUED  -> RUNNING    pool thread starts it (CAS; fails if cancelled first)
 *     QUEUED  -> CANCELLED  the caller was interrupted first: the work never runs
 *     RUNNING -> DONE       pool thread finished; result or failure written before
 *                           the releasing store, then the caller is unparked
 *     RUNNING -> DONE       also after the caller cancelled a running call: the
 *                           caller interrupts the pool thread and stops waiting
 *                           (a cancel between the claim and the pool thread's record
 *                           as runner leaves stop set: the runner interrupts itself)
 *   The caller (0) enters like every Verdant blocking operation (Waits.enter:
 *   a safepoint; a caller already cancelled or interrupted gets
 *   CancelledException and nothing is submitted, even if a cancellation's
 *   interrupt was consumed before: the wait below would otherwise last as long
 *   as the work), (1) submits, (2) loops: reads state (acquire), returns when DONE,
 *   else parks (LockSupport: a green thread parks, never its carrier). A
 *   spurious wake-up re-checks. Cancelled or interrupted while waiting: a call found
 *   DONE on a second read is returned (it finished between the first read and the
 *   cancellation check: its result was dropped, BlockingFinishedBeforeCancelTest);
 *   else CAS QUEUED -> CANCELLED, or interrupt the pool thread running it; then
 *   CancelledException with the interrupt status left set. A park that throws (a StackOverflowError)
 *   cancels the call the same way before the error propagates. The caller parks with the Call as its
 *   blocker; its toString is the caller's wait reason in snapshots and dumps
 *   ("Green.blocking (running)"), naming the state only, never the work.
 *
 * Shutdown
 *   RuntimeCore.close interrupts green threads first (so waiting callers cancel
 *   their calls), then shutdownNow() interrupts pool threads still running work
 *   and drops queued calls (their callers are gone or abandoned). A call
 *   submitted after that fails fast with CancelledException. Work that ignores
 *   the interrupt cannot be stopped: close waits for it a bounded time, counts
 *   it in a WARNING, and leaves it running on its daemon thread, which ends
 *   when it returns (its Call keeps its caller, and so the closed runtime,
 *   reachable until then).
 * </pre>
 */
final class BlockingPool {
    /** Idle pool threads end after this long; chosen, not measured. */
    private static final long KEEP_ALIVE_SECONDS = 30;

    /** The pool whose thread the caller is, or null (set once as a pool thread starts). */
    private static final ThreadLocal<BlockingPool> POOL = new ThreadLocal<>();

    private final String name;
    private final int maxThreads;
    private volatile ThreadPoolExecutor executor;
    private volatile boolean closed;

    BlockingPool(String name, int maxThreads) {
        this.name = name;
        this.maxThreads = maxThreads;
    }

    /**
     * The calling green thread's thread only: runs {@code work} on the pool and
     * parks until it ends; returns its result or throws what it threw.
     *
     * @throws CancelledException if cancelled or interrupted before or while waiting, or the runtime is closed
     * @throws StackOverflowError if the park overflows; the work is cancelled first, as for a cancellation
     */
    <T> T call(Callable<? extends T> work) throws Exception {
        Objects.requireNonNull(work, "work");
        // A safepoint, and a cancelled caller is refused before its work is handed over,
        // as by every Verdant blocking operation: its interrupt may have been consumed,
        // and the wait below would not end until the work did.
        Waits.enter("Green.blocking");
        Call<T> call = new Call<>(work, Thread.currentThread());
        try {
            pool().execute(call);
        } catch (RejectedExecutionException closing) {
            throw new CancelledException("runtime '" + name + "' is closed: cannot run blocking work");
        }
        while (call.stateAcquire() != Call.DONE) {
            io.verdant.internal.sched.Faults.blockingCallWaiting();
            if (Waits.cancelled()) {
                if (call.stateAcquire() == Call.DONE) {
                    break; // finished since the read above: its outcome is not dropped (the interrupt stays set)
                }
                cancel(call);
                throw new CancelledException("interrupted while waiting for blocking work");
            }
            try {
                LockSupport.park(call);
            } catch (Throwable t) {
                // A StackOverflowError in the park: the caller is leaving, so is its work
                // (it would otherwise run on, holding a pool thread, for nobody).
                cancel(call);
                throw t;
            }
        }
        return call.outcome();
    }

    /**
     * The caller, leaving: stops its call; one cancelled while queued also leaves the
     * queue, which would otherwise keep it (its work, its caller) until a pool thread
     * is free to skip it.
     */
    private void cancel(Call<?> call) {
        if (call.cancel()) {
            ThreadPoolExecutor e = executor;
            if (e != null) {
                e.remove(call);
            }
        }
    }

    private ThreadPoolExecutor pool() {
        ThreadPoolExecutor e = executor;
        if (e != null) {
            return e;
        }
        synchronized (this) {
            if (closed) {
                throw new RejectedExecutionException();
            }
            if (executor == null) {
                AtomicInteger n = new AtomicInteger();
                ThreadPoolExecutor made = new ThreadPoolExecutor(maxThreads, maxThreads, KEEP_ALIVE_SECONDS,
                        TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> Thread.ofPlatform()
                                .name(name + "-blocking-" + n.incrementAndGet()).daemon(true)
                                .inheritInheritableThreadLocals(false).unstarted(() -> {
                                    POOL.set(this);
                                    r.run();
                                }));
                made.allowCoreThreadTimeOut(true);
                executor = made;
            }
            return executor;
        }
    }

    /**
     * Any thread: interrupts running work and drops queued work, then waits up to
     * {@code timeoutNanos} for the pool's threads to end (an interrupt of the
     * caller does not end the wait; its status is set on return), unless the
     * caller is one of them; idempotent.
     *
     * @return how many works still run after the wait (they ignored the interrupt:
     *         their daemon threads end when they return); 0 if the caller is a pool thread
     */
    int shutdown(long timeoutNanos) {
        ThreadPoolExecutor e;
        synchronized (this) {
            closed = true;
            e = executor;
        }
        if (e != null) {
            e.shutdownNow();
        }
        if (e == null || POOL.get() == this) {
            return 0; // nothing started, or work of this pool closes the runtime: the pool cannot end while it runs
        }
        // An interrupt of the closer does not cut the wait short (Verdant.close waits as
        // ExecutorService.close does); it is set again on return.
        long deadline = System.nanoTime() + timeoutNanos;
        boolean interrupted = false;
        for (;;) {
            try {
                e.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                break;
            } catch (InterruptedException ie) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return e.isTerminated() ? 0 : e.getActiveCount();
    }

    /** Threads of the pool alive now; a snapshot (0 before first use). */
    int threads() {
        ThreadPoolExecutor e = executor;
        return e == null ? 0 : e.getPoolSize();
    }

    private static final class Call<T> implements Runnable {
        static final int QUEUED = 0;
        static final int RUNNING = 1;
        static final int DONE = 2;
        static final int CANCELLED = 3;

        private final Callable<? extends T> work;
        private final Thread caller;
        /** The caller's context class loader when it called: the work's, on the pool thread. */
        private final ClassLoader loader;
        /** Guarded by this: the pool thread running the work, null before and after. */
        private Thread runner;
        /** Guarded by this: the caller cancelled after the call was claimed; a runner recorded later interrupts itself. */
        private boolean stop;
        private T result;
        private Exception failure;
        /** An Error, or a Throwable that is neither Exception nor Error (thrown sneakily). */
        private Throwable error;
        @SuppressWarnings("unused") private volatile int state;

        Call(Callable<? extends T> work, Thread caller) {
            this.work = work;
            this.caller = caller;
            this.loader = caller.getContextClassLoader();
        }

        /** Pool thread. */
        @Override
        public void run() {
            if (!casState(QUEUED, RUNNING)) {
                return;
            }
            io.verdant.internal.sched.Faults.blockingCallStarting();
            Thread self = Thread.currentThread();
            synchronized (this) {
                runner = self;
                if (stop) {
                    runner.interrupt(); // cancelled between the claim and this record
                }
            }
            ClassLoader own = self.getContextClassLoader();
            try {
                self.setContextClassLoader(loader);
                result = work.call();
            } catch (Exception e) {
                failure = e;
            } catch (Throwable e) {
                error = e;
            } finally {
                self.setContextClassLoader(own);
                synchronized (this) {
                    runner = null;
                }
                Thread.interrupted(); // a cancelled call's interrupt must not reach the next call
                setStateRelease(DONE);
                LockSupport.unpark(caller);
            }
        }

        /** Caller only, interrupted: stops the work if it can; true if it never started. */
        boolean cancel() {
            if (casState(QUEUED, CANCELLED)) {
                return true;
            }
            // Under the lock, so the interrupt lands while this call's work runs
            // (runner is cleared under the same lock), never on a later call.
            synchronized (this) {
                stop = true;
                if (runner != null) {
                    runner.interrupt();
                }
            }
            return false;
        }

        /** Any thread (the caller, between parks): acquire, pairing with the pool thread's release of DONE. */
        int stateAcquire() {
            return (int) STATE.getAcquire(this);
        }

        /** The pool thread (QUEUED -> RUNNING) or the caller (QUEUED -> CANCELLED): exactly one wins. */
        private boolean casState(int expect, int update) {
            return STATE.compareAndSet(this, expect, update);
        }

        /** The pool thread: DONE, publishing result/failure/error (written plain before it). */
        private void setStateRelease(int s) {
            STATE.setRelease(this, s);
        }

        /**
         * The caller's wait reason while it parks on this call (WaitReasons): "Green.blocking
         * (queued)", "(running)", "(done)" or "(cancelled)"; never the work or its result.
         * Any thread; reads the state once, without the lock.
         */
        @Override
        public String toString() {
            return switch (stateAcquire()) {
                case QUEUED -> "Green.blocking (queued)";
                case RUNNING -> "Green.blocking (running)";
                case DONE -> "Green.blocking (done)";
                default -> "Green.blocking (cancelled)";
            };
        }

        /** Caller only, after DONE. */
        T outcome() throws Exception {
            if (error != null) {
                throw Call.<RuntimeException>rethrow(error);
            }
            if (failure != null) {
                throw failure;
            }
            return result;
        }

        /** Throws {@code t} as itself, whatever its type (the work may have thrown it sneakily). */
        @SuppressWarnings("unchecked")
        private static <X extends Throwable> X rethrow(Throwable t) throws X {
            throw (X) t;
        }

        private static final VarHandle STATE;
        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Call.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }
}
