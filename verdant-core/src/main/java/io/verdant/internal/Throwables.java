package io.verdant.internal;

/**
 * Text of a user's throwable for the messages of the exceptions that wrap it
 * (GreenFailedException, LinkedFailureException, CalleeExitedException), for
 * JFR events and for failure reports. Its toString() and getMessage() are user
 * code: one that throws must not replace the wrapper, which is made on the
 * failing thread's exit path and in every joiner, nor fail the thread that
 * reports it (a supervisor restarting the child).
 */
public final class Throwables {
    private Throwables() {
    }

    /**
     * {@code t.toString()}, or, if that throws, its class name and what the toString threw.
     *
     * @param t the throwable; not null
     * @return its description
     */
    public static String describe(Throwable t) {
        try {
            return String.valueOf(t);
        } catch (Throwable e) {
            return t.getClass().getName() + " (its toString() threw " + e.getClass().getName() + ")";
        }
    }

    /**
     * {@code t.getMessage()}, or, if that throws, what it threw (by class).
     *
     * @param t the throwable; not null
     * @return its message (null if it has none)
     */
    public static String message(Throwable t) {
        try {
            return t.getMessage();
        } catch (Throwable e) {
            return "(its getMessage() threw " + e.getClass().getName() + ")";
        }
    }
}
