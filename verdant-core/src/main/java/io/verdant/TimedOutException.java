package io.verdant;

/**
 * Thrown by a Verdant operation that takes a {@link java.time.Duration} when the
 * time ran out before the operation could complete. Nothing was consumed or
 * changed by the operation that timed out.
 */
public class TimedOutException extends RuntimeException {
    /**
     * Creates the exception.
     *
     * @param message names the operation and the timeout
     */
    public TimedOutException(String message) {
        super(message);
    }
}
