package io.verdant.internal;

import io.verdant.CancelToken;
import io.verdant.Priority;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * An {@link java.util.concurrent.ExecutorService} that starts one green thread
 * per task, with the lifecycle of the JDK's
 * {@code Executors.newVirtualThreadPerTaskExecutor()} (see
 * {@code Verdant.executor()} for the user contract).
 *
 * <pre>
 * State (one-way)
 *   RUNNING -> SHUTDOWN   shutdown(): new tasks rejected, accepted ones run on
 *   RUNNING | SHUTDOWN -> STOP
 *                         shutdownNow(): also cancels the executor's token,
 *                         which cancels every task thread and its descendants
 *                         (and a task spawned in a race with it is born
 *                         cancelled: registration checks the token)
 *   The runtime's close counts as shutdown(): isShutdown() is true from then
 *   on (tasks are rejected: the runtime refuses the spawn), and termination
 *   follows once the tasks it cancelled have ended.
 *   terminated: set once (CAS) when shut down (state != RUNNING, or the
 *   runtime is closing) and active == 0; then the token's registration on the
 *   spawner's cancelWith token is withdrawn (a long-lived token would keep one
 *   per executor ever built) and every awaitTermination waiter is unparked.
 *
 * Counting tasks (execute versus shutdown)
 *   execute increments active, then reads state; shutdown writes state, then
 *   reads active. Both are sequentially consistent, so either execute sees the
 *   shutdown and backs out (rejecting), or shutdown sees the task and
 *   termination waits for it (the Dekker pair RuntimeCore uses for spawn and
 *   close). A task's onComplete callback decrements active when its thread
   ends, however it ends (the runtime's close abandoning it included).
 *
 * Waiting (awaitTermination, close)
 *   A waiter adds its thread to waiters and a closing listener (tryTerminate)
 *   to the runtime, re-checks the runtime (closed: tryTerminate itself), so
 *   a close with no task left to end still terminates the executor and wakes
 *   it; then it re-checks terminated and parks (Verdant's
 *   Waits: a green thread parks on the runtime's timer wheel, a platform thread
 *   with parkNanos); tryTerminate sets terminated before unparking, so no
 *   wake-up is lost. Cancellation of a green waiter (or an interrupt) is an
 *   InterruptedException, as the ExecutorService contract says. A green
 *   waiter its runtime's close abandons (parked here, the executor's blocker)
 *   never reaches its finally: close takes it and its closing listener out
 *   (dropAbandoned).
 *
 * Futures
 *   submit/invokeAll/invokeAny come from AbstractExecutorService over
 *   newTaskFor, which returns a GreenTask: a FutureTask that remembers the
 *   green thread running it, so cancel(true) cancels that thread through its
 *   token (its descendants too), not only interrupts it. A FutureTask
 *   whose thread ended without completing it (close abandoned the
 *   thread: it never runs again) is cancelled by execute's callback, so it
 *   completes; a platform caller's invokeAny's ExecutorCompletionService wraps each GreenTask in
 *   a FutureTask of its own, so a GreenTask run by a wrapper registers the
 *   same callback on its thread when it starts (one that never started is
 *   left: the wrapper hides it). A green caller's
 *   timed get waits through Waits (the runtime's timer wheel and clock, so
 *   virtual time in deterministic mode) instead of FutureTask's parkNanos (a
 *   JDK timer, refused by a deterministic runtime): it adds itself to the
 *   task's waiters before re-checking isDone, and done() unparks them all;
 *   one its runtime's close abandons leaves them (GreenTask.dropAbandoned).
 *   Its untimed get waits the same way, with no deadline: in FutureTask's own
 *   queue close could not reach it.
 *   The timed invokeAll measures its deadline on the caller's clock likewise,
 *   and a green caller's invokeAll, timed or not, waits for each task as
 *   invokeAny does (below): one its runtime's close abandons leaves its tasks'
 *   waiters, and they are cancelled, as its cancellation would cancel them;
 *   a green caller's invokeAny, timed or not, starts every task and waits as
 *   one of each task's waiters (JDK's waits in a LinkedBlockingQueue's poll or
 *   take, which every task's wrapper holds), listed in invokers: one its
 *   runtime's close abandons leaves them all and its tasks are cancelled
 *   (dropAbandoned: it parks with this executor as blocker).
 * Any thread may call any method.
 * </pre>
 */
