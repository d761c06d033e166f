package io.verdant;

/**
 * What an event actor does with one message: a function from its state and
 * the message to its next state. Runs on a dispatcher green thread, one
 * message at a time per actor, as a plain method call (see {@link Actors}).
 *
 * <p>Inside {@link #handle} the actor is the current green thread:
 * {@link Green#self()}, {@link Green#send}, {@link Green#link}, {@link Green#monitor},
 * {@link Green#trapExits}, {@link Green#spawn} and every blocking operation work
 * as in a green thread; {@link Actors#stash()}, {@link Actors#unstashAll()} and
 * {@link Actors#stop()} are available too. {@code Green.receive} and
 * {@code Green.tryReceive} are not: each message arrives as a call of this
 * method, so they throw {@link IllegalStateException} and take nothing (defer a
 * message with {@link Actors#stash()}; wait for a reply with
 * {@link Green#call}, whose reply does not go through the mailbox). A handler
 * may block (sleep, a channel, a join, a call, socket I/O): only the dispatcher
 * running it parks, and the runtime keeps other event actors running on
 * another dispatcher.
 *
 * @param <S> the actor's state type
 */
@FunctionalInterface
public interface Behavior<S> {
    /**
     * Handles {@code message}.
     *
     * @param state   the actor's current state (the initial state for the first message)
     * @param message the message: anything sent with {@link Green#send}, or a
     *                {@link Signal} (a {@link Signal.Down} of a monitored pid; a
     *                {@link Signal.Exit} or {@link Signal.Failure} of a linked pid
     *                when the actor traps exits)
     * @return the actor's next state (may be the same object, or null)
     * @throws Exception anything: the actor fails with it (its links, monitors
     *         and supervisor are told; the dispatcher and other actors go on)
     */
    S handle(S state, Object message) throws Exception;
}
