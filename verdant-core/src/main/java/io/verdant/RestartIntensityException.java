package io.verdant;

import java.time.Duration;

/**
 * A {@link Supervisor} gave up: its children needed more restarts within its
 * period than its intensity allows. It stopped all its children, and ends with
 * this exception, which its own parent then sees. The
 * {@linkplain #getCause() cause} is the last child's failure (null if that
 * child had returned normally).
 */
public class RestartIntensityException extends RuntimeException {
    /**
     * Creates the exception.
     *
     * @param supervisor the supervisor's name
     * @param maxRestarts its intensity: restarts tolerated within {@code period}
     * @param period its intensity window
     * @param child the name of the child whose end exceeded the intensity
     * @param cause that child's failure, or null if it returned normally
     */
    public RestartIntensityException(String supervisor, int maxRestarts, Duration period, String child, Throwable cause) {
        super("supervisor '" + supervisor + "' gave up: more than " + maxRestarts + " restarts within " + period
                + " (last: child '" + child + "')", cause);
    }
}
