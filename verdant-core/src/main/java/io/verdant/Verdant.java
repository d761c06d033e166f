package io.verdant;

import io.verdant.internal.Deadline;
import io.verdant.internal.GreenThread;
import io.verdant.internal.Matcher;
import io.verdant.internal.Pids;
import io.verdant.internal.RuntimeCore;
import io.verdant.internal.Waits;
import io.verdant.internal.det.DetScheduler;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.function.Function;

/**
 * A Verdant runtime: a pool of carrier threads that Verdant schedules itself,
 * running green threads (JDK virtual threads whose scheduler is Verdant's).
 *
 * <pre>{@code
 * try (Verdant rt = Verdant.start(Config.builder().workers(2).build())) {
 *     long total = rt.run(() -> {
 *         GreenHandle<Long> h = Green.spawn(() -> work());
 *         return h.join();
 *     });
 * }
 * }</pre>
 *
 * <p>Several runtimes can live in one JVM; each has its own carriers, pids and
 * ticker. The JVM must be started with {@code --add-opens java.base/java.lang=ALL-UNNAMED}
 * ({@code =io.verdant} on the module path).
 *
 * <h2>Closing</h2>
 * {@link #close()} stops new spawns, interrupts every green thread still alive
 * (Verdant's blocking operations then throw {@link CancelledException}; JDK
 * blocking calls throw their usual interrupt exceptions), waits up to
 * {@link Config#shutdownTimeout()} for them to end (and for the
 * {@link GreenHandle#onComplete} callbacks of threads that ended to have run),
 * abandons the rest (their
 * {@link GreenHandle#join()} throws {@link CancelledException}; they never run
 * again: one still running leaves its carrier at its next safepoint while close
 * waits for the carriers to stop, and any Verdant wait it starts throws
 * {@link CancelledException}, even if it cleared its interrupt, so that it never
 * waits on an object shared with others), interrupts {@link Green#blocking}
 * work still running and waits for it up to the shutdown timeout, at most one
 * second (work that ignores the interrupt runs on, on its pool's daemon thread,
 * until it returns; close counts it in a WARNING on {@code io.verdant}), then
 * stops the carriers and the ticker, waiting for the carriers up to the shutdown
 * timeout again, at least one second. Last, it waits (up to the shutdown timeout, at least one second) until
 * the log records its green threads raised, such as an unobserved failure's, have
 * been written, so that a program may exit right after close without losing them
 * (a close that a logging backend makes while it writes one of them does not
 * wait for itself).
 * A carrier stuck in a loop that never reaches a safepoint cannot be stopped by
 * any JVM means; it is reported and left as a daemon thread, once close has
 * waited for it that long (so such a close takes the shutdown timeout twice, or
 * the timeout and one second for a timeout under a second). Once close has
 * returned, safepoints no longer stop the thread it runs (close withdrew its
 * request to yield): the thread runs on until it ends or blocks (a JDK blocking
 * call, such as {@code Thread.sleep}; a Verdant wait throws as above), and then
 * never runs again and the carrier thread ends.
 */
public final class Verdant implements AutoCloseable {
    private final RuntimeCore core;
    private final Registry registry;

    private Verdant(RuntimeCore core) {
        this.core = core;
        this.registry = new Registry(core);
    }

    /**
     * Starts a runtime with default settings.
     *
     * @return the running runtime; close it when done
     * @throws UnsupportedOperationException if this JDK version is not supported (the message names the supported ones)
     * @throws IllegalStateException if the JVM lacks the {@code --add-opens} flag (the message names it), or
     *         the MXBean is asked for ({@link Config.Builder#jmx}) and the JVM has no module {@code java.management}
     *         or the MBean server refuses it (a failed start leaves nothing running)
     * @throws OutOfMemoryError if the JVM cannot create a carrier or ticker thread ("unable to create native
     *         thread"); the threads already started are stopped first, so this failed start leaves nothing running
     */
    public static Verdant start() {
        return start(Config.defaults());
    }

    /**
     * Starts a runtime.
     *
     * @param config the runtime's settings
     * @return the running runtime; close it when done
     * @throws NullPointerException if {@code config} is null
     * @throws UnsupportedOperationException if this JDK version is not supported (the message names the supported ones)
     * @throws IllegalStateException if the JVM lacks the {@code --add-opens} flag (the message names it), or
     *         the MXBean is asked for ({@link Config.Builder#jmx}) and the JVM has no module {@code java.management}
     *         or the MBean server refuses it (a failed start leaves nothing running)
     * @throws OutOfMemoryError if the JVM cannot create a carrier or ticker thread ("unable to create native
     *         thread"); the threads already started are stopped first, so this failed start leaves nothing running
     */
    public static Verdant start(Config config) {
        Objects.requireNonNull(config, "config");
        Verdant v = new Verdant(new RuntimeCore(config));
        v.core.facade = v;
        return v;
    }

