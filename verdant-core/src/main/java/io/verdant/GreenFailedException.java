package io.verdant;

/**
 * Thrown by {@link GreenHandle#join()} (and {@link Verdant#run}) when the green
 * thread ended by throwing. The original {@code Throwable}, whatever it was
 * (including {@code StackOverflowError}), is the {@linkplain #getCause() cause}.
 */
public class GreenFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Pid pid;

    /**
     * Creates the exception.
     *
     * @param pid the pid of the green thread that failed
     * @param name its name, or null or empty if it has none
     * @param cause what it threw
     */
    public GreenFailedException(Pid pid, String name, Throwable cause) {
        super("green thread " + pid + (name == null || name.isEmpty() ? "" : " '" + name + "'")
                + " failed: " + io.verdant.internal.Throwables.describe(cause), cause);
        this.pid = pid;
    }

    /**
     * The pid of the green thread that failed.
     *
     * @return the pid (null after deserialization)
     */
    public Pid pid() {
        return pid;
    }
}
