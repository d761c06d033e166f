package io.verdant;

import io.verdant.internal.CancelNode;
import io.verdant.internal.GreenExecutorService;
import io.verdant.internal.GreenThread;
import io.verdant.internal.GreenThreadFactory;
import io.verdant.internal.MailboxBound;
import io.verdant.internal.RuntimeCore;
import io.verdant.internal.ThreadNames;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;

/**
 * Builder for spawning a green thread with options. Obtained from
 * {@link Green#spawner()} (inside a green thread) or {@link Verdant#spawner()}.
 * Not thread-safe; reusable: each {@code spawn} starts a new thread with the
 * current settings.
 */
public final class Spawner {
    private final RuntimeCore runtime;
    private String name;
    private Priority priority = Priority.NORMAL;
    private CancelToken under;
    private boolean link;
    private Mailbox mailbox = Mailbox.unbounded();
    /** With {@link #name}: the next value of the name counter; -1: a fixed name. */
    private long nameStart = -1;

    Spawner(RuntimeCore runtime) {
        this.runtime = runtime;
    }

    /**
     * The thread's name (shown in thread dumps and stall reports).
     *
     * @param name the name
     * @return this spawner
     * @throws NullPointerException if {@code name} is null
     */
    public Spawner name(String name) {
        this.name = Objects.requireNonNull(name, "name");
        this.nameStart = -1;
        return this;
    }

    /**
     * Names threads {@code prefix} followed by a counter starting at
     * {@code start} ({@code worker-0}, {@code worker-1}, ...), as
     * {@code Thread.Builder.name(prefix, start)}: each {@code spawn} takes the
     * next number, and {@link #threadFactory()} and {@link #executor()} start
     * their own counter from the spawner's current value.
     *
     * @param prefix the name before the number
     * @param start the first number
     * @return this spawner
     * @throws NullPointerException if {@code prefix} is null
     * @throws IllegalArgumentException if {@code start} is negative
     */
    public Spawner name(String prefix, long start) {
        Objects.requireNonNull(prefix, "prefix");
        if (start < 0) {
            throw new IllegalArgumentException("start must not be negative, was " + start);
        }
        this.name = prefix;
        this.nameStart = start;
        return this;
    }

    /**
     * The thread's priority; default {@link Priority#NORMAL}.
     *
     * @param priority the priority
     * @return this builder
     * @throws NullPointerException if {@code priority} is null
     */
    public Spawner priority(Priority priority) {
        this.priority = Objects.requireNonNull(priority, "priority");
        return this;
    }

    /**
     * Registers the thread for cancellation under {@code token} instead of
     * under the spawning green thread: cancelling {@code token} cancels it and
     * its descendants; cancelling the spawner does not. A token that is already
     * cancelled starts the thread cancelled. See {@link CancelToken}.
     *
     * @param token the token to register under
     * @return this builder
     * @throws NullPointerException if {@code token} is null
     * @throws IllegalArgumentException if {@code token} is not one of Verdant's
     */
    public Spawner cancelWith(CancelToken token) {
        Objects.requireNonNull(token, "token");
        if (!(token instanceof io.verdant.internal.CancelNode)) {
            throw new IllegalArgumentException("token must come from Verdant (CancelToken.create(), "
                    + "Green.cancelToken()), was " + token.getClass().getName());
        }
        this.under = token;
        return this;
    }

    /**
     * Spawn linked to the calling green thread (Erlang's {@code spawn_link}):
     * the link is in place before the child runs, and the caller receives the
     * child's normal exit as a {@link Signal.Exit}; a failure of either side
     * propagates to the other as described in {@link Green#link(Pid)}.
     *
     * @return this builder
     * @throws IllegalStateException if the caller is not a green thread
     */
    public Spawner link() {
        GreenThread.require("Spawner.link");
        this.link = true;
        return this;
    }

    /**
     * The thread's mailbox: unbounded (the default) or bounded with an overflow
     * policy, in place before the thread runs (see {@link Mailbox}). It applies
     * to every thread this spawner starts, those of its {@link #threadFactory()}
     * and {@link #executor()} included, each with a mailbox of its own.
     *
     * @param mailbox the mailbox description
     * @return this spawner
     * @throws NullPointerException if {@code mailbox} is null
     */
    public Spawner mailbox(Mailbox mailbox) {
        this.mailbox = Objects.requireNonNull(mailbox, "mailbox");
        return this;
    }

