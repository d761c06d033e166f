package io.verdant;

import io.verdant.internal.ActorCell;
import io.verdant.internal.Deadline;
import io.verdant.internal.GreenThread;
import io.verdant.internal.Matcher;
import io.verdant.internal.RuntimeCore;
import io.verdant.internal.Safepoints;
import io.verdant.internal.Waits;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.concurrent.Callable;

/**
 * Operations on the current green thread. Each operation marked "green only"
 * throws {@link IllegalStateException} saying so when called from any other
 * thread (a platform thread, or a virtual thread that is not Verdant's).
 */
public final class Green {
    private Green() {
    }

    /**
     * Any thread. Tells whether the caller runs as a green thread.
     *
     * @return true if the caller is a green thread of some Verdant runtime
     */
    public static boolean isGreen() {
        return GreenThread.current() != null;
    }

    /**
     * Green only. Spawns a green thread in the caller's runtime, priority
     * {@link Priority#NORMAL}.
     *
     * <p>Memory consistency effects: actions in the spawning thread prior to
     * this call <i>happen-before</i> the body runs (as {@link Thread#start()}'s);
     * the body's actions happen-before an observation of its end through the
     * handle (see {@link GreenHandle}).
     *
     * @param <T> the type of the body's result
     * @param body the code the new green thread runs
     * @return the handle of the new green thread
     * @throws IllegalStateException outside a green thread, or if the runtime is closing
     * @throws NullPointerException if {@code body} is null
     */
    public static <T> GreenHandle<T> spawn(Callable<? extends T> body) {
        return runtime("Green.spawn").spawn(body, null, Priority.NORMAL);
    }

    /**
     * Green only. Like {@link #spawn(Callable)} for a body with no result.
     *
     * @param body the code the new green thread runs
     * @return the handle of the new green thread (its result is null)
     * @throws IllegalStateException outside a green thread, or if the runtime is closing
     * @throws NullPointerException if {@code body} is null
     */
    public static GreenHandle<Void> spawn(Runnable body) {
        // Straight to the runtime, as spawn(Callable): a Spawner with default settings
        // spawns the same thread, and cost an object per spawn (issue 11). The Runnable
        // itself is the thread's body: no adapter object, no adapter frame on its stack.
        RuntimeCore rt = runtime("Green.spawn");
        Objects.requireNonNull(body, "body");
        return rt.spawnRunnable(body, null, Priority.NORMAL);
    }

    /**
     * Green only. A builder to spawn with a name, a priority and other options.
     *
     * @return a new builder for the caller's runtime
     * @throws IllegalStateException outside a green thread
     */
    public static Spawner spawner() {
        return new Spawner(runtime("Green.spawner"));
    }

    /**
     * Green only. The runtime's clock, in nanoseconds: what its timers (sleep,
     * every timeout) are measured on. In a normal runtime this is
     * {@link System#nanoTime()} (only differences are meaningful); in a
     * deterministic runtime ({@link Verdant#deterministic(Config, Determinism)})
     * it is virtual time since the runtime started, which moves only when no
     * green thread can run, to the next timer's deadline.
     *
     * @return the runtime clock's current value, in nanoseconds
     * @throws IllegalStateException outside a green thread
     */
    public static long nanoTime() {
        return GreenThread.require("Green.nanoTime").runtime().timers.clock().nanoTime();
    }

    /**
     * Green only. The runtime's wall clock, for code that needs an
     * {@link java.time.Instant} (timestamps, expiry dates). In a normal runtime it
     * is {@link java.time.InstantSource#system()}; in a deterministic runtime
     * ({@link Verdant#deterministic(Config, Determinism)}) it is virtual: it
     * starts at {@code 2000-01-01T00:00:00Z} (as Go's {@code testing/synctest}; another origin with
     * {@link Determinism#startTime(java.time.Instant)})
     * and moves exactly as {@link #nanoTime()} does, only when no green thread
     * can run. Pass it to the code under test instead of reading
     * {@code Instant.now()} or {@code System.currentTimeMillis()}, which a
     * deterministic runtime cannot control. The returned source may be read from
     * any thread.
     *
     * @return the runtime's wall clock
     * @throws IllegalStateException outside a green thread
     */
    public static java.time.InstantSource clock() {
        GreenThread<?> g = GreenThread.require("Green.clock");
        io.verdant.internal.det.DetScheduler det = g.runtime().det;
        return det == null ? java.time.InstantSource.system() : det.wallClock();
    }

    /**
     * Green only, deterministic runtimes only. Returns when every other green
     * thread of the runtime is durably blocked (parked on something only another
     * green thread, a timer or the runtime can end, or finished), before the
     * virtual clock advances: what Go's {@code synctest.Wait} does. Use it to
     * assert on the state the other threads reach before time moves, for
     * example after cancelling a token, that every cleanup ran. Timers due at
     * the current virtual time fire first. A scheduling point.
     *
     * @throws IllegalStateException outside a green thread, or in a normal
     *         runtime (there no thread can tell that the others are durably
     *         blocked without racing them; the message says so)
     * @throws CancelledException if the caller is cancelled or interrupted
     */
    public static void settle() {
        GreenThread<?> g = GreenThread.require("Green.settle");
        io.verdant.internal.det.DetScheduler det = g.runtime().det;
        if (det == null) {
            throw new IllegalStateException("Green.settle needs a deterministic runtime (Verdant.deterministic): '"
                    + g.runtime().name + "' is a normal runtime, where other green threads run in parallel");
        }
        Waits.enter("Green.settle");
        det.settle();
    }

