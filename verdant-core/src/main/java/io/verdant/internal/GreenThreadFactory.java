package io.verdant.internal;

import io.verdant.CancelToken;
import io.verdant.Priority;

import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;

/**
 * A {@link ThreadFactory} whose threads are green threads once started (see
 * {@code Spawner.threadFactory()} for the user contract).
 *
 * <pre>
 * Each newThread() creates a GreenThread with RuntimeCore.createUnstarted and
 * returns its virtual thread, not started: the caller starts it, and from then
 * on it is an ordinary green thread. The green thread exists (pid, live count,
 * cancellation registration) from newThread() on, so a thread that is never
 * started stays live until the runtime closes, which abandons it. Started
 * after that, its start is refused: Thread.start() throws
 * RejectedExecutionException and the JDK terminates the thread (GreenThread,
 * "Starting an abandoned thread"), instead of a thread that seemed started and
 * never ran. A start racing the abandonment itself (status read just before
 * close wrote it) is still queued and dropped.
 * Threads are registered for cancellation under the factory's token (the
 * spawner's cancelWith token, else a standalone token of the factory), never
 * under whichever green thread happened to call newThread().
 * Thread-safe: all fields are final; the name counter is atomic.
 * </pre>
 */
public final class GreenThreadFactory implements ThreadFactory {
    private final RuntimeCore runtime;
    private final ThreadNames names;
    private final Priority priority;
    private final CancelToken token;
    /** Makes each thread's own mailbox bound (a bound is per mailbox), or null for unbounded mailboxes. */
    private final Supplier<MailboxBound> mailbox;

    /**
     * Creates a factory.
     *
     * @param runtime the runtime the threads belong to
     * @param names how threads are named
     * @param priority their priority
     * @param token the token they are registered under
     * @param mailbox makes each thread's mailbox bound, or null for unbounded mailboxes
     */
    public GreenThreadFactory(RuntimeCore runtime, ThreadNames names, Priority priority, CancelToken token,
                              Supplier<MailboxBound> mailbox) {
        this.runtime = runtime;
        this.names = names;
        this.priority = priority;
        this.token = token;
        this.mailbox = mailbox;
    }

    /**
     * A new, unstarted thread that runs {@code task} as a green thread once started.
     *
     * @param task what the thread runs
     * @return the thread, or null if the runtime is closed (the ThreadFactory
     *         contract for a rejected request)
     * @throws NullPointerException if {@code task} is null
     */
    @Override
    public Thread newThread(Runnable task) {
        Objects.requireNonNull(task, "task");
        try {
            return runtime.<Void>createUnstarted(() -> {
                task.run();
                return null;
            }, names.next(), priority, token, mailbox == null ? null : mailbox.get()).virtualThread();
        } catch (IllegalStateException e) {
            if (runtime.isClosed()) {
                return null;
            }
            throw e; // not a rejection: an InheritableThreadLocal.childValue that threw it (InheritedLocalFailureTest)
        }
    }

    @Override
    public String toString() {
        return "GreenThreadFactory[" + runtime.name + ", " + priority + "]";
    }
}
