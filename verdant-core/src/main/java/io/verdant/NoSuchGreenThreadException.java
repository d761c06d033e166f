package io.verdant;

/**
 * The pid names no live green thread (it ended, is stale, or belongs to another
 * runtime). Appears as the failure of a {@link Signal.Down} for a monitor of a
 * pid that was already dead (Erlang's {@code noproc}).
 */
public class NoSuchGreenThreadException extends RuntimeException {
    private final transient Pid pid;

    public NoSuchGreenThreadException(Pid pid) {
        super("no live green thread " + pid);
        this.pid = pid;
    }

    public Pid pid() {
        return pid;
    }
}