    /**
     * Any thread. An explicit scheduling point. In a deterministic runtime
     * ({@link Verdant#deterministic(Config, Determinism)}) the strategy may switch
     * to another green thread here, so place it between a read and a write
     * that another green thread may interleave with (a race between two plain
     * memory accesses with no Verdant operation between them is otherwise
     * invisible). In a normal runtime it is {@link #checkpoint()}: it yields only
     * if the runtime asked the caller to (a hint, almost free); outside a green
     * thread it does nothing.
     */
    public static void schedulingPoint() {
        Safepoints.point("Green.schedulingPoint");
    }

    /**
     * Green only. A random source for the calling green thread. In a normal
     * runtime it is {@link java.util.concurrent.ThreadLocalRandom#current()}; in a
     * deterministic runtime it is derived from the runtime's seed and the
     * caller's pid, so a schedule that is replayed draws the same numbers. Use
     * it only on the calling thread.
     *
     * @return the caller's random source
     * @throws IllegalStateException outside a green thread
     */
    public static java.util.random.RandomGenerator random() {
        GreenThread<?> g = GreenThread.require("Green.random");
        io.verdant.internal.det.DetScheduler det = g.runtime().det;
        return det == null ? java.util.concurrent.ThreadLocalRandom.current() : det.randomFor(g);
    }

    /**
     * Green only. Lets other runnable green threads of the same priority run
     * first: the caller goes to the back of its priority level.
     *
     * @throws IllegalStateException outside a green thread
     */
    public static void yield() {
        GreenThread.require("Green.yield");
        Thread.yield();
    }

    /**
     * Green only. Parks the green thread (never the carrier) for at least
     * {@code duration}, on the runtime's timer wheel (woken within about a
     * millisecond after the time is up). A zero duration yields.
     *
     * @param duration how long to sleep; zero yields
     * @throws CancelledException if the thread is cancelled or interrupted before
     *         or while sleeping (the interrupt status stays set)
     * @throws IllegalArgumentException if {@code duration} is negative
     * @throws NullPointerException if {@code duration} is null
     * @throws IllegalStateException outside a green thread
     */
    public static void sleep(Duration duration) {
        long nanos = RuntimeCore.toNanos(duration, "duration");
        GreenThread.require("Green.sleep");
        if (nanos == 0) {
            Waits.enter("Green.sleep");
            Thread.yield();
            return;
        }
        Waits.sleep(nanos, "Green.sleep");
    }

    /**
     * Green only. True if the current green thread has been cancelled (its
     * token is cancelled) or interrupted; see {@link CancelToken}.
     *
     * @return true if the current green thread is cancelled or interrupted
     * @throws IllegalStateException outside a green thread
     */
    public static boolean cancelled() {
        GreenThread.require("Green.cancelled");
        return Waits.cancelled();
    }

    /**
     * Green only. Throws {@link CancelledException} if {@link #cancelled()}; the
     * check every Verdant blocking operation makes on entry, for loops of your own.
     *
     * @throws CancelledException if the current green thread is cancelled or interrupted
     * @throws IllegalStateException outside a green thread
     */
    public static void throwIfCancelled() {
        GreenThread.require("Green.throwIfCancelled");
        if (Waits.cancelled()) {
            throw Waits.cancelledException("Green.throwIfCancelled");
        }
    }

    /**
     * Green only. The current green thread's cancel token (made on first use):
     * cancelled when the thread or an ancestor is cancelled; {@code cancel()}
     * on it cancels the thread itself and its descendants.
     *
     * @return the current green thread's cancel token
     * @throws IllegalStateException outside a green thread
     */
    public static CancelToken cancelToken() {
        return GreenThread.require("Green.cancelToken").cancelToken();
    }

