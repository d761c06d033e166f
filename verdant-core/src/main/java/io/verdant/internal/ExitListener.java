package io.verdant.internal;

import io.verdant.Signal;

/**
 * A watcher of a green thread's end that is not itself a green thread: a
 * pending {@code call} (its reply slot fails at once when the callee ends) or
 * a name registration (removed when its holder ends). Registered with
 * {@link ActorCell#watch} and removed with {@link ActorCell#unwatch}; it sits in
 * the target's monitor list beside green-thread watchers and is told once.
 * An unwatch that returns true removed it before the exit took it: it is never
 * called (ActorCell, "Demonitor versus an exit in flight").
 */
public interface ExitListener {
    /**
     * Called once, on the thread that ended (from its completion) or on the
     * registering thread if the target had already ended. Must be short, must
     * not block and should not throw (a throw is reported as an internal error).
     *
     * @param down how the target ended (the same value a monitor's Down carries)
     */
    void exited(Signal.Down down);
}