    /**
     * Starts a green thread running {@code body}. Memory consistency effects as
     * {@link Green#spawn(Callable)}: actions prior to this call
     * <i>happen-before</i> the body runs.
     *
     * @param <T> the type of the body's result
     * @param body the code the new green thread runs
     * @return the handle of the new green thread
     * @throws NullPointerException if {@code body} is null (a name pattern's number is not used up)
     * @throws IllegalStateException if the runtime is closed, or {@link #link()} was set and
     *         the caller is not a green thread (a name pattern's number is not used up)
     */
    public <T> GreenHandle<T> spawn(Callable<? extends T> body) {
        Objects.requireNonNull(body, "body");
        GreenThread<?> linkParent = link ? GreenThread.require("Spawner.link") : null;
        return runtime.spawn(body, nextName(), priority, under, linkParent, mailbox.toBound());
    }

    /**
     * Starts a green thread running {@code body}; its result is null.
     *
     * @param body the code the new green thread runs
     * @return the handle of the new green thread
     * @throws NullPointerException if {@code body} is null (a name pattern's number is not used up)
     * @throws IllegalStateException if the runtime is closed, or {@link #link()} was set and
     *         the caller is not a green thread (a name pattern's number is not used up)
     */
    public GreenHandle<Void> spawn(Runnable body) {
        // The Runnable itself is the thread's body, as in Green.spawn(Runnable): no
        // adapter Callable, so no adapter frame below the body on every parked stack
        // (issue 11: one compiled frame of the HTTP example's handlers, copied at each
        // park and wake-up).
        Objects.requireNonNull(body, "body");
        GreenThread<?> linkParent = link ? GreenThread.require("Spawner.link") : null;
        return runtime.spawnRunnable(body, nextName(), priority, under, linkParent, mailbox.toBound());
    }

    /**
     * A {@link ThreadFactory} with this spawner's settings (name or name
     * pattern, priority, {@link #cancelWith} token), for libraries that take
     * one. It is thread-safe and independent of this spawner afterwards.
     *
     * <p><b>How a {@code Thread} maps to a green thread.</b> {@code newThread}
     * returns an unstarted {@link Thread} (a virtual thread whose scheduler is
     * the runtime) that <em>is</em> a green thread once the library calls
     * {@code start()}: {@link Green#isGreen()} is true inside, and every
     * {@link Green} operation works. The green thread exists from
     * {@code newThread} on: it has a pid and counts as live, so a thread that
     * is never started stays live until the runtime closes (which then waits
     * {@link Config#shutdownTimeout()} for it and abandons it); starting such a
     * thread after the runtime closed throws
     * {@link java.util.concurrent.RejectedExecutionException} from
     * {@code start()}, and the thread is then terminated (its body never runs).
     * Starting a thread twice throws {@link IllegalThreadStateException}, as for
     * every {@code Thread}. The threads are
     * registered for cancellation under the {@link #cancelWith} token if one
     * was given, otherwise under a token of the factory's own, never under the
     * green thread that calls {@code newThread}. As for every virtual thread,
     * {@code setDaemon(false)} throws {@link IllegalArgumentException} and
     * {@code setPriority} is ignored (use {@link #priority}). A thread whose
     * uncaught-exception handler was replaced (before or after its start) stays
     * a working green thread; a failure of its task is given to that handler on
     * the thread, as the JDK does, unless it is a {@link CancelledException},
     * and then goes to joiners and the runtime's failure handler as for any
     * green thread (counted as observed: not logged as unjoined).
     *
     * @return a new factory; {@code newThread} returns null once the runtime is
     *         closed (the {@code ThreadFactory} contract for a rejected request)
     * @throws IllegalStateException if {@link #link()} was set (a factory's
     *         threads are not linked to anyone)
     */
    public ThreadFactory threadFactory() {
        if (link) {
            throw new IllegalStateException("Spawner.link() does not apply to a thread factory");
        }
        // The threads register under the cancelWith token itself: a factory has no end at
        // which a callback of its own on that token could be removed.
        return new GreenThreadFactory(runtime, names(), priority, under != null ? under : CancelNode.standalone(),
                mailboxes());
    }