    /**
     * A safepoint: if the runtime has asked the current green thread to give up
     * its carrier (its time slice is over, or higher-priority work is waiting),
     * it yields here and goes to the back of its priority level; otherwise this
     * returns at once. Costs one memory read when no request is pending (no
     * allocation). Callable from any thread: outside a green thread it is a
     * cheap no-op, so library code may call it anywhere. This is also the entry
     * point the {@code verdant-agent} inserts at loop back-edges; its signature
     * is stable.
     *
     * <p><b>What is and is not preempted.</b>
     * The JVM cannot suspend a virtual thread at an arbitrary instruction
     * ({@code jdk.internal.vm.Continuation.tryPreempt} throws "Not implemented" in
     * JDK 25), so Verdant's preemption is cooperative, made automatic:
     * <ul>
     * <li>The runtime's ticker asks a green thread to yield when it has run longer
     *     than {@link Config#timeslice()} while other work waits, or when a
     *     runnable green thread of higher priority waits, no carrier is free and
     *     some carrier runs lower-priority work (the one running the lowest
     *     priority is asked), or
     *     when one waits on a carrier busy with work at least as good while
     *     another carrier runs lower-priority work (the waiting thread then moves
     *     to that carrier).</li>
     * <li>The thread yields at its next <em>safepoint</em>: a call to this method
     *     (explicit, or inserted at loop back-edges by {@code verdant-agent}), or
     *     any Verdant blocking or parking operation ({@link #yield()},
     *     {@link #sleep}, {@link GreenHandle#join()}, {@link #blocking}, and every
     *     other operation that parks), or any JDK operation that parks a virtual
     *     thread (locks, queues, socket I/O, {@code Thread.sleep}).</li>
     * <li>Code that reaches none of these — a loop with no checkpoint, a blocking
     *     native call, file I/O, anything that pins the carrier — is <em>not</em>
     *     preempted. Instead, after {@link Config#stallThreshold()} with other work
     *     waiting, the runtime reports the stall once (System.Logger
     *     {@code io.verdant.sysmon}, WARNING, with the green thread's pid, name,
     *     duration and stack trace) and a spare carrier (at most
     *     {@link Config#maxSpareCarriers()}) takes over the stalled carrier's queued
     *     work, so every other green thread keeps running. The offender keeps its
     *     carrier until it returns; the spare then retires.</li>
     * </ul>
     */
    public static void checkpoint() {
        Safepoints.poll();
    }

    /**
     * Runs {@code work}, which is known to block or pin a carrier (file I/O, JNI,
     * a legacy blocking client, a lock held across native code), on the runtime's
     * separate pool of at most {@link Config#blockingThreads()} platform threads,
     * while the calling green thread parks: its carrier keeps running other green
     * threads meanwhile. When all pool threads are busy, calls wait in FIFO order.
     * The work runs with the caller's context class loader but none of its thread
     * locals (inheritable ones included): pool threads serve every caller, so a
     * thread local the work sets stays on its pool thread and is seen by later
     * works of any caller (remove it in a {@code finally}).
     * The work can be interrupted, never stopped: one that ignores the interrupt
     * runs on after its caller has left, also after {@link Verdant#close()}, which
     * waits for it up to the shutdown timeout (at most one second), counts it in a
     * WARNING on {@code io.verdant} and returns; its daemon pool thread ends when
     * it returns.
     * Outside a green thread, {@code work} simply runs on the caller. A safepoint.
     * Memory consistency effects: actions in the caller prior to this call
     * <i>happen-before</i> the work runs, and the work's actions happen-before
     * this call returns or throws what the work threw (not when it throws
     * {@link CancelledException}: the work may still be running then).
     * In a deterministic runtime ({@link Verdant#deterministic(Config, Determinism)})
     * {@code work} runs inline on the one carrier, as a single step that takes no
     * virtual time (a wake-up from a pool thread could not be replayed), after the
     * same safepoint and cancellation check.
     *
     * @param <T> the type of the work's result
     * @param work the blocking work to run off the carrier
     * @return what {@code work} returned
     * @throws Exception exactly what {@code work} threw (the same object)
     * @throws CancelledException if the caller is cancelled or interrupted when it
     *         calls (the work does not run) or while waiting (the pool thread
     *         running the work is interrupted and the caller's interrupt status
     *         stays set; work found finished by then has its outcome returned or
     *         thrown instead, the interrupt status left set), or the runtime is closed
     * @throws StackOverflowError if the caller's stack overflows while it waits; the
     *         work is stopped first, as for a cancellation
     * @throws NullPointerException if {@code work} is null
     */
    public static <T> T blocking(Callable<? extends T> work) throws Exception {
        Objects.requireNonNull(work, "work");
        GreenThread<?> g = GreenThread.current();
        if (g == null) {
            return work.call();
        }
        if (g.runtime().det != null) {
            Waits.enter("Green.blocking"); // the safepoint and cancellation check of the pool path
            return work.call();
        }
        return g.runtime().blocking(work);
    }

    /**
     * Green only. The caller's pid.
     *
     * @return the pid of the current green thread
     * @throws IllegalStateException outside a green thread
     */
    public static Pid self() {
        return GreenThread.require("Green.self").pid();
    }

    /**
     * Green only. The caller's priority.
     *
     * @return the priority of the current green thread
     * @throws IllegalStateException outside a green thread
     */
    public static Priority priority() {
        return GreenThread.require("Green.priority").priority();
    }

    /**
     * Green only. The runtime the caller runs in.
     *
     * @return the runtime of the current green thread
     * @throws IllegalStateException outside a green thread
     */
    public static Verdant runtime() {
        GreenThread.require("Green.runtime");
        return Objects.requireNonNull(Verdant.currentOrNull());
    }

    // ------------------------------------------------------------------ structured concurrency

