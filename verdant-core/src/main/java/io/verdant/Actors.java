package io.verdant;

import io.verdant.internal.EventActorOps;
import io.verdant.internal.GreenThread;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * Event actors: actors defined by a {@link Behavior} and a state instead of a
 * thread body. An event actor has a pid from the same table as green threads,
 * a mailbox, links, monitors, a cancel token, a priority and a
 * {@link GreenHandle}, but no stack of its own while idle: a message to it
 * makes it runnable, and a dispatcher — a green thread — calls its behavior,
 * up to a few messages per turn, then moves on to the next runnable actor.
 * A message is a method call, not a stack switch.
 *
 * <pre>{@code
 * GreenHandle<Integer> counter = Actors.spawn(0, (Integer n, Object msg) -> switch (msg) {
 *     case String s when s.equals("stop") -> { Actors.stop(); yield n; }
 *     default -> n + 1;
 * });
 * Green.send(counter.pid(), "tick");
 * Green.send(counter.pid(), "stop");
 * int ticks = counter.join();   // 1
 * }</pre>
 *
 * <p>{@link Green#send}, links, monitors, exit and down signals (delivered as
 * messages), supervisors ({@link #childSpec}), priorities, time slices and
 * cancellation work for both kinds alike. A handler may block; see
 * {@link Behavior}. What differs from a green thread: no {@code Green.receive}
 * in a handler (use {@link #stash()} to defer a message, {@link Green#call} to
 * wait for a reply), and a handler
 * should release a {@link Mutex} before it returns (a mutex is held by the
 * dispatcher thread, not by the actor). See docs/event-actors.md.
 *
 * <h2>Memory consistency effects</h2>
 * An actor's handler calls are ordered by <i>happens-before</i>, one message
 * after another, whichever dispatcher and carrier runs each: what a call wrote
 * (the state it returned, objects it reached) is seen by the next call for the
 * same actor, so the state needs no synchronization of its own. Actions prior
 * to {@link #spawn} (or {@link ActorSpawner#spawn}) happen-before the first
 * handler call; actions prior to a send happen-before the call that is given
 * the message (see {@link Mailbox}); and the actions of the last handler call
 * happen-before a {@link GreenHandle#join} of the ended actor returns.
 */
public final class Actors {
    private Actors() {
    }

    /**
     * Green or event actor only. Spawns an event actor with the default
     * options in the caller's runtime, registered for cancellation under the caller.
     *
     * @param <S>      the state type
     * @param initial  the initial state (may be null)
     * @param behavior the message handler
     * @return the actor's handle (see {@link ActorSpawner#spawn})
     * @throws NullPointerException if {@code behavior} is null
     * @throws IllegalStateException if the caller is not a green thread or event
     *         actor, or its runtime is closed
     */
    public static <S> GreenHandle<S> spawn(S initial, Behavior<S> behavior) {
        return spawner().spawn(initial, behavior);
    }

    /**
     * Green or event actor only. A builder for an event actor in the caller's runtime.
     *
     * @return a new builder
     * @throws IllegalStateException if the caller is not a green thread or event actor
     */
    public static ActorSpawner spawner() {
        return new ActorSpawner(GreenThread.require("Actors.spawner").runtime());
    }

    /**
     * Any thread. A builder for an event actor in {@code runtime}.
     *
     * @param runtime the runtime
     * @return a new builder
     * @throws NullPointerException if {@code runtime} is null
     */
    public static ActorSpawner spawner(Verdant runtime) {
        Objects.requireNonNull(runtime, "runtime");
        return new ActorSpawner(runtime.core());
    }

    /**
     * A supervisor child spec that starts an event actor: permanent, with the
     * default shutdown timeout (change both with the spec's withers). Every
     * incarnation starts from a fresh {@code initial.get()}.
     *
     * @param <S>      the state type
     * @param name     the child's name
     * @param initial  makes the initial state of each incarnation
     * @param behavior the message handler
     * @return the spec
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static <S> Supervisor.ChildSpec childSpec(String name, Supplier<? extends S> initial, Behavior<S> behavior) {
        return Supervisor.ChildSpec.of(name, new EventActorChild<>(initial, behavior));
    }

    /**
     * Event actor handler only. Puts the message being handled aside: it is
     * handled again, in stash order and before the mailbox, after
     * {@link #unstashAll()} (selective receive for event actors). Stashing the
     * same message again in the same handler call does nothing: it is handled once.
     *
     * @throws IllegalStateException if the caller is not an event actor's handler
     */
    public static void stash() {
        EventActorOps.stash();
    }

    /**
     * Event actor handler only. Puts every stashed message back in front of
     * the mailbox, oldest first; they are handled next, from the next message on.
     *
     * @return the number of messages unstashed
     * @throws IllegalStateException if the caller is not an event actor's handler
     */
    public static int unstashAll() {
        return EventActorOps.unstashAll();
    }

    /**
     * Event actor handler only. Number of stashed messages.
     *
     * @return the number of stashed messages
     * @throws IllegalStateException if the caller is not an event actor's handler
     */
    public static int stashSize() {
        return EventActorOps.stashSize();
    }

    /**
     * Event actor handler only. The actor ends normally once the current
     * handler returns; {@link GreenHandle#join()} then returns the state that
     * handler returned. Messages still queued or stashed are discarded with
     * the mailbox, not dead letters (as a green thread's unread messages: see
     * {@link Green#send}); later sends to the pid return false and are dead letters.
     *
     * @throws IllegalStateException if the caller is not an event actor's handler
     */
    public static void stop() {
        EventActorOps.stop();
    }

    /**
     * Any thread: whether the caller is running an event actor's handler.
     *
     * @return true inside a handler
     */
    public static boolean inHandler() {
        return EventActorOps.inHandler();
    }
}
