package io.verdant;

import io.verdant.internal.GreenThread;
import io.verdant.internal.RuntimeCore;

import java.util.Objects;
import java.util.concurrent.Callable;

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

    Spawner(RuntimeCore runtime) {
        this.runtime = runtime;
    }

    /**
     * The thread's name (shown in thread dumps and stall reports).
     *
     * @param name the name
     * @return this builder
     * @throws NullPointerException if {@code name} is null
     */
    public Spawner name(String name) {
        this.name = Objects.requireNonNull(name, "name");
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
     * policy, in place before the thread runs (see {@link Mailbox}).
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
     * Starts a green thread running {@code body}.
     *
     * @param <T> the type of the body's result
     * @param body the code the new green thread runs
     * @return the handle of the new green thread
     * @throws NullPointerException if {@code body} is null
     * @throws IllegalStateException if the runtime is closed
     */
    public <T> GreenHandle<T> spawn(Callable<? extends T> body) {
        return runtime.spawn(body, name, priority, under, link ? GreenThread.require("Spawner.link") : null,
                mailbox.toBound());
    }

    /**
     * Starts a green thread running {@code body}; its result is null.
     *
     * @param body the code the new green thread runs
     * @return the handle of the new green thread
     * @throws NullPointerException if {@code body} is null
     * @throws IllegalStateException if the runtime is closed
     */
    public GreenHandle<Void> spawn(Runnable body) {
        Objects.requireNonNull(body, "body");
        return spawn(() -> {
            body.run();
            return null;
        });
    }

}