    /**
     * Green only. Runs {@code body} with a {@link Scope} whose children never
     * outlive this call: on exit it waits for all of them; the first failure
     * cancels the others and is rethrown (see {@link Scope} for the rules).
     *
     * For other policies (first success wins, collect every outcome) and a
     * deadline for the whole scope, see {@link TaskScope}.
     *
     * @param <T> the result type
     * @param <X> the checked exception the body may throw
     * @param body the body, given the scope
     * @return what {@code body} returned, if neither it nor any child failed
     * @throws X what the body threw, as it was (after the children ended)
     * @throws GreenFailedException for a child's failure (the cause is what it
     *         threw; other failures are suppressed)
     * @throws CancelledException if the caller was cancelled, or interrupted, and
     *         that cut a child short or a child failed (the children were cancelled
     *         too, and have ended); a body that returned normally, no child cut short
     *         or failed, has its result returned, the cancellation or interrupt left set
     * @throws StackOverflowError if the caller's stack overflows while it waits for
     *         the children: it cannot wait, so the children are cancelled (they may
     *         still be ending when this is thrown)
     * @throws NullPointerException if {@code body} is null
     * @throws IllegalStateException outside a green thread
     */
    public static <T, X extends Exception> T scope(Scope.Body<T, X> body) throws X {
        return Scope.open(body);
    }

    /**
     * A block of code for {@link #withTimeout}: like {@link Callable}, with
     * the checked exception it may throw as a type parameter.
     *
     * @param <T> the result type
     * @param <X> the checked exception it may throw ({@code RuntimeException} if none)
     */
    @FunctionalInterface
    public interface Block<T, X extends Exception> {
        /**
         * Runs the block.
         *
         * @return its result
         * @throws X what it may throw
         */
        T run() throws X;
    }

    /**
     * Green only. Runs {@code body} with a deadline (Kotlin's {@code withTimeout},
     * Go's {@code context.WithTimeout}): if it has not finished when
     * {@code timeout} has passed, it and every green thread it spawned are
     * cancelled, and once the body's thread has ended this throws
     * {@link TimedOutException}.
     *
     * <p>The body runs as a new green thread, a child of the caller with the
     * caller's priority, while the caller waits: that is what makes "cancel the
     * body" possible without cancelling the caller (a cancellation token is
     * one-way). So inside the body {@link #self()} and the mailbox are the
     * child's, not the caller's. Threads the body spawns are its descendants
     * and are cancelled with it, except those it registered elsewhere
     * ({@link Spawner#cancelWith}, an executor's tasks). Its thread context is a
     * new thread's too: none of the caller's {@link ThreadLocal} values or
     * {@link ScopedValue} bindings, copies of its {@link InheritableThreadLocal}
     * values and its context class loader; and a monitor or lock the caller
     * holds is not the body's: a body that takes it waits for the caller, which
     * waits for the body, and the deadline cannot end a monitor entry or an
     * uninterruptible {@code Lock.lock()}, so this never returns.
     *
     * <p>At the deadline there is one outcome: either the
     * cancellation reached the body first (this throws {@link TimedOutException}
     * and the threads the body spawned are cancelled with it), or the body had
     * ended by itself first, even after the deadline (this returns its result
     * or throws its exception, and the threads it spawned that are still
     * running stay registered under the caller, as when any green thread ends).
     * A body that returns normally although the cancellation reached it (its
     * last operation succeeded as it was cancelled) also has its result
     * returned, never dropped (it may be a value taken from a channel or a
     * mailbox); the threads it spawned were cancelled with it. The same holds
     * when the caller is cancelled while it waits (its cancellation stays set).
     *
     * @param <T> the result type
     * @param <X> the checked exception the body may throw
     * @param timeout how long the body may run
     * @param body the code to run
     * @return what {@code body} returned, in time or as it was being cancelled
     * @throws X what the body threw in time (or right at the deadline, before
     *         the cancellation reached it), as it was (also a RuntimeException or Error)
     * @throws TimedOutException if the deadline passed first and the body did not
     *         return normally (it was cancelled and has ended; if it ended with a
     *         failure other than that cancellation, the failure is attached as suppressed)
     * @throws CancelledException if the caller is cancelled or interrupted when it
     *         calls (the body is not run; the cancellation or interrupt stays set), or
     *         was cancelled or interrupted while waiting and the body did not return
     *         normally (the body was cancelled too and has ended; a failure of its own
     *         is attached as suppressed)
     * @throws StackOverflowError if the caller's stack overflows while it waits for
     *         the body: it cannot wait, so the body is cancelled (it may still be
     *         ending when this is thrown)
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws NullPointerException if {@code timeout} or {@code body} is null
     * @throws IllegalStateException outside a green thread
     */
    public static <T, X extends Exception> T withTimeout(Duration timeout, Block<? extends T, X> body) throws X {
        return Timeouts.withTimeout(timeout, body);
    }

