package io.verdant.internal;

/** The operations {@code io.verdant.Actors} offers inside a handler; the caller's dispatcher finds the actor. */
public final class EventActorOps {
    private EventActorOps() {
    }

    private static EventActor require(String operation) {
        EventActor a = Dispatcher.actingActor();
        if (a == null) {
            throw new IllegalStateException(operation + " must be called from an event actor's handler, but was "
                    + "called from " + Thread.currentThread());
        }
        return a;
    }

    /** Handler only: stashes the current message. */
    public static void stash() {
        require("Actors.stash").stashCurrent();
    }

    /** Handler only: unstashes everything; the number of messages. */
    public static int unstashAll() {
        return require("Actors.unstashAll").unstashAll();
    }

    /** Handler only: the number of stashed messages. */
    public static int stashSize() {
        return require("Actors.stashSize").stashSize();
    }

    /** Handler only: end after this handler returns. */
    public static void stop() {
        require("Actors.stop").stopRequested = true;
    }

    /** Any thread: the caller runs a handler. */
    public static boolean inHandler() {
        return Dispatcher.actingActor() != null;
    }
}
