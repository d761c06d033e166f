package io.verdant;

/**
 * How a green thread ends when a thread linked to it failed and it does not
 * trap exits: the failure propagated along the link. Its {@linkplain #getCause()
 * cause} is what the linked thread threw. The receiving thread is interrupted
 * (its blocking operation throws {@link CancelledException}), and whatever its
 * body then does, it ends with this exception, which propagates further along
 * its own links.
 */
public class LinkedFailureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Pid source;

    /**
     * Creates the exception.
     *
     * @param source the linked green thread that failed
     * @param name its name, or null or empty if it has none
     * @param cause what it threw
     */
    public LinkedFailureException(Pid source, String name, Throwable cause) {
        super("linked green thread " + source + (name == null || name.isEmpty() ? "" : " '" + name + "'")
                + " failed: " + io.verdant.internal.Throwables.describe(cause), cause);
        this.source = source;
    }

    /**
     * The linked thread whose failure propagated here.
     *
     * @return its pid (null after deserialization)
     */
    public Pid source() {
        return source;
    }
}
