package io.verdant;

/**
 * Thrown by {@link Channel} and {@link Select} operations on a closed channel:
 * every send after {@link Channel#close()}, and every receive once a closed
 * channel has been drained. Nothing was sent or received by the operation
 * that throws it. If the channel was closed with
 * {@link Channel#close(Throwable)}, {@link #getCause()} is that cause.
 */
public class ChannelClosedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the operation and the channel
     */
    public ChannelClosedException(String message) {
        super(message);
    }

    /**
     * Creates the exception for a channel closed with a cause
     * ({@link Channel#close(Throwable)}).
     *
     * @param message what was closed
     * @param cause   the cause the channel was closed with (may be null)
     */
    public ChannelClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