    /**
     * Any thread. Waits for every handle to end (in order) and returns their
     * results in order.
     *
     * @param <T> the type of the results
     * @param handles the green threads to wait for
     * @return the results in the order of {@code handles}; null for a failed one
     * @throws NullPointerException if {@code handles} is null or contains null
     *         (thrown before waiting for any of them)
     * @throws GreenFailedException after all have ended, if any failed: the
     *         first failure in list order, the other failures suppressed
     * @throws CancelledException if the caller is cancelled or interrupted while waiting;
     *         or, after all have ended, if the first of them in list order that failed was
     *         abandoned by its runtime's close (its {@code join} throws this; its result is
     *         null, and it counts as a failure as above)
     * @throws IllegalStateException if one of the handles is the calling green thread's
     *         own (it would wait for itself; thrown before waiting for any of them)
     */
    public static <T> List<T> joinAll(Collection<? extends GreenHandle<? extends T>> handles) {
        Objects.requireNonNull(handles, "handles");
        GreenThread<?> self = GreenThread.current();
        for (GreenHandle<? extends T> h : handles) {
            Objects.requireNonNull(h, "handles contains null");
            if (h == self) {
                throw new IllegalStateException("Green.joinAll: a green thread cannot join itself: " + self.pid());
            }
        }
        List<T> results = new ArrayList<>(handles.size());
        RuntimeException first = null;
        for (GreenHandle<? extends T> h : handles) {
            RuntimeException failure;
            try {
                results.add(h.join());
                continue;
            } catch (GreenFailedException e) {
                failure = e;
            } catch (CancelledException e) {
                if (!(h instanceof GreenThread<?> g && g.abandonedByClose())) {
                    throw e; // the caller's own cancellation
                }
                failure = e; // the handle's outcome: its runtime's close abandoned it
            }
            if (first == null) {
                first = failure;
            } else {
                first.addSuppressed(failure);
            }
            results.add(null);
        }
        if (first != null) {
            throw first;
        }
        return results;
    }

    // ------------------------------------------------------------------ messages

    /**
     * Any thread. Puts {@code msg} at the back of the mailbox of {@code pid}.
     * Messages from one sender to one receiver arrive in the order sent.
     * A message that is still in the mailbox when its owner ends (enqueued,
     * never received) is discarded with the mailbox, as in Erlang: it is not a
     * dead letter and is not counted; a sender that must know uses
     * {@link #call} (the callee's end fails the call).
     *
     * @param pid the addressee
     * @param msg the message
     * @return true if {@code pid} named a live green thread when the message was
     *         enqueued (it may still end before reading it); false if the pid is
     *         dead, stale, or its runtime is closed, in which case the runtime's
     *         {@linkplain Config.Builder#deadLetterHandler dead-letter handler}
     *         (if any, and if the runtime is open) sees the message (with no
     *         handler it is logged at INFO, rate-limited: see
     *         {@link Config#deadLetterHandler()}); also false
     *         if the addressee's {@linkplain Mailbox bounded mailbox} dropped it
     *         (a dead letter too). A {@link Mailbox.Overflow#BLOCK} mailbox makes
     *         this wait for room (parking a green caller).
     * @throws MailboxFullException if the addressee's bounded mailbox is full and
     *         its policy is FAIL, or BLOCK and no room came in time
     * @throws CancelledException if the caller is cancelled or interrupted while waiting
     *         for room (nothing is sent; the interrupt status stays set)
     * @throws NullPointerException if {@code pid} or {@code msg} is null
     */
    public static boolean send(Pid pid, Object msg) {
        return RuntimeCore.send(pid, msg);
    }

    /**
     * Any thread. Request–reply (Erlang's {@code gen_server:call}, Pekko's
     * {@code ask}): builds the request with a fresh {@link ReplyTo}, sends it to
     * {@code pid} and waits for the callee to {@linkplain ReplyTo#reply reply}.
     * The callee is watched for the whole call, so its end fails the call at
     * once. The reply never enters the caller's mailbox; a reply that comes
     * after the call ended is dropped (a dead letter). From a green thread the
     * wait parks the green thread; from a platform thread it blocks it.
     *
     * <pre>{@code
     * record Join(String name, ReplyTo<Boolean> replyTo) {}
     * boolean ok = Green.call(room, (ReplyTo<Boolean> r) -> new Join("ada", r), Duration.ofSeconds(1));
     * }</pre>
     *
     * @param <R>     the reply type
     * @param pid     the callee
     * @param request makes the request message from the reply address (must not return null)
     * @param timeout how long the call may take, a wait for room in the callee's full
     *        {@linkplain Mailbox#blocking blocking} mailbox included
     * @return the reply (null if the callee replied null)
     * @throws TimedOutException if no reply came within {@code timeout} (a later reply is dropped),
     *         or the request found no room in the callee's full blocking mailbox within it
     *         (then the request was not sent)
     * @throws CalleeExitedException if the callee was not alive, or ended before replying
     *         (the cause is its reason, see there)
     * @throws CancelledException if the caller is cancelled or interrupted while waiting
     * @throws MailboxFullException if the callee's bounded mailbox refused the request
     *         (FAIL, or BLOCK out of its block timeout before the call's: as for
     *         {@link #send}, the request was not sent and is not a dead letter), or
     *         dropped it (DROP_NEWEST), or dropped it after queueing it (DROP_OLDEST,
     *         before the callee took it: thrown as soon as the callee's receive drops
     *         it, not at the timeout); a dropped request is a dead letter. Either way
     *         the callee never sees it
     * @throws IllegalStateException if a green thread calls itself
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws NullPointerException if an argument is null, or {@code request} returned null
     * @throws RuntimeException or {@link Error}: what {@code request} threw, unwrapped
     *         (nothing is sent), as {@link Verdant#call} throws it
     */
    public static <R> R call(Pid pid, Function<? super ReplyTo<R>, ?> request, Duration timeout) {
        return ReplyTo.call(pid, request, timeout, "Green.call");
    }