    /**
     * An {@link ExecutorService} running each task as a new green thread with
     * this spawner's settings, with the semantics of the JDK's
     * {@link java.util.concurrent.Executors#newVirtualThreadPerTaskExecutor()}:
     * <ul>
     * <li>{@code execute}/{@code submit} start a green thread per task at once
     *     (no queue, no bound); {@code invokeAll}/{@code invokeAny} as in
     *     {@link java.util.concurrent.AbstractExecutorService}.</li>
     * <li>{@code shutdown()}: new tasks are rejected with
     *     {@link java.util.concurrent.RejectedExecutionException}; running
     *     ones finish. {@code shutdownNow()}: also cancels every task thread
     *     and its descendants (see {@link CancelToken}: their Verdant blocking
     *     operations throw {@link CancelledException}, JDK ones are
     *     interrupted); returns an empty list (nothing is ever queued).</li>
     * <li>{@code awaitTermination} waits until shut down and every task
     *     thread has ended (a green caller parks); it throws
     *     {@link InterruptedException} if the caller is interrupted or
     *     cancelled. {@code close()} (try-with-resources) shuts down and waits;
     *     interrupted or cancelled meanwhile, it calls {@code shutdownNow()},
     *     keeps waiting, and returns with the interrupt status set. Do not call
     *     it from one of the executor's own tasks (it would wait for itself).</li>
     * <li>A {@code Future} from {@code submit}: {@code cancel(true)} cancels
     *     the task's green thread and its descendants. The {@code Future} of a
     *     task whose thread the runtime's close abandoned (it ignored the
     *     cancellation past the shutdown timeout) is cancelled, so {@code get},
     *     {@code invokeAll} and {@code invokeAny} waiting for it return. A green
     *     thread in its {@code get}, in {@code invokeAll} or in {@code invokeAny}
     *     (which starts every task at once), timed or not, waits on its
     *     runtime's timers, as Verdant's own timeouts do (virtual time in a
     *     deterministic runtime); cancelled while waiting, it gets
     *     {@code InterruptedException}. One its own runtime's close abandons
     *     in {@code invokeAll} or {@code invokeAny} has its tasks cancelled, as
     *     its cancellation would.</li>
     * <li>Task threads are registered for cancellation under a token of the
     *     executor's own (a child of the {@link #cancelWith} token if one was
     *     given), not under the submitting thread: they outlive their
     *     submitter, as in the JDK. A task given to {@code execute} that
     *     throws ends its green thread with that failure (the runtime's
     *     failure handler sees it); a task from {@code submit},
     *     {@code invokeAll} or {@code invokeAny} keeps what it throws in its
     *     {@code Future}, as in the JDK, and its thread ends normally.</li>
     * <li>Tasks are rejected with {@code RejectedExecutionException} once
     *     the runtime is closed; closing the runtime cancels the tasks like
     *     every green thread and shuts the executor down ({@code isShutdown()}
     *     is true from then on): it terminates once those tasks have ended,
     *     and {@code awaitTermination} returns.</li>
     * </ul>
     *
     * @return a new executor service
     * @throws IllegalStateException if {@link #link()} was set
     */
    public ExecutorService executor() {
        if (link) {
            throw new IllegalStateException("Spawner.link() does not apply to an executor");
        }
        CancelNode own = CancelNode.standalone();
        CancelToken.Registration reg = under == null ? null : under.onCancel(own::cancel);
        return new GreenExecutorService(runtime, names(), priority, own, reg, mailboxes());
    }

    /** The name of the next thread spawned, advancing the counter if there is one. */
    private String nextName() {
        return nameStart < 0 ? name : name + nameStart++;
    }

    /** Each thread's own mailbox bound for a factory or executor (a bound is per mailbox), or null if unbounded. */
    private Supplier<MailboxBound> mailboxes() {
        Mailbox m = mailbox;
        return m.isUnbounded() ? null : m::toBound;
    }

    private ThreadNames names() {
        return new ThreadNames(name, nameStart);
    }
}