public final class GreenExecutorService extends AbstractExecutorService implements AbandonedWaits {
    private static final int RUNNING = 0;
    private static final int SHUTDOWN = 1;
    private static final int STOP = 2;

    private final RuntimeCore runtime;
    private final ThreadNames names;
    private final Priority priority;
    /** Every task thread is registered under it; shutdownNow cancels it. */
    private final CancelNode token;
    /** The token's registration on the spawner's cancelWith token, or null; withdrawn once terminated. */
    private final CancelToken.Registration underRegistration;
    /** Makes each task thread's own mailbox bound, or null for unbounded mailboxes. */
    private final Supplier<MailboxBound> mailbox;
    /**
     * Threads in awaitTermination or close, each with its closing listener on the runtime, in the
     * order they began to wait: tryTerminate wakes them in that order. Not a map keyed by thread:
     * its iteration order follows the threads' identity hashes, which depend on what the JVM did
     * before, so a deterministic runtime's waiters joined its runnable set in another order from
     * run to run and one seed took different schedules (DetExecutorTerminationWaitersTest).
     */
    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();

    /** A thread in awaitTermination or close, and the closing listener it added to the runtime. */
    private record Waiter(Thread thread, Runnable closing) {
    }
    /** Green threads in an invokeAny or invokeAll (parked with this executor as blocker), each with the tasks it waits on. */
    private final ConcurrentHashMap<Thread, List<? extends Future<?>>> invokers = new ConcurrentHashMap<>();
    @SuppressWarnings("unused") private volatile int state;
    @SuppressWarnings("unused") private volatile long active;
    @SuppressWarnings("unused") private volatile boolean terminated;