    /**
     * Any thread. Sends {@code msg} to {@code pid} once, after {@code delay}, on
     * its runtime's timer wheel (Erlang's {@code send_after}); see
     * {@link SendTimer} for delivery rules.
     *
     * @param pid   the addressee
     * @param msg   the message
     * @param delay how long from now; zero sends at once (from the caller)
     * @return the timer, to cancel it
     * @throws IllegalStateException if the runtime of {@code pid} is closed
     * @throws IllegalArgumentException if {@code delay} is negative
     * @throws NullPointerException if an argument is null
     */
    public static SendTimer sendAfter(Pid pid, Object msg, Duration delay) {
        long nanos = RuntimeCore.toNanos(delay, "delay");
        return SendTimer.start(pid, msg, nanos, 0);
    }

    /**
     * Any thread. Sends {@code msg} to {@code pid} after {@code initialDelay},
     * then every {@code period} until cancelled or until {@code pid} is found
     * dead (Pekko's {@code startTimerAtFixedRate}); see {@link SendTimer}.
     *
     * @param pid          the addressee
     * @param msg          the message (the same object each time)
     * @param initialDelay until the first send
     * @param period       between sends; at least one millisecond (the timer wheel's tick)
     * @return the timer, to cancel it
     * @throws IllegalStateException if the runtime of {@code pid} is closed
     * @throws IllegalArgumentException if {@code initialDelay} is negative or {@code period}
     *         is shorter than one millisecond
     * @throws NullPointerException if an argument is null
     */
    public static SendTimer sendEvery(Pid pid, Object msg, Duration initialDelay, Duration period) {
        long first = RuntimeCore.toNanos(initialDelay, "initialDelay");
        long every = RuntimeCore.toNanos(period, "period");
        if (every < 1_000_000L) {
            throw new IllegalArgumentException("period must be at least 1 ms (the timer wheel's tick), was " + period);
        }
        return SendTimer.start(pid, msg, first, every);
    }

    /**
     * Green only. Takes the oldest message from the caller's mailbox, parking
     * until one arrives.
     *
     * @return the message
     * @throws IllegalStateException outside a green thread
     * @throws CancelledException if interrupted or cancelled while waiting (the
     *         interrupt status stays set); also when the runtime closes
     */
    public static Object receive() {
        return cell("Green.receive").take(Matcher.ANY, Deadline.FOREVER, "Green.receive");
    }

    /**
     * Green only. Like {@link #receive()}, waiting at most {@code timeout}.
     *
     * @param timeout how long to wait at most; zero checks once
     * @return the message
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws NullPointerException if {@code timeout} is null
     * @throws TimedOutException if no message arrived in time (nothing is taken)
     * @throws CancelledException if interrupted or cancelled while waiting
     * @throws IllegalStateException outside a green thread
     */
    public static Object receive(Duration timeout) {
        long nanos = RuntimeCore.toNanos(timeout, "timeout");
        return cell("Green.receive").take(Matcher.ANY, Deadline.after(nanos), "Green.receive");
    }

    /**
     * Green only. The oldest message if there is one; never blocks.
     *
     * @return the oldest message, or empty if the mailbox is empty
     * @throws IllegalStateException outside a green thread
     */
    public static Optional<Object> tryReceive() {
        return Optional.ofNullable(cell("Green.tryReceive").take(Matcher.ANY, Deadline.NOW, "Green.tryReceive"));
    }

    /**
     * Green only. Selective receive: takes the oldest message that is an
     * instance of {@code type}, parking until one arrives. Messages of other
     * types stay in the mailbox in their order and are seen by later receives
     * first.
     *
     * @param <T> the message type
     * @param type the class of the message to take (a primitive class stands for its
     *             wrapper: {@code int.class} takes an {@code Integer})
     * @return the message
     * @throws CancelledException if interrupted or cancelled while waiting
     * @throws NullPointerException if {@code type} is null
     * @throws IllegalStateException outside a green thread
     */
    public static <T> T receive(Class<T> type) {
        Class<T> boxed = Matcher.boxed(Objects.requireNonNull(type, "type"));
        Matcher.OfType m = Matcher.ofType(boxed);
        return boxed.cast(cell("Green.receive").take(m, Deadline.FOREVER, m.receiveName()));
    }