    /**
     * Starts a deterministic runtime, for testing concurrent code: one carrier
     * thread runs one green thread at a time, and every choice of which green
     * thread runs next is made from {@code determinism}'s seed, so the same
     * program and settings give the same schedule ({@link #trace()}). Its timers
     * run on virtual time: the clock ({@link Green#nanoTime()}) jumps to the next
     * timer's deadline only when no green thread can run, so
     * {@code Green.sleep(Duration.ofHours(1))} returns at once.
     *
     * <p>Run the code under test with {@link #run(Callable)}: if the schedule
     * fails, it throws {@link ScheduleFailedException} whose message starts with
     * the replay key; {@link DeadlockException} when no green thread can run, no
     * timer is pending and green threads are alive (the message says who waits
     * on what). The run also fails, naming the call, when a green thread makes a
     * JDK timed wait ({@code Thread.sleep}, {@code LockSupport.parkNanos}, ...)
     * or is woken by a thread outside the runtime (a platform thread, a JDK
     * timer, {@link Green#blocking(Callable)}'s pool). Spawning from outside is
     * allowed; such spawns are admitted only when no green thread can run.
     * {@link Config#workers()}, the time slice and the stall settings are ignored.
     * See docs/testing.md for what this can and cannot find.
     *
     * @param config the runtime's settings
     * @param determinism the seed and strategy
     * @return the running deterministic runtime; close it when done
     * @throws NullPointerException if {@code config} or {@code determinism} is null
     * @throws IllegalStateException if the JVM lacks the {@code --add-opens} flag (the message names it), or
     *         the MXBean is asked for ({@link Config.Builder#jmx}) and the JVM has no module {@code java.management}
     *         or the MBean server refuses it (a failed start leaves nothing running)
     */
    public static Verdant deterministic(Config config, Determinism determinism) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(determinism, "determinism");
        Verdant v = new Verdant(new RuntimeCore(config, new DetScheduler(determinism)));
        v.core.facade = v;
        return v;
    }

    /** Exploration's factory: a deterministic runtime on a scheduler set up for check mode. */
    static Verdant deterministic(Config config, DetScheduler det) {
        Verdant v = new Verdant(new RuntimeCore(config, det));
        v.core.facade = v;
        return v;
    }

    /** The deterministic scheduler of this runtime, or null (Exploration's reports). */
    DetScheduler detScheduler() {
        return core.det;
    }

    /**
     * The schedule so far of a deterministic runtime: replay key, trace hash,
     * step count and virtual time. Once the bodies started from outside
     * ({@link #run(Callable)}, {@link #spawn(Callable)}) have ended, it is the
     * schedule up to the end of the last of them: steps that leaked green
     * threads take afterwards race the caller's {@code close()} and are not
     * counted. Two runs of the same program with the same {@link Determinism}
     * end with equal traces.
     *
     * @return a snapshot of the trace
     * @throws IllegalStateException if this runtime is not deterministic
     */
    public ScheduleTrace trace() {
        if (core.det == null) {
            throw new IllegalStateException("trace() needs a deterministic runtime (Verdant.deterministic); '"
                    + core.name + "' is a normal one");
        }
        return core.det.trace();
    }

    /**
     * The schedule of a deterministic runtime saved as its list of choices, for
     * {@link Determinism#replaySteps(String)}: up to the end of the body (or the
     * step where the run failed), a text such as {@code v1:steps:0x2A 0/0 0=1 1/1.2 ...}.
     * Call it after {@link #run(Callable)} has returned. A second run of the
     * same program on these steps takes exactly the same steps, or fails with a
     * {@link NondeterminismException} at the first that differs.
     *
     * @return the saved steps
     * @throws IllegalStateException if this runtime is not deterministic, or does not record its steps
     *         ({@link Determinism#recordSteps(boolean)} is off)
     */
    public String steps() {
        String s = core.det == null ? null : core.det.steps();
        if (s == null) {
            throw new IllegalStateException("steps() needs a deterministic runtime that records its steps "
                    + "(Verdant.deterministic with Determinism.recordSteps(true)); '" + core.name + "' "
                    + (core.det == null ? "is a normal one" : "does not record"));
        }
        return s;
    }

    /**
     * One-shot: starts a runtime with {@code config}, runs {@code body} as a green
     * thread, closes the runtime and returns the body's result.
     *
     * @param <T> the type of the body's result
     * @param config the runtime's settings
     * @param body the code to run as a green thread
     * @return what the body returned
     * @throws GreenFailedException if the body throws (the cause is what it threw)
     * @throws NullPointerException if an argument is null (no runtime is started)
     */
    public static <T> T run(Config config, Callable<? extends T> body) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(body, "body");
        try (Verdant rt = start(config)) {
            return rt.run(body);
        }
    }

    /**
     * run and call, before they look at the caller's interrupt or cancellation: a closed
     * runtime refuses with its documented IllegalStateException whatever the caller's
     * interrupt (ClosedRuntimeInterruptedCallerTest). Not a green thread of this runtime:
     * closed is also true while it closes, and the close's cancellation of that thread is
     * what it meets, as every Verdant operation throws it then
     * (ClosingRuntimeOwnGreenCallerTest).
     */
    private void refuseIfClosed(GreenThread<?> caller, String what) {
        if (core.isClosed() && (caller == null || caller.runtime() != core)) {
            throw new IllegalStateException("runtime '" + core.name + "' is closed: cannot " + what);
        }
    }

    /**
     * Runs {@code body} as a green thread of this runtime and waits for it (the
     * caller blocks; from a green thread it parks).
     *
     * @param <T> the type of the body's result
     * @param body the code to run as a green thread
     * @return what the body returned
     * @throws GreenFailedException if the body throws (the cause is what it threw);
     *         when the runtime closes before the body ends, the cancellation ends the
     *         body's wait and this is thrown with that {@link CancelledException} as its
     *         cause (unless the body catches it)
     * @throws NullPointerException if {@code body} is null
     * @throws CancelledException if the caller is interrupted (or, a green caller,
     *         cancelled) when it calls (the body is not run; the interrupt status stays
     *         set) or while waiting (the body keeps running), or the runtime closes and
     *         abandons a body that did not end
     * @throws IllegalStateException if the runtime is closed (or closing) when it is
     *         called: checked first, so also for a caller that is interrupted or
     *         cancelled (the interrupt status stays set), except a green thread of this
     *         runtime, which the close cancels: one cancelled gets CancelledException
     * @throws ScheduleFailedException in a deterministic runtime, if the schedule
     *         failed before the body ended (deadlock, a refused input, too many steps);
     *         or if the caller is a green thread of another, deterministic runtime
     *         (strict policy): the wait cannot be replayed, so that runtime's run
     *         fails, and this is its failure (the body is not run)
     */
    public <T> T run(Callable<? extends T> body) {
        Objects.requireNonNull(body, "body");
        GreenThread<?> caller = GreenThread.current();
        refuseIfClosed(caller, "run"); // the spawn checks again
        // A caller already cancelled or interrupted is refused before the body is spawned,
        // as every Verdant wait refuses it on entry: the body would run on for nobody.
        if (Waits.cancelled()) {
            throw Waits.cancelledException("Verdant.run");
        }
        if (caller != null && caller.runtime() != core && caller.runtime().det != null) {
            caller.runtime().det.waitForOtherRuntime("Verdant.run on runtime '" + core.name + "'");
        }
        GreenThread<T> g = core.<T>spawn(() -> {
            // run() hands the body's failure to its caller, so it is never an
            // unobserved failure, even if it ends before the caller waits in join.
            GreenThread.current().markFailureObserved();
            return body.call();
        }, "main", Priority.NORMAL);
        DetScheduler det = core.det;
        // From outside this runtime (a platform thread, or a green thread of another
        // runtime), wait as a root's caller: a failed schedule never ends the body.
        if (det != null && (caller == null || caller.runtime() != core)) {
            try {
                det.awaitRoot(g);
            } catch (ScheduleFailedException e) {
                throw e.withSteps(det);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancelledException("Verdant.run: interrupted while waiting for the body");
            }
        }
        return g.join();
    }

    /**
     * Like {@link #run(Callable)} for a body with no result.
     *
     * @param body the code to run as a green thread
     * @throws GreenFailedException if the body throws (the cause is what it threw)
     * @throws NullPointerException if {@code body} is null
     * @throws CancelledException as {@link #run(Callable)}
     * @throws IllegalStateException if the runtime is closed
     */
    public void run(Runnable body) {
        Objects.requireNonNull(body, "body");
        run(() -> {
            body.run();
            return null;
        });
    }

    /**
     * Spawns a green thread from any thread (a platform thread holding the
     * runtime, or a green thread of any runtime). Memory consistency effects
     * as {@link Green#spawn(Callable)}: actions prior to this call
     * <i>happen-before</i> the body runs.
     *
     * @param <T> the type of the body's result
     * @param body the code the new green thread runs
     * @return the handle of the new green thread
     * @throws IllegalStateException if the runtime is closed
     * @throws NullPointerException if {@code body} is null
     */
    public <T> GreenHandle<T> spawn(Callable<? extends T> body) {
        return core.spawn(body, null, Priority.NORMAL);
    }

    /**
     * Spawns a green thread with no result.
     *
     * @param body the code the new green thread runs
     * @return the handle of the new green thread
     * @throws IllegalStateException if the runtime is closed
     * @throws NullPointerException if {@code body} is null
     */
    public GreenHandle<Void> spawn(Runnable body) {
        // Straight to the runtime with the Runnable as the body (no Spawner, no adapter
        // Callable): see Spawner.spawn(Runnable).
        Objects.requireNonNull(body, "body");
        return core.spawnRunnable(body, null, Priority.NORMAL);
    }

    /**
     * A builder for spawning with a name, a priority, and other options.
     *
     * @return a new builder for this runtime
     */
    public Spawner spawner() {
        return new Spawner(core);
    }

    /**
     * Tells whether {@code pid} names a live green thread of this runtime.
     *
     * @param pid the pid to look up
     * @return true if {@code pid} names a green thread of this runtime that has not ended
     * @throws NullPointerException if {@code pid} is null
     */
    public boolean isAlive(Pid pid) {
        return core.lookup(pid) != null;
    }

    /**
     * The handle of a live green thread.
     *
     * @param pid the pid to look up
     * @return the handle of {@code pid}, or empty if it is stale, dead or another runtime's
     * @throws NullPointerException if {@code pid} is null
     */
    public Optional<GreenHandle<?>> handle(Pid pid) {
        return Optional.ofNullable(core.lookup(pid));
    }

    // ------------------------------------------------------------------ into the Java ecosystem

    /**
     * An {@link ExecutorService} whose tasks each run as a new green thread of
     * this runtime (unnamed, {@link Priority#NORMAL}), with the semantics of the
     * JDK's {@link java.util.concurrent.Executors#newVirtualThreadPerTaskExecutor()}:
     * for libraries that take an {@code Executor} (HTTP servers,
     * {@code CompletableFuture.supplyAsync(..., executor)}, ...). See
     * {@link Spawner#executor()} for the whole contract; {@code rt.spawner()
     * .name("http-", 0).priority(Priority.HIGH).executor()} names and
     * prioritises the tasks. Any thread.
     *
     * @return a new executor service; closing it does not close the runtime
     */
    public ExecutorService executor() {
        return spawner().executor();
    }

    /**
     * A {@link ThreadFactory} whose threads are green threads of this runtime
     * once started (unnamed, {@link Priority#NORMAL}); see
     * {@link Spawner#threadFactory()} for how a {@code Thread} maps to a green
     * thread. Any thread.
     *
     * @return a new thread factory
     */
    public ThreadFactory threadFactory() {
        return spawner().threadFactory();
    }

    /**
     * Sends {@code msg} to the green thread {@code pid} of this runtime, from
     * any thread (a plain {@code main} included); the same as
     * {@link Green#send(Pid, Object)}.
     *
     * @param pid the receiver, a pid of this runtime
     * @param msg the message
     * @return true if {@code pid} named a live green thread when the message was
     *         enqueued (unread when that thread ends, it is discarded with its
     *         mailbox, not a dead letter: see {@link Green#send}); false if it is
     *         dead or stale, or its {@linkplain Mailbox bounded mailbox} dropped it
     *         (the dead-letter handler, if any, then sees the message), or the
     *         runtime is closed (then nothing sees it)
     * @throws MailboxFullException as {@link Green#send(Pid, Object)}: a FAIL mailbox
     *         is full, or a BLOCK one had no room in time (not a dead letter)
     * @throws CancelledException if the caller is cancelled or interrupted while waiting
     *         for room (nothing is sent; the interrupt status stays set)
     * @throws NullPointerException if {@code pid} or {@code msg} is null
     * @throws IllegalArgumentException if {@code pid} belongs to another runtime
     */
    public boolean send(Pid pid, Object msg) {
        Objects.requireNonNull(pid, "pid");
        Objects.requireNonNull(msg, "msg");
        if (Pids.runtimeId(pid) != core.id) {
            throw new IllegalArgumentException("pid " + pid + " belongs to another runtime than '" + core.name + "'");
        }
        return RuntimeCore.send(pid, msg);
    }

    /**
     * Request–reply from any thread (a plain {@code main} included): a
     * temporary green thread of this runtime monitors {@code pid}, sends it
     * {@code request.apply(replyTo)} where {@code replyTo} is the temporary
     * thread's own pid, and waits for the first message of type
     * {@code replyType} in its (fresh, so uncorrelated replies cannot reach
     * it) mailbox. The callee answers with {@code Green.send(replyTo, reply)}.
     * If the callee ends first (or was already dead), the call fails at once.
     * The caller blocks (from a green thread: parks) until then. A reply that
     * comes after the call timed out or was cancelled, or a second reply, is a
     * dead letter of this runtime (the callee's {@code Green.send} may still
     * return true: it reached the temporary thread before that thread ended).
     *
     * @param <R> the reply type
     * @param pid the callee, a pid of this runtime
     * @param request makes the request from the reply-to pid
     * @param replyType the type of the reply (a primitive class stands for its wrapper);
     *        other messages to the reply-to pid are ignored. A reply that is a
     *        {@link Signal} is a reply like any other (with {@code Object.class}, a
     *        {@link Signal.Down} the callee sends, even about itself, is returned): only
     *        the callee's actual end fails the call
     * @param timeout how long the call may take, a wait for room in the callee's full
     *        {@linkplain Mailbox#blocking blocking} mailbox included
     * @return the reply
     * @throws TimedOutException if no reply came in time, or the request found no room in the
     *         callee's full blocking mailbox in time (then it was not sent)
     * @throws NoSuchGreenThreadException if the callee was dead, or ended before replying
     * @throws CancelledException if the caller was interrupted or cancelled when it calls
     *         (nothing is sent; the interrupt status stays set), or while waiting (the call
     *         first waits for its temporary thread, cancelled, to end: if that
     *         thread had already taken the reply, the reply is returned instead, and the
     *         interrupt or cancellation stays set for the caller's next wait)
     * @throws MailboxFullException if the callee's bounded mailbox refused the request
     *         (FAIL, or BLOCK out of its block timeout before the call's; a request it dropped
     *         gets no reply: the call times out)
     * @throws NullPointerException if an argument is null, or {@code request} returned null
     * @throws IllegalArgumentException if {@code timeout} is negative or {@code pid} belongs to another runtime
     * @throws IllegalStateException if the runtime is closed (or closing; checked before the
     *         caller's interrupt or cancellation, which stays set, except for a green thread of
     *         this runtime, which the close cancels: one cancelled gets CancelledException), or the caller is the green
     *         thread {@code pid} (it would wait for its own reply; nothing is sent)
     * @throws RuntimeException or {@link Error}: what {@code request} threw, unwrapped, as
     *         {@link Green#call} throws it (nothing is sent)
     */
    public <R> R call(Pid pid, Function<? super Pid, ?> request, Class<R> replyType, Duration timeout) {
        Objects.requireNonNull(pid, "pid");
        Objects.requireNonNull(request, "request");
        Class<R> replyClass = Matcher.boxed(Objects.requireNonNull(replyType, "replyType"));
        RuntimeCore.toNanos(timeout, "timeout");
        if (Pids.runtimeId(pid) != core.id) {
            throw new IllegalArgumentException("pid " + pid + " belongs to another runtime than '" + core.name + "'");
        }
        GreenThread<?> self = GreenThread.current();
        if (self != null && self.pid().equals(pid)) {
            throw new IllegalStateException(
                    "Verdant.call: a green thread cannot call itself (it would wait for its own reply): " + pid);
        }
        refuseIfClosed(self, "call");
        // As every Verdant wait (Green.call too): a caller already cancelled or interrupted is
        // refused before anything is sent; the calling thread would deliver the request. (No
        // safepoint here: the join below polls one, and a deterministic schedule stays as it was.)
        if (Waits.cancelled()) {
            throw Waits.cancelledException("Verdant.call");
        }
        GreenHandle<R> caller = spawner().name("call " + pid).spawn(() -> {
            // Its failure is thrown to the caller of call, so it is never an unobserved
            // failure, even if it ends before the caller waits in join (as run's body).
            GreenThread<?> me = GreenThread.current();
            me.markFailureObserved();
            // A reply that reached it after it took the reply or stopped waiting, before it
            // ended, is a late reply: a dead letter, as Green.call's (a later one finds no
            // live pid and is one already). Looked for once it has ended, on itself.
            me.onComplete((v, f) -> deadLetterLateReplies(me, replyClass), false);
            // One deadline for the send and the reply: a wait for room in a full BLOCK mailbox counts.
            Deadline deadline = Deadline.after(timeout, "timeout");
            // The callee's end comes as a CalleeEnded of this call's own, not as a monitor's Down:
            // a reply may itself be a Down (a replyType of Object, Signal or Signal.Down).
            io.verdant.internal.ActorCell cell = io.verdant.internal.ActorCell.of(me);
            io.verdant.internal.ExitListener ended = down -> cell.enqueue(CalleeEnded.INSTANCE);
            GreenThread<?> target = core.lookup(pid);
            if (target == null) {
                ended.exited(io.verdant.internal.ActorCell.noProcess(pid));
            } else {
                io.verdant.internal.ActorCell.watch(target, ended);
            }
            try {
                Object req = Objects.requireNonNull(request.apply(Green.self()), "request made a null message");
                try {
                    RuntimeCore.send(pid, req, deadline);
                } catch (TimedOutException noRoom) {
                    throw new TimedOutException("Verdant.call: no reply from " + pid + " within " + timeout + ": "
                            + noRoom.getMessage() + " (the request was not sent)");
                }
                Object m;
                try {
                    // Parked with a CallWait, not the mailbox: snapshots and dumps name the callee.
                    m = cell.take(Matcher.filter(x -> x == CalleeEnded.INSTANCE || replyClass.isInstance(x)),
                            Deadline.after(Math.max(0L, deadline.remaining())),
                            "Green.receive(filter)", new CallReply(pid, target, cell));
                } catch (TimedOutException noReply) {
                    // Named as the call, with the caller's timeout, not the inner receive's rest of it.
                    throw new TimedOutException("Verdant.call: no reply from " + pid + " within " + timeout);
                }
                if (m == CalleeEnded.INSTANCE) {
                    throw new NoSuchGreenThreadException(pid);
                }
                return replyClass.cast(m);
            } finally {
                if (target != null) {
                    io.verdant.internal.ActorCell.unwatch(target, ended);
                }
            }
        });
        try {
            return caller.join();
        } catch (CancelledException e) {
            caller.cancel();
            // The calling thread may have taken the reply already (it was ending as the join
            // gave up): a result it returned is the call's, never dropped unseen (as
            // Green.withTimeout's). The caller's cancellation stays set for its next wait.
            GreenThread<R> t = (GreenThread<R>) caller;
            Waits.awaitEndUninterruptibly(t);
            if (t.failureOrNull() == null) {
                return t.resultNow();
            }
            throw e;
        } catch (GreenFailedException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r; // TimedOutException, NoSuchGreenThreadException, or what request threw
            }
            if (e.getCause() instanceof Error err) {
                throw err; // as Green.call, where request runs on the caller
            }
            throw e;
        }
    }

    /**
     * The park blocker of {@link #call}'s temporary thread waiting for its reply: its
     * wait reason ("Verdant.call &lt;1.4.0&gt; 'db'") and, until a message is queued for
     * it (the reply, or the news of the callee's end, which wake it), the callee as the
     * thread it waits for, so a dump follows a call cycle through it as through
     * Green.call's. The caller of call joins this thread. Any thread; reads only.
     */
    private record CallReply(Pid pid, GreenThread<?> target, io.verdant.internal.ActorCell cell)
            implements io.verdant.internal.CallWait {
        @Override
        public GreenThread<?> awaitedCallee() {
            return target == null || cell.hasUnseenMessage() ? null : target;
        }

        @Override
        public String callReason() {
            return "Verdant.call " + (target == null ? pid.toString() : io.verdant.internal.obs.WaitReasons.describe(target));
        }
    }

    /** What tells {@link #call}'s temporary thread that its callee ended; no one else can send it. */
    private enum CalleeEnded {
        INSTANCE
    }

    /**
     * The temporary thread of {@link #call}, once it has ended: closes its mailbox, so
     * the replies left in it, and any appended later by a send that found it alive,
     * are dead letters (ActorCell, "Closed mailboxes").
     */
    private void deadLetterLateReplies(GreenThread<?> me, Class<?> replyClass) {
        if (GreenThread.current() != me) {
            return; // close abandoned it and runs its callbacks: only its owner may take from its mailbox
        }
        io.verdant.internal.ActorCell.of(me).close(m -> {
            if (m != CalleeEnded.INSTANCE && replyClass.isInstance(m)) {
                core.deadLetter(me.pid(), m, io.verdant.internal.DeadLetters.LATE_REPLY);
            }
        });
    }

    /**
     * Starts a supervision tree in this runtime from any thread (a plain
     * {@code main} included): the same as {@code builder.start(this)}. The
     * supervisor is linked to nobody; it returns once its first children are
     * spawned, or once the supervisor has ended without spawning them (the
     * runtime closed first: {@link Supervisor#handle()} tells how it ended).
     *
     * @param builder the supervisor's settings
     * @return the running supervisor
     * @throws NullPointerException if {@code builder} is null
     * @throws IllegalStateException if the runtime is closed
     */
    public Supervisor startSupervisor(Supervisor.Builder builder) {
        Objects.requireNonNull(builder, "builder");
        return builder.start(this);
    }

    /**
     * This runtime's name registry (see {@link Registry}).
     *
     * @return the registry
     */
    public Registry registry() {
        return registry;
    }

    /**
     * Dead letters so far: messages sent to a pid of this runtime that named no
     * live thread, dropped by a bounded mailbox, fired by a timer at a dead
     * thread, or replies that came after their call ended. Each was also given
     * to the {@linkplain Config.Builder#deadLetterHandler dead-letter handler},
     * if one is configured.
     *
     * @return the count since start; a snapshot
     */
    public long deadLetterCount() {
        return core.deadLetterCount();
    }

    /**
     * Number of green threads spawned and not yet ended; a snapshot. Event actors
     * and the runtime's event-actor dispatchers (green threads named
     * {@code verdant-dispatcher}) count: once a runtime ran an event actor, up to
     * one idle dispatcher per worker stays until close.
     *
     * @return the number of live green threads
     */
    public long liveThreads() {
        return core.liveThreads();
    }

    /**
     * The runtime's counters and gauges: spawns, exits, dispatches, steals,
     * parks, preemptions, stalls, spares, dead letters, supervisor restarts and
     * per-carrier queue depths. Always on: the counters are plain fields each
     * written by one thread (a carrier, the ticker), summed here; no fence or
     * atomic is added to dispatching. Cheap (one record per carrier); the values
     * are read one by one, not as an atomic snapshot. Works after close (the
     * final figures; {@link RuntimeMetrics#workers()} then lists the carriers the
     * runtime had as it closed, ended, with their own final figures).
     *
     * @return the metrics now
     */
    public RuntimeMetrics metrics() {
        return io.verdant.internal.obs.Metrics.of(core);
    }

    /**
     * Every live green thread (event actors included, see
     * {@link GreenThreadInfo#jdkThreadId()}) with its pid, name, state, priority, parent,
     * supervisor, mailbox depth, wait reason (naming the channel, mutex and
     * holder, or joined thread), time waiting and run time. Nothing is stopped:
     * each thread's fields are read once while it runs on (see
     * {@link GreenThreadInfo}). No stacks are taken; see {@link #dump} for those.
     *
     * @return the snapshot
     */
    public RuntimeSnapshot snapshot() {
        return io.verdant.internal.obs.Snapshots.of(core);
    }

    /**
     * Starts recording a scheduling trace: every slice a green thread runs on a
     * carrier (how it was found, why it stopped), wake-ups from waker to woken,
     * spawns, steals, idle carriers, preemption requests, stalls and spare
     * carriers. Each carrier writes into a ring of its own (no lock, no
     * allocation, never waiting); a background thread collects the rings in bulk,
     * more often the faster they fill (every 13 ms down to every 1 ms), and
     * if it falls behind the oldest events are overwritten and counted
     * ({@link TraceRecording#dropped()}). Recording costs one ring write per
     * dispatch, which also carries the slice's first wake-up, a clock read per
     * 64 dispatches and one per 1 ms tick (slice times between reads are estimated), a ring write per
     * further wake-up and per spawn (see docs/observability.md); when no
     * trace records and the flight recorder is off, the cost is one read per
     * dispatch. Several traces may record at once. The trace records until
     * {@link TraceRecording#stop()} or the runtime closes; a forgotten trace
     * keeps at most 2^21 events per carrier (encoded in direct memory, outside the heap: about 6 MiB
     * for a switch loop's slices, at most 107 MiB). The same as
     * {@code startTrace(TraceOptions.defaults())}; see {@link #startTrace(TraceOptions)}
     * for a ring size, the kinds of events kept, and limits after which it stops itself.
     *
     * <pre>{@code
     * try (TraceRecording trace = rt.startTrace()) {
     *     rt.run(() -> work());
     *     trace.stop();
     *     trace.writeChromeJson(Path.of("trace.json"));   // ui.perfetto.dev
     *     trace.writeHtml(Path.of("trace.html"));          // any browser
     * }
     * }</pre>
     *
     * @return the recording trace
     * @throws IllegalStateException if the runtime is closed, or is a deterministic one (it has no carriers to trace)
     */
    public TraceRecording startTrace() {
        requireTraceable("startTrace");
        return io.verdant.internal.obs.TraceSession.start(core);
    }

    /**
     * Starts recording a scheduling trace as {@link #startTrace()} does, with
     * {@code options}: the size of each carrier's ring, the kinds of events kept,
     * and limits after which the trace stops by itself (a duration, a number of
     * events).
     *
     * <pre>{@code
     * TraceRecording trace = rt.startTrace(TraceOptions.defaults().maxDuration(Duration.ofSeconds(2)));
     * }</pre>
     *
     * @param options how to record
     * @return the recording trace
     * @throws NullPointerException if {@code options} is null
     * @throws IllegalStateException if the runtime is closed, or is a deterministic one (it has no carriers to trace)
     */
    public TraceRecording startTrace(TraceOptions options) {
        java.util.Objects.requireNonNull(options, "options");
        requireTraceable("startTrace");
        return io.verdant.internal.obs.TraceSession.start(core, options);
    }

    /**
     * A copy of what the flight recorder holds now (see
     * {@link Config.Builder#flightRecorder(long)}): the last events of every
     * carrier, as a stopped {@link TraceRecording} to write as JSON or HTML. The
     * carriers go on recording while it is copied; events overwritten before the
     * copy are counted in {@link TraceRecording#dropped()}. Works after close
     * (the last events before it).
     *
     * @return the flight recorder's contents
     * @throws IllegalStateException if the flight recorder is off, or the runtime is a deterministic one
     */
    public TraceRecording flightRecording() {
        if (core.scheduler == null) {
            throw new IllegalStateException("flightRecording: runtime '" + core.name
                    + "' is deterministic (it keeps no flight recorder, whatever Config says); use trace() for its "
                    + "schedule");
        }
        if (!core.scheduler.traceControl().flightRecorder()) {
            throw new IllegalStateException("runtime '" + core.name
                    + "' has no flight recorder: start it with Config.builder().flightRecorder(bytes)");
        }
        return io.verdant.internal.obs.TraceSession.flight(core);
    }

    private void requireTraceable(String op) {
        if (core.scheduler == null) {
            throw new IllegalStateException(op + ": runtime '" + core.name
                    + "' is deterministic; use trace() for its schedule");
        }
        if (core.isClosed()) {
            throw new IllegalStateException(op + ": runtime '" + core.name + "' is closed");
        }
    }

    /**
     * Writes a dump of every live green thread: the supervisor trees first,
     * then the other threads grouped under the thread that spawned them
     * (identical siblings collapsed with a count), then any deadlock (a cycle of
     * mutex waits and joins). As text, or as JSON whose field names match the
     * JDK's thread dump so the two can be joined on {@code tid}. Nothing is
     * stopped; stacks, when asked for, cost a few microseconds per thread. A
     * deterministic runtime's stacks are taken only when the caller is one of
     * its green threads (the body, say): from another thread they are left out,
     * for walking them would submit its threads again from outside, which would
     * fail or change the schedule.
     *
     * @param out     where to write (a {@code PrintStream}, {@code StringBuilder}, {@code Writer}...)
     * @param options text or JSON, stacks or not
     * @throws NullPointerException if an argument is null
     * @throws java.io.UncheckedIOException if {@code out} throws an IOException
     */
    public void dump(Appendable out, DumpOptions options) {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(options, "options");
        io.verdant.internal.obs.Dumper.dump(core, out, options);
    }

    /**
     * Writes a dump (see {@link #dump(Appendable, DumpOptions)}) to a file, replacing it,
     * in UTF-8 (a name that cannot be encoded, such as one cut in the middle of a
     * surrogate pair, is written with {@code ?} in the text form; JSON escapes it).
     *
     * @param file    the file to write
     * @param options text or JSON, stacks or not
     * @throws NullPointerException if an argument is null
     * @throws java.io.UncheckedIOException if the file cannot be written
     */
    public void dump(java.nio.file.Path file, DumpOptions options) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        // Not Files.newBufferedWriter: its encoder throws on a lone surrogate, which would
        // lose the whole dump for one odd name; this one writes a replacement.
        try (java.io.Writer w = new java.io.BufferedWriter(new java.io.OutputStreamWriter(
                java.nio.file.Files.newOutputStream(file), java.nio.charset.StandardCharsets.UTF_8))) {
            dump(w, options);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * This runtime's name (prefix of its carrier threads' names).
     *
     * @return the name
     */
    public String name() {
        return core.name;
    }

    /**
     * The settings this runtime was started with.
     *
     * @return the configuration
     */
    public Config config() {
        return core.config();
    }

    /**
     * Tells whether {@link #close()} has begun.
     *
     * @return true once closing has begun
     */
    public boolean isClosed() {
        return core.isClosed();
    }

    /**
     * Closes the runtime as described in the class comment. Idempotent: a
     * second call returns at once; so does a call made by close's own steps
     * (an {@link CancelToken#onCancel} action its cancel runs, or an
     * {@link GreenHandle#onComplete} callback of a thread it abandons), which
     * leaves the rest of closing to the first call. A call from an
     * {@link GreenHandle#onComplete} callback or {@link Config#failureHandler()}
     * call of an idle event actor, run on the thread whose cancel ended the actor,
     * does not wait for that callback (nor does a close already under way). The cancel of the live
     * threads runs their {@link CancelToken#onCancel} actions on a platform
     * thread of close's, which close waits for only within the shutdown
     * timeout (at least 1 s): an action that blocks longer is left running (a WARNING on
     * {@code io.verdant} says so) and the threads its cancel has not reached
     * yet are abandoned (a deterministic runtime's close runs them itself). A spawn racing close either starts a green
     * thread that close cancels and waits for like the others, or fails with
     * {@link IllegalStateException} ("runtime ... is closed"); close itself
     * never fails because of it. Should a step of closing fail unexpectedly
     * (a defect), the remaining steps still run and the runtime ends closed,
     * with its carriers, ticker and blocking pool stopped; that first failure
     * is then thrown, once. An interrupt of the caller, before or during close,
     * neither fails nor shortens it (as {@code ExecutorService.close}): close
     * waits as it would have, and returns with the interrupt status set.
     * Called from a virtual thread (a green thread of another runtime, say),
     * close runs its steps on a platform thread of its own and waits for it, so
     * that this runtime still closes if the caller's runtime closes and abandons
     * the caller meanwhile (a later close then returns once it has). One such
     * thread is started per runtime: other virtual threads that call close
     * meanwhile wait, parked, for that close to end.
     * Called on this runtime's ticker thread (a {@link Config#deadLetterHandler()}
     * called for a dead letter raised while the runtime closes; for a timer's
     * send at other times the handler runs on a green thread of this runtime,
     * where close throws {@link IllegalStateException}), close returns at once:
     * the close in progress, which waits for that thread to stop, finishes closing.
     * A close made while the JVM shuts down (in a shutdown hook) does not wait
     * for green threads inside {@code System.exit}, which end only with the JVM,
     * and lets a green thread woken after it run on the JDK's default scheduler,
     * so that such an exit completes (docs/runtime.md, "The JVM's exit"). A close
     * already under way when the JVM's shutdown begins goes on the same way
     * from then on; neither waits for {@link GreenHandle#onComplete} callbacks.
     *
     * <p>Memory consistency effects: when every green thread of the runtime
     * ended, and its {@link GreenHandle#onComplete} callbacks ran, within the
     * shutdown timeout (close abandoned none), the actions of their bodies and
     * callbacks <i>happen-before</i> close returns, as after
     * {@code ExecutorService.close}. A thread close abandoned is ordered with
     * nothing: it may still be running.
     *
     * @throws IllegalStateException if called from one of this runtime's own green threads, or from
     *         another virtual thread that runs on this runtime's carriers: one started inside a green
     *         thread of it with {@code Thread.ofVirtual()} (or by an executor or a structured-concurrency
     *         fork made there) inherits the runtime as its scheduler; or, in a deterministic runtime,
     *         from its carrier thread (a {@link Config#deadLetterHandler()} called for a timer's send
     *         while the runtime closes runs there; at other times it runs on a green thread of the runtime)
     */
    @Override
    public void close() {
        core.close();
    }

    /** The runtime core behind this facade (for other io.verdant classes, tests and diagnostics). */
    RuntimeCore core() {
        return core;
    }

    /** The runtime of the current green thread, or null outside a green thread. */
    static Verdant currentOrNull() {
        GreenThread<?> g = GreenThread.current();
        return g == null ? null : (Verdant) g.runtime().facade;
    }

    @Override
    public String toString() {
        return "Verdant[" + core.name + ", workers=" + core.config().workers() + (isClosed() ? ", closed" : "") + "]";
    }
}
