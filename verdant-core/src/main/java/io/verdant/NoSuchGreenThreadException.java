package io.verdant;

/**
 * The pid names no live green thread (it ended, is stale, or belongs to another
 * runtime). Appears as the failure of a {@link Signal.Down} for a monitor of a
 * pid that was already dead (Erlang's {@code noproc}).
 */
public class NoSuchGreenThreadException extends RuntimeException {
    private final transient Pid pid;

    /**
     * Creates the exception.
     *
     * @param pid the pid that names no live green thread
     */
    public NoSuchGreenThreadException(Pid pid) {
        super("no live green thread " + pid);
        this.pid = pid;
    }

    /**
     * The pid that names no live green thread.
     *
     * @return the pid (null after deserialization)
     */
    public Pid pid() {
        return pid;
    }
}
