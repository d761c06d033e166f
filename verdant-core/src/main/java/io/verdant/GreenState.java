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
    /** Finished by throwing; {@link GreenHandle#join()} throws {@link GreenFailedException}. */
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
