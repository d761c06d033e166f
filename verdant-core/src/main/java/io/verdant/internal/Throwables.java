package io.verdant.internal;

/**
 * Text of a user's throwable for the messages of the exceptions that wrap it
 * (GreenFailedException, LinkedFailureException, CalleeExitedException). Its
 * toString() is user code: one that throws must not replace the wrapper, which
 * is made on the failing thread's exit path and in every joiner.
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
}
