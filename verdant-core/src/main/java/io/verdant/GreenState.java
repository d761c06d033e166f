package io.verdant;

/** The observable state of a green thread; a snapshot, stale as soon as it returns. */
public enum GreenState {
    /** Queued, waiting for a carrier. */
    RUNNABLE,
    /** Mounted on a carrier now. */
    RUNNING,
    /** Parked: sleeping, joining, waiting on a lock, a socket or a Verdant primitive. */
    WAITING,
    /** Finished normally; {@link GreenHandle#join()} returns its result. */
    SUCCEEDED,
    /**
     * Finished by throwing: {@link GreenHandle#join()} throws {@link GreenFailedException}
     * (its cause is what the thread threw). Also a thread its runtime's close
     * abandoned (see {@link Verdant#close()}): its join throws {@link CancelledException}
     * itself, not a {@code GreenFailedException}, and {@link GreenHandle#exceptionNow()}
     * returns that {@code CancelledException}.
     */
    FAILED;

    /**
     * Tells whether this state is final.
     *
     * @return true for {@link #SUCCEEDED} and {@link #FAILED}
     */
    public boolean isTerminal() {
        return this == SUCCEEDED || this == FAILED;
    }
}
