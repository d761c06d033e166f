package io.verdant;

/**
 * Thrown by {@link Channel} and {@link Select} operations on a closed channel:
 * every send after {@link Channel#close()}, and every receive once a closed
 * channel has been drained. Nothing was sent or received by the operation
 * that throws it.
 */
public class ChannelClosedException extends RuntimeException {
    /**
     * Creates the exception.
     *
     * @param message names the operation and the channel
     */
    public ChannelClosedException(String message) {
        super(message);
    }
}
