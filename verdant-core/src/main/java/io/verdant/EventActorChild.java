package io.verdant;

import io.verdant.internal.GreenThread;
import io.verdant.internal.RuntimeCore;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * The body of a {@link Supervisor.ChildSpec} made by
 * {@link Actors#childSpec}: the supervisor recognises it and starts an event
 * actor (fresh state from {@code initial} on every restart) instead of a
 * green thread.
 */
final class EventActorChild<S> implements Callable<Object> {
    private final Supplier<? extends S> initial;
    private final Behavior<S> behavior;

    EventActorChild(Supplier<? extends S> initial, Behavior<S> behavior) {
        this.initial = Objects.requireNonNull(initial, "initial");
        this.behavior = Objects.requireNonNull(behavior, "behavior");
    }

    /** The supervisor thread: one incarnation's initial state (user code: may throw anything). */
    S initialState() {
        return initial.get();
    }

    /** The supervisor thread: starts one incarnation from {@code state}, linked to it, registered under {@code token}. */
    GreenThread<S> start(RuntimeCore runtime, S state, String name, CancelToken token, GreenThread<?> supervisor) {
        return runtime.spawnEvent(state, behavior, name, Priority.NORMAL,
                io.verdant.internal.EventActor.DEFAULT_THROUGHPUT, false, token, supervisor);
    }

    /** Not a green-thread body: only a supervisor starts it, as an event actor. */
    @Override
    public Object call() {
        throw new IllegalStateException("an event-actor child spec is started by a Supervisor, not run as a body");
    }
}
