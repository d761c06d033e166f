package io.verdant;

import io.verdant.internal.EventActor;
import io.verdant.internal.GreenThread;
import io.verdant.internal.RuntimeCore;

import java.util.Objects;

/**
 * Builder for spawning an event actor with options. Obtained from
 * {@link Actors#spawner()} (inside a green thread or event actor) or
 * {@link Actors#spawner(Verdant)}. Not thread-safe; reusable: each
 * {@code spawn} starts a new actor with the current settings.
 */
public final class ActorSpawner {
    private final RuntimeCore runtime;
    private String name;
    private Priority priority = Priority.NORMAL;
    private int throughput = EventActor.DEFAULT_THROUGHPUT;
    private boolean trapExits;
    private CancelToken under;
    private boolean link;

    ActorSpawner(RuntimeCore runtime) {
        this.runtime = runtime;
    }

    /**
     * Sets the actor's name (shown by {@link GreenHandle#name()} and in failure reports).
     *
     * @param name the name
     * @return this builder
     * @throws NullPointerException if {@code name} is null
     */
    public ActorSpawner name(String name) {
        this.name = Objects.requireNonNull(name, "name");
        return this;
    }

    /**
     * Sets the actor's priority; default {@link Priority#NORMAL}. Dispatchers
     * serve runnable actors of a higher priority first, a dispatcher woken for a
     * runnable actor waits for a carrier at its priority, as a green thread of
     * that priority would, and a handler runs at its actor's priority.
     *
     * @param priority the priority
     * @return this builder
     * @throws NullPointerException if {@code priority} is null
     */
    public ActorSpawner priority(Priority priority) {
        this.priority = Objects.requireNonNull(priority, "priority");
        return this;
    }

    /**
     * Sets how many messages the actor handles in one turn before its
     * dispatcher moves on to another runnable actor; default 5 (as Pekko's).
     *
     * @param messages messages per turn, at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code messages} is less than 1
     */
    public ActorSpawner throughput(int messages) {
        if (messages < 1) {
            throw new IllegalArgumentException("throughput must be at least 1, was " + messages);
        }
        this.throughput = messages;
        return this;
    }

    /**
     * Sets whether exits of linked pids arrive as {@link Signal.Exit} and
     * {@link Signal.Failure} messages instead of stopping the actor (as
     * {@link Green#trapExits(boolean)} for a green thread); default off.
     *
     * @param on whether to trap exits
     * @return this builder
     */
    public ActorSpawner trapExits(boolean on) {
        this.trapExits = on;
        return this;
    }

    /**
     * Registers the actor for cancellation under {@code token} instead of
     * under the spawning green thread or actor (see {@link Spawner#cancelWith}).
     *
     * @param token the token
     * @return this builder
     * @throws NullPointerException if {@code token} is null
     * @throws IllegalArgumentException if {@code token} was not made by Verdant
     */
    public ActorSpawner cancelWith(CancelToken token) {
        Objects.requireNonNull(token, "token");
        if (!(token instanceof io.verdant.internal.CancelNode)) {
            throw new IllegalArgumentException("token must come from Verdant (CancelToken.create(), "
                    + "Green.cancelToken()), was " + token.getClass().getName());
        }
        this.under = token;
        return this;
    }

    /**
     * Spawns linked to the calling green thread or event actor (as
     * {@link Spawner#link()}): the caller receives the actor's normal end as a
     * {@link Signal.Exit}, and a failure of either side propagates to the other.
     *
     * @return this builder
     * @throws IllegalStateException if the caller is not a green thread or event actor
     */
    public ActorSpawner link() {
        GreenThread.require("ActorSpawner.link");
        this.link = true;
        return this;
    }

    /**
     * Starts an event actor with state {@code initial} that handles each
     * message with {@code behavior}.
     *
     * @param <S>      the state type
     * @param initial  the initial state (may be null)
     * @param behavior the message handler
     * @return the actor's handle: its {@link GreenHandle#pid() pid} takes
     *         {@link Green#send messages}; {@link GreenHandle#join()} returns the
     *         final state after {@link Actors#stop()}, and throws
     *         {@link GreenFailedException} if a handler threw or
     *         {@link CancelledException}-caused failure if it was cancelled;
     *         {@link GreenHandle#cancel()} stops it
     * @throws NullPointerException if {@code behavior} is null
     * @throws IllegalStateException if the runtime is closed, or {@link #link()}
     *         was set and the caller is not a green thread
     */
    public <S> GreenHandle<S> spawn(S initial, Behavior<S> behavior) {
        Objects.requireNonNull(behavior, "behavior");
        GreenThread<?> parent = link ? GreenThread.require("ActorSpawner.link") : null;
        return runtime.spawnEvent(initial, behavior, name, priority, throughput, trapExits, under, parent);
    }
}
