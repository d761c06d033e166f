package io.verdant;

/**
 * Thrown by a Verdant blocking operation when the waiting thread was
 * interrupted or cancelled (the two are the same thing for a green thread), and
 * by {@link GreenHandle#join()} on a green thread that never finished because
 * its runtime was closed. The interrupt status is left set, so JDK blocking
 * calls further up also return promptly.
 */
public class CancelledException extends RuntimeException {
    /**
     * Creates the exception.
     *
     * @param message names the operation that was cancelled and why
     */
    public CancelledException(String message) {
        super(message);
    }
}