    /**
     * Green only. Like {@link #receive(Class)}, waiting at most {@code timeout}.
     *
     * @param <T> the message type
     * @param type the class of the message to take (a primitive class stands for its
     *             wrapper: {@code int.class} takes an {@code Integer})
     * @param timeout how long to wait at most; zero checks once
     * @return the message
     * @throws TimedOutException if no message of that type arrived in time
     * @throws CancelledException if interrupted or cancelled while waiting
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws NullPointerException if {@code type} or {@code timeout} is null
     * @throws IllegalStateException outside a green thread
     */
    public static <T> T receive(Class<T> type, Duration timeout) {
        Class<T> boxed = Matcher.boxed(Objects.requireNonNull(type, "type"));
        long nanos = RuntimeCore.toNanos(timeout, "timeout");
        Matcher.OfType m = Matcher.ofType(boxed);
        return boxed.cast(cell("Green.receive").take(m, Deadline.after(nanos), m.receiveName()));
    }

    /**
     * Green only. The oldest message of type {@code type}, if any; never blocks.
     *
     * @param <T> the message type
     * @param type the class of the message to take (a primitive class stands for its
     *             wrapper: {@code int.class} takes an {@code Integer})
     * @return the oldest message of that type, or empty if there is none
     * @throws NullPointerException if {@code type} is null
     * @throws IllegalStateException outside a green thread
     */
    public static <T> Optional<T> tryReceive(Class<T> type) {
        Class<T> boxed = Matcher.boxed(Objects.requireNonNull(type, "type"));
        return Optional.ofNullable(boxed.cast(cell("Green.tryReceive").take(Matcher.ofType(boxed), Deadline.NOW,
                "Green.tryReceive")));
    }

    /**
     * Green only. Selective receive: takes the oldest message accepted by
     * {@code filter} (called on the receiving thread), parking until one
     * arrives; the others keep their order. If {@code filter} throws, the
     * exception propagates to the caller and the mailbox is left as it was
     * (no message taken, order kept); the same holds for every filtered receive.
     *
     * @param filter accepts the message to take
     * @return the message
     * @throws CancelledException if interrupted or cancelled while waiting
     * @throws IllegalStateException if {@code filter} itself receives (or calls
     *         {@link #mailboxSize}): a filter must not take from the mailbox it filters;
     *         or outside a green thread
     * @throws NullPointerException if {@code filter} is null
     */
    public static Object receive(Predicate<Object> filter) {
        Objects.requireNonNull(filter, "filter");
        return cell("Green.receive").take(Matcher.filter(filter), Deadline.FOREVER, "Green.receive(filter)");
    }

    /**
     * Green only. Like {@link #receive(Predicate)}, waiting at most {@code timeout}.
     *
     * @param filter accepts the message to take
     * @param timeout how long to wait at most; zero checks once
     * @return the message
     * @throws TimedOutException if no accepted message arrived in time
     * @throws CancelledException if interrupted or cancelled while waiting
     * @throws IllegalStateException if {@code filter} itself receives (see {@link #receive(Predicate)}),
     *         or outside a green thread
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws NullPointerException if {@code filter} or {@code timeout} is null
     */
    public static Object receive(Predicate<Object> filter, Duration timeout) {
        Objects.requireNonNull(filter, "filter");
        long nanos = RuntimeCore.toNanos(timeout, "timeout");
        return cell("Green.receive").take(Matcher.filter(filter), Deadline.after(nanos), "Green.receive(filter)");
    }

    /**
     * Green only. The oldest message accepted by {@code filter}, if any; never blocks.
     *
     * @param filter accepts the message to take
     * @return the oldest accepted message, or empty if there is none
     * @throws IllegalStateException if {@code filter} itself receives (see {@link #receive(Predicate)}),
     *         or outside a green thread
     * @throws NullPointerException if {@code filter} is null
     */
    public static Optional<Object> tryReceive(Predicate<Object> filter) {
        Objects.requireNonNull(filter, "filter");
        return Optional.ofNullable(cell("Green.tryReceive").take(Matcher.filter(filter), Deadline.NOW, "Green.tryReceive"));
    }

    /**
     * Green only. Number of messages waiting in the caller's mailbox; a snapshot.
     * A {@link Mailbox.Overflow#DROP_OLDEST} mailbox first drops its excess oldest
     * messages (as its next receive would), so the count never exceeds its capacity
     * plus the {@link Signal}s waiting. In an event actor's handler the messages
     * {@link Actors#unstashAll()} put back in front of the mailbox, not yet handled,
     * count too (stashed ones do not).
     *
     * @return the number of queued messages
     * @throws IllegalStateException outside a green thread
     */
    public static int mailboxSize() {
        return cell("Green.mailboxSize").size();
    }

    // ------------------------------------------------------------------ links and monitors

    /**
     * Green only. Watches {@code pid}: when it ends, the caller receives one
     * {@link Signal.Down}. If {@code pid} is already dead or stale, the Down
     * (with a {@link NoSuchGreenThreadException} as failure) is delivered at once.
     * {@code pid} may be of another runtime (as for {@link #send}); a closed
     * runtime's pids are dead, and a thread its close abandoned gives its
     * watchers in other runtimes a Down whose failure is a {@link CancelledException}.
     *
     * @param pid the green thread to watch
     * @throws NullPointerException if {@code pid} is null
     * @throws IllegalStateException outside a green thread
     */
    public static void monitor(Pid pid) {
        Objects.requireNonNull(pid, "pid");
        GreenThread<?> self = GreenThread.require("Green.monitor");
        GreenThread<?> target = live(self, pid);
        if (target == null) {
            ActorCell.of(self).enqueue(ActorCell.noProcess(pid));
        } else {
            ActorCell.monitor(self, target);
        }
    }