    /**
     * Creates an executor.
     *
     * @param runtime the runtime its threads belong to
     * @param names how task threads are named
     * @param priority their priority
     * @param token a fresh token owned by this executor (cancelled by shutdownNow)
     * @param underRegistration what cancels {@code token} with the spawner's
     *        cancelWith token (withdrawn once the executor has terminated), or null
     * @param mailbox makes each task thread's mailbox bound, or null for unbounded mailboxes
     */
    public GreenExecutorService(RuntimeCore runtime, ThreadNames names, Priority priority, CancelNode token,
            CancelToken.Registration underRegistration, Supplier<MailboxBound> mailbox) {
        this.runtime = runtime;
        this.names = names;
        this.priority = priority;
        this.token = token;
        this.underRegistration = underRegistration;
        this.mailbox = mailbox;
    }

    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        getAndAddActive(1L);
        if (stateVolatile() != RUNNING) {
            taskEnded();
            throw new RejectedExecutionException("executor has been shut down");
        }
        if (command instanceof GreenTask<?> t) {
            t.executed = true; // before the spawn, which publishes it to the task's thread
        }
        GreenThread<Void> task;
        try {
            task = runtime.spawn(() -> {
                command.run();
                return null;
            }, names.next(), priority, token, null, mailbox == null ? null : mailbox.get());
        } catch (RuntimeException | Error e) {
            taskEnded();
            if (e instanceof IllegalStateException && runtime.isClosed()) {
                throw new RejectedExecutionException("runtime '" + runtime.name + "' is closed", e);
            }
            throw e;
        }
        // Counted as ended when its thread ends, however it ends (also when the
        // runtime closes and abandons it: the callback then runs on the closer).
        // A FutureTask (a submitted GreenTask, or invokeAny's wrapper of one) never
        // throws from run(): its thread failing means close abandoned it before it ran
        // the task to the end. It is cancelled, else it would never complete; counted
        // as ended even if the cancel throws (a user FutureTask's done()).
        task.onComplete((v, failure) -> {
            try {
                if (failure != null && command instanceof FutureTask<?> f) {
                    f.cancel(false);
                }
            } finally {
                taskEnded();
            }
        }, false);
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Callable<T> callable) {
        return new GreenTask<>(callable);
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Runnable runnable, T value) {
        return new GreenTask<>(java.util.concurrent.Executors.callable(runnable, value));
    }

    /**
     * As {@link AbstractExecutorService#invokeAll(Collection)}; a green caller
     * waits as in the timed one, with no deadline.
     */
    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        if (GreenThread.current() == null) {
            return super.invokeAll(tasks);
        }
        Objects.requireNonNull(tasks, "tasks");
        return invokeAll(tasks, Deadline.FOREVER, false);
    }

    /**
     * As {@link AbstractExecutorService#invokeAll(Collection, long, TimeUnit)},
     * with the deadline on the caller's clock (its runtime's for a green
     * thread); a platform caller waits as {@link GreenTask#get(long, TimeUnit)},
     * a green one as invokeAny does (listed in invokers, so its runtime's close
     * cancels the tasks, as its cancellation would).
     */
    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        Objects.requireNonNull(tasks, "tasks");
        Objects.requireNonNull(unit, "unit");
        long nanos = unit.toNanos(timeout);
        return invokeAll(tasks, Deadline.after(Math.max(0L, nanos)), nanos <= 0L);
    }

    /** invokeAll until {@code deadline} (FOREVER, green callers only: never times out); {@code timedOut}: at once. */
    private <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, Deadline deadline, boolean timedOut)
            throws InterruptedException {
        Thread me = Thread.currentThread();
        boolean green = GreenThread.current() != null;
        List<Future<T>> futures = new ArrayList<>(tasks.size());
        int j = 0;
        try {
            for (Callable<T> t : tasks) {
                futures.add(newTaskFor(t));
            }
            if (green) {
                invokers.put(me, futures); // filled: close reads it only once this thread has parked
            }
            int size = futures.size();
            for (int i = 0; i < size && !timedOut; i++) {
                if (i > 0 && deadline.expired()) {
                    timedOut = true;
                } else {
                    execute((Runnable) futures.get(i));
                }
            }
            for (; j < size && !timedOut; j++) {
                Future<T> f = futures.get(j);
                if (!f.isDone() && !(green ? awaitGreen((GreenTask<T>) f, deadline) : awaitPlatform(f, deadline))) {
                    timedOut = true;
                    j--; // f is not done: cancel it too
                }
            }
            if (timedOut) {
                for (int k = j; k < size; k++) {
                    futures.get(k).cancel(true);
                }
            }
            return futures;
        } catch (Throwable t) {
            for (Future<T> f : futures) {
                f.cancel(true);
            }
            throw t;
        } finally {
            if (green) {
                invokers.remove(me);
            }
        }
    }

    /** A platform caller of invokeAll: waits for {@code f} until the deadline; false if it passed first. */
    private static boolean awaitPlatform(Future<?> f, Deadline deadline) throws InterruptedException {
        try {
            f.get(Math.max(0L, deadline.remaining()), TimeUnit.NANOSECONDS);
        } catch (CancellationException | ExecutionException ignore) {
            // its outcome is in the future
        } catch (TimeoutException e) {
            return false;
        }
        return true;
    }

    /**
     * A green caller of invokeAll: waits for {@code f} among its waiters, with this
     * executor as blocker (dropAbandoned); false if the deadline passed first.
     */
    private boolean awaitGreen(GreenTask<?> f, Deadline deadline) throws InterruptedException {
        Thread me = Thread.currentThread();
        f.waiters.add(me);
        try {
            Waits.Outcome o = Waits.await(this, deadline, f::isDone);
            if (o == Waits.Outcome.CANCELLED) {
                Thread.interrupted();
                throw new InterruptedException("cancelled or interrupted in invokeAll");
            }
            return o == Waits.Outcome.READY;
        } finally {
            f.waiters.remove(me);
        }
    }

    /**
     * As {@link AbstractExecutorService#invokeAny(Collection)}; a green caller
     * waits as in the timed one, with no deadline (in the JDK's completion queue,
     * its runtime's close could neither reach it nor cancel its tasks).
     */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        if (GreenThread.current() == null) {
            return super.invokeAny(tasks);
        }
        Objects.requireNonNull(tasks, "tasks");
        try {
            return greenInvokeAny(tasks, Deadline.FOREVER);
        } catch (TimeoutException unreachable) {
            throw new AssertionError(unreachable);
        }
    }

    /**
     * As {@link AbstractExecutorService#invokeAny(Collection, long, TimeUnit)};
     * a green caller starts every task at once and waits on its runtime's timers
     * (it is among each task's waiters) for the first success, or for all to fail.
     */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (GreenThread.current() == null) {
            return super.invokeAny(tasks, timeout, unit);
        }
        Objects.requireNonNull(tasks, "tasks");
        Objects.requireNonNull(unit, "unit");
        return greenInvokeAny(tasks, Deadline.after(Math.max(0L, unit.toNanos(timeout))));
    }

    /** invokeAny of a green caller, until {@code deadline} (FOREVER: never times out). */
    private <T> T greenInvokeAny(Collection<? extends Callable<T>> tasks, Deadline deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("no tasks");
        }
        Thread me = Thread.currentThread();
        List<GreenTask<T>> futures = new ArrayList<>(tasks.size());
        try {
            for (Callable<T> t : tasks) {
                GreenTask<T> f = new GreenTask<>(Objects.requireNonNull(t, "task"));
                f.waiters.add(me);
                futures.add(f);
            }
            invokers.put(me, futures); // filled: close reads it only once this thread has parked
            for (GreenTask<T> f : futures) {
                execute(f);
            }
            for (;;) {
                ExecutionException failed = null;
                boolean allDone = true;
                for (GreenTask<T> f : futures) {
                    if (!f.isDone()) {
                        allDone = false;
                    } else if (f.state() == Future.State.SUCCESS) {
                        return f.resultNow();
                    } else if (f.state() == Future.State.FAILED) {
                        failed = new ExecutionException(f.exceptionNow());
                    }
                }
                if (allDone) {
                    throw failed != null ? failed
                            : new ExecutionException(new CancellationException("every task was cancelled"));
                }
                Waits.Outcome o = Waits.await(this, deadline, () -> anySucceededOrAllDone(futures));
                if (o == Waits.Outcome.CANCELLED) {
                    Thread.interrupted();
                    throw new InterruptedException("cancelled or interrupted in invokeAny");
                }
                if (o == Waits.Outcome.TIMED_OUT) {
                    throw new TimeoutException();
                }
            }
        } finally {
            invokers.remove(me);
            for (GreenTask<T> f : futures) {
                f.waiters.remove(me);
                f.cancel(true);
            }
        }
    }

    private static boolean anySucceededOrAllDone(List<? extends GreenTask<?>> futures) {
        boolean allDone = true;
        for (GreenTask<?> f : futures) {
            if (!f.isDone()) {
                allDone = false;
            } else if (f.state() == Future.State.SUCCESS) {
                return true;
            }
        }
        return allDone;
    }

    @Override
    public void shutdown() {
        casState(RUNNING, SHUTDOWN);
        tryTerminate();
    }

    @Override
    public List<Runnable> shutdownNow() {
        setStateVolatile(STOP);
        token.cancel();
        tryTerminate();
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return shutDown();
    }

    @Override
    public boolean isTerminated() {
        if (!terminated && runtime.isClosed()) {
            tryTerminate();
        }
        return terminated;
    }

    /** Shut down: by shutdown()/shutdownNow(), or by the runtime's close. */
    private boolean shutDown() {
        return stateVolatile() != RUNNING || runtime.isClosed();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        Objects.requireNonNull(unit, "unit");
        if (isTerminated()) {
            return true;
        }
        return await(unit.toNanos(timeout), true);
    }

    /**
     * Shuts down and waits for every task to end, as
     * {@code ExecutorService.close()}: if the caller is interrupted or
     * cancelled while waiting, the tasks are cancelled ({@link #shutdownNow()})
     * and it keeps waiting; its interrupt status is set on return.
     */
    @Override
    public void close() {
        if (terminated) {
            return;
        }
        shutdown();
        boolean interrupted = false;
        try {
            await(Long.MAX_VALUE, true);
        } catch (InterruptedException e) {
            interrupted = true;
            shutdownNow();
            try {
                await(Long.MAX_VALUE, false);
            } catch (InterruptedException unreachable) {
                throw new AssertionError(unreachable);
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits up to {@code nanos} for termination; true if terminated. With
     * {@code interruptible}, the caller's cancellation or interrupt is an
     * InterruptedException (interrupt status cleared); without, the wait is
     * deaf to both (the interrupt status is kept).
     */
    private boolean await(long nanos, boolean interruptible) throws InterruptedException {
        if (nanos <= 0) {
            return terminated;
        }
        Thread me = Thread.currentThread();
        Runnable closing = this::tryTerminate;
        Waiter waiter = new Waiter(me, closing);
        waiters.add(waiter);
        runtime.addClosingListener(closing);
        try {
            if (runtime.isClosed()) {
                tryTerminate();
            }
            if (interruptible) {
                Waits.Outcome o = Waits.await(this, Deadline.after(nanos), () -> terminated);
                if (o == Waits.Outcome.CANCELLED) {
                    Thread.interrupted();
                    throw new InterruptedException("cancelled or interrupted while awaiting termination");
                }
                return o == Waits.Outcome.READY;
            }
            boolean interrupted = Thread.interrupted();
            while (!terminated) {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                me.interrupt();
            }
            return true;
        } finally {
            runtime.removeClosingListener(closing);
            waiters.remove(waiter);
        }
    }

    /**
     * Close of the runtime of {@code t}, a thread it abandoned in awaitTermination
     * or close here (this executor may be another runtime's): it leaves the waiters
     * and its closing listener leaves this executor's runtime, which nothing else
     * would empty before termination (AbandonedExecutorAwaitTerminationTest). One
     * abandoned in an invokeAny or invokeAll leaves the waiters of each of its
     * tasks, which would keep it until they end, and the tasks are cancelled, as
     * invokeAny's return, or invokeAll's cancellation, would
     * (AbandonedInvokeAnyCallerTest, AbandonedInvokeAllCallerTest). Any thread;
     * never parks.
     */
    @Override
    public void dropAbandoned(Thread t) {
        List<? extends Future<?>> started = invokers.remove(t);
        if (started != null) {
            for (Future<?> f : started) {
                ((GreenTask<?>) f).dropAbandoned(t);
                // As invokeAny's return, or invokeAll's cancellation, would: nobody is left to take a result.
                f.cancel(true);
            }
        }
        for (Waiter w : waiters) {
            if (w.thread() == t && waiters.remove(w)) {
                runtime.removeClosingListener(w.closing());
            }
        }
    }

    private void taskEnded() {
        if (getAndAddActive(-1L) == 1L) {
            tryTerminate();
        }
    }

    private void tryTerminate() {
        if (shutDown() && activeVolatile() == 0L
                && casTerminated(false, true)) {
            if (underRegistration != null) {
                underRegistration.remove(); // no task is left for it to cancel
            }
            for (Waiter w : waiters) {
                LockSupport.unpark(w.thread());
            }
        }
    }

    @Override
    public String toString() {
        int s = state;
        return "GreenExecutorService[" + runtime.name + ", " + (terminated ? "terminated" : s == RUNNING ? "running"
                : s == SHUTDOWN ? "shutdown" : "stopped") + ", active=" + active + "]";
    }

    /**
     * A FutureTask whose cancel(true) cancels the green thread running it (and its
     * descendants); cancelled by execute's callback if its thread ends without
     * completing it (abandoned by the runtime's close).
     */
    private static final class GreenTask<V> extends FutureTask<V> implements AbandonedWaits, JoinWait {
        private volatile GreenThread<?> runner;
        /** Given to execute itself (not wrapped, as invokeAny's ExecutorCompletionService wraps it). */
        boolean executed;
        /** Green threads in a get; unparked by done(); an abandoned one is dropped (dropAbandoned). */
        private final ConcurrentLinkedQueue<Thread> waiters = new ConcurrentLinkedQueue<>();

        GreenTask(Callable<V> callable) {
            super(callable);
        }

        @Override
        public void run() {
            GreenThread<?> g = GreenThread.current();
            runner = g;
            if (!executed && g != null) {
                // Run by a wrapper, which execute's callback cancels: this task is
                // cancelled the same way if its thread is abandoned while running it.
                g.onComplete((v, failure) -> {
                    if (failure != null) {
                        cancel(false);
                    }
                }, false);
            }
            super.run();
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            GreenThread<?> g = runner;
            if (cancelled && mayInterruptIfRunning && g != null) {
                g.cancel();
            }
            return cancelled;
        }

        /**
         * As {@link FutureTask#get()}; a green caller waits as in the timed get
         * (among the waiters, which its runtime's close can drop it from, unlike
         * FutureTask's own queue), and its cancellation, like an interrupt, is an
         * InterruptedException.
         */
        @Override
        public V get() throws InterruptedException, ExecutionException {
            if (GreenThread.current() == null || isDone()) {
                return super.get();
            }
            Thread me = Thread.currentThread();
            waiters.add(me);
            try {
                if (Waits.await(this, Deadline.FOREVER, this::isDone) == Waits.Outcome.CANCELLED) {
                    Thread.interrupted();
                    throw new InterruptedException("cancelled or interrupted while waiting for the task");
                }
            } finally {
                waiters.remove(me);
            }
            return super.get(); // done: does not wait
        }

        /**
         * As {@link FutureTask#get(long, TimeUnit)}; a green caller waits on its
         * runtime's timers (virtual time in deterministic mode), and its
         * cancellation, like an interrupt, is an InterruptedException.
         */
        @Override
        public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            Objects.requireNonNull(unit, "unit");
            if (GreenThread.current() == null || isDone()) {
                return super.get(timeout, unit);
            }
            long nanos = unit.toNanos(timeout);
            if (nanos > 0L) {
                Thread me = Thread.currentThread();
                waiters.add(me);
                try {
                    if (Waits.await(this, Deadline.after(nanos), this::isDone) == Waits.Outcome.CANCELLED) {
                        Thread.interrupted();
                        throw new InterruptedException("cancelled or interrupted while waiting for the task");
                    }
                } finally {
                    waiters.remove(me);
                }
            }
            if (!isDone()) {
                throw new TimeoutException();
            }
            return super.get(); // done: does not wait
        }

        @Override
        protected void done() {
            for (Thread t : waiters) {
                LockSupport.unpark(t);
            }
        }

        /**
         * Close of the runtime of {@code t}, a green caller of a timed get
         * parked here (this task may be another runtime's) that it abandoned:
         * it leaves the waiters, which nothing else would empty (done() does
         * not), so the future no longer keeps the dead thread
         * (AbandonedFutureGetterTest). Any thread; never parks.
         */
        @Override
        public void dropAbandoned(Thread t) {
            waiters.remove(t);
        }

        /**
         * The thread a green caller of get waits for (this task is its park blocker):
         * the one running the task, which runs nothing else (one green thread per
         * task), so the get waits for it as a join would; null while queued or done.
         * A snapshot names it as waitingFor and a dump follows it to find a cycle.
         */
        @Override
        public GreenThread<?> joined() {
            GreenThread<?> g = runner;
            return isDone() ? null : g;
        }

        /**
         * The wait reason of a green caller of get (this task is its park blocker,
         * rendered by WaitReasons) and the future's own toString: the task's state
         * and the green thread running it, never the task itself (FutureTask's
         * toString prints the user's callable, which may hold user data).
         */
        @Override
        public String toString() {
            GreenThread<?> g = runner;
            return "executor task (" + (isDone() ? "done" : g == null ? "queued"
                    : "running in " + io.verdant.internal.obs.WaitReasons.describe(g)) + ")";
        }
    }

    // ------------------------------------------------------------------ accessors, named by access mode

    // state and active form a Dekker pair (execute: active then state; shutdown:
    // state then active, in tryTerminate), so every access is volatile.

    /** Any thread. */
    private int stateVolatile() {
        return (int) STATE.getVolatile(this);
    }

    /** Any thread (shutdown: RUNNING -> SHUTDOWN only). */
    private boolean casState(int expect, int update) {
        return STATE.compareAndSet(this, expect, update);
    }

    /** Any thread (shutdownNow). */
    private void setStateVolatile(int s) {
        STATE.setVolatile(this, s);
    }

    /** Any thread: counts a task in (+1, before reading state) or out (-1); returns the count before. */
    private long getAndAddActive(long d) {
        return (long) ACTIVE.getAndAdd(this, d);
    }

    /** Any thread. */
    private long activeVolatile() {
        return (long) ACTIVE.getVolatile(this);
    }

    /** Any thread: termination is announced once. */
    private boolean casTerminated(boolean expect, boolean update) {
        return TERMINATED.compareAndSet(this, expect, update);
    }

    private static final VarHandle STATE;
    private static final VarHandle ACTIVE;
    private static final VarHandle TERMINATED;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(GreenExecutorService.class, "state", int.class);
            ACTIVE = l.findVarHandle(GreenExecutorService.class, "active", long.class);
            TERMINATED = l.findVarHandle(GreenExecutorService.class, "terminated", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
