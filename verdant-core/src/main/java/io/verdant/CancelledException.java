package io.verdant;

import java.util.concurrent.CancellationException;

/**
 * Thrown by a Verdant blocking operation when the waiting thread was
 * interrupted or cancelled, and by {@link GreenHandle#join()} on a green thread
 * that never finished because its runtime was closed. The interrupt status is
 * left set, so JDK blocking calls further up also return promptly. An interrupt
 * ({@link Thread#interrupt()}) ends only the wait it reaches: unlike a cancel it
 * marks no token and cancels no descendants, and once the status is cleared
 * ({@link Thread#interrupted()}) the thread's next wait works again.
 *
 * <p>It extends the JDK's {@link CancellationException}, so code written
 * against {@code java.util.concurrent} (a {@code catch (CancellationException e)},
 * {@link java.util.concurrent.CompletableFuture#isCancelled()} of a future
 * completed with it) recognises a Verdant cancellation as one. Like its
 * superclass it is unchecked (and so, through {@code IllegalStateException},
 * also caught by a {@code catch (IllegalStateException e)}).
 */
public class CancelledException extends CancellationException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was cancelled, and where
     */
    public CancelledException(String message) {
        super(message);
    }
}