    /**
     * Green only. Removes one monitor of {@code pid} set by the caller. Monitors
     * are identified by the pair (caller, {@code pid}): with several monitors of
     * the same thread, one is removed and the others stay. If this returns true,
     * the Down of the removed monitor never reaches the caller's mailbox, even if
     * {@code pid} has just ended and its Downs are under way (as Erlang's
     * {@code demonitor}). If it returns false, there was no such monitor, or its
     * Down was already delivered: Verdant does not remove a delivered Down (there
     * is no {@code flush} option); it stays in the mailbox, to be dropped with a
     * selective receive if it matters, e.g.
     * {@code Green.tryReceive(m -> m instanceof Signal.Down d && d.pid().equals(pid))}.
     *
     * @param pid the watched green thread
     * @return true if a monitor was removed before its Down was delivered
     * @throws NullPointerException if {@code pid} is null
     * @throws IllegalStateException outside a green thread
     */
    public static boolean demonitor(Pid pid) {
        Objects.requireNonNull(pid, "pid");
        GreenThread<?> self = GreenThread.require("Green.demonitor");
        GreenThread<?> target = live(self, pid);
        if (target == null) {
            // Ended: its pid no longer finds it, but its exit may not have told us yet.
            target = ActorCell.monitoredTarget(self, pid);
        }
        return target != null && ActorCell.demonitor(self, target);
    }

    /**
     * Green only. Links the caller and {@code pid} both ways: when either ends
     * by throwing, the other receives a {@link Signal.Failure} if it
     * {@linkplain #trapExits traps exits}, and otherwise is stopped with a
     * {@link LinkedFailureException} (the failure propagates, as in Erlang).
     * A normal end reaches the other side only if it traps exits (or spawned it
     * with {@link Spawner#link()}), as a {@link Signal.Exit}. {@code pid} may be
     * of another runtime, as with {@link Spawner#link()}; a thread that its
     * runtime's close abandons counts as failed with a {@link CancelledException}.
     *
     * @param pid the green thread to link with
     * @return true if linked; false if {@code pid} is not alive (nothing happens).
     *         A thread that ends during the call counts as linked: its exit
     *         signal is delivered.
     * @throws NullPointerException if {@code pid} is null
     * @throws IllegalStateException outside a green thread
     */
    public static boolean link(Pid pid) {
        Objects.requireNonNull(pid, "pid");
        GreenThread<?> self = GreenThread.require("Green.link");
        GreenThread<?> target = live(self, pid);
        if (target == null) {
            return false;
        }
        ActorCell.link(self, target);
        return true;
    }

    /**
     * Green only. Removes a link with {@code pid} both ways (nothing if there is none).
     * Once it returns, no exit signal from {@code pid} reaches the caller through
     * the link, even if {@code pid} has just ended and its exit signals are under
     * way (Erlang's guarantee since OTP 23): the caller is not stopped by its
     * failure, and no {@link Signal.Exit} or {@link Signal.Failure} from it enters
     * the caller's mailbox afterwards. A signal delivered before the call stays
     * delivered: a caller that traps exits may find one in its mailbox already
     * (drop it with a selective receive if it matters), and a caller that a
     * failure reached before the call is still stopped by it.
     *
     * @param pid the linked green thread
     * @throws NullPointerException if {@code pid} is null
     * @throws IllegalStateException outside a green thread
     */
    public static void unlink(Pid pid) {
        Objects.requireNonNull(pid, "pid");
        GreenThread<?> self = GreenThread.require("Green.unlink");
        GreenThread<?> target = live(self, pid);
        if (target == null) {
            // Ended: its pid no longer finds it, but its exit may not have told us yet.
            target = ActorCell.linkedPeer(self, pid);
        }
        if (target != null) {
            ActorCell.unlink(self, target);
        }
    }

    /**
     * Green only. When on, failures of linked threads arrive as
     * {@link Signal.Failure} messages instead of stopping the caller, and normal
     * exits of linked threads as {@link Signal.Exit}. Off by default.
     *
     * @param on true to trap exits, false to be stopped by linked failures again
     * @throws IllegalStateException outside a green thread
     */
    public static void trapExits(boolean on) {
        cell("Green.trapExits").trapExits(on);
    }

    /**
     * The live green thread {@code pid} names: in the caller's runtime (even while it
     * closes), or in the open runtime it belongs to (as a send or a call finds it); null
     * if it is dead, stale or its runtime is closed.
     */
    private static GreenThread<?> live(GreenThread<?> self, Pid pid) {
        RuntimeCore rt = self.runtime().owns(pid) ? self.runtime() : RuntimeCore.of(pid);
        return rt == null ? null : rt.lookup(pid);
    }

    private static ActorCell cell(String operation) {
        return ActorCell.of(GreenThread.require(operation));
    }

    private static RuntimeCore runtime(String operation) {
        return GreenThread.require(operation).runtime();
    }
}
