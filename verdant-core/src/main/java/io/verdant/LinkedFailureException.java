package io.verdant;

/**
 * How a green thread ends when a thread linked to it failed and it does not
 * trap exits: the failure propagated along the link. Its {@linkplain #getCause()
 * cause} is the original failure: what the linked thread threw, or, if that
 * thread itself ended with a {@code LinkedFailureException}, that exception's
 * cause. So along a chain of linked threads of any length the cause is what the
 * first thread of the chain threw, one level down: printing, logging or joining
 * the ten-thousandth thread of a chain costs what it costs for the first.
 * {@link #source()} is the immediate neighbour whose end reached this thread,
 * and {@link #hops()} how many links the failure crossed to get here. The
 * receiving thread is interrupted (its blocking operation throws
 * {@link CancelledException}), and whatever its body then does, it ends with
 * this exception, which propagates further along its own links.
 */
public class LinkedFailureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Pid source;

    /** Links crossed from the original failure: 1 for a neighbour that threw it itself. */
    private final int hops;

    /**
     * Creates the exception. If {@code cause} is itself a {@code LinkedFailureException}
     * (the linked thread died of a linked failure), the cause of this one is that
     * one's cause, the original failure, and {@link #hops()} is one more than its.
     *
     * @param source the linked green thread that failed
     * @param name its name, or null or empty if it has none
     * @param cause what it threw
     */
    public LinkedFailureException(Pid source, String name, Throwable cause) {
        this(source, name, cause instanceof LinkedFailureException l ? l : null, cause);
    }

    private LinkedFailureException(Pid source, String name, LinkedFailureException linked, Throwable cause) {
        super(message(source, name, linked, linked == null ? cause : linked.getCause()),
                linked == null ? cause : linked.getCause());
        this.source = source;
        this.hops = linked == null ? 1 : saturatedIncrement(linked.hops);
    }

    private static String message(Pid source, String name, LinkedFailureException linked, Throwable original) {
        String who = "linked green thread " + source + (name == null || name.isEmpty() ? "" : " '" + name + "'");
        String what = original == null ? "null" : io.verdant.internal.Throwables.describe(original);
        if (linked == null) {
            return who + " failed: " + what;
        }
        // The original's description only, never the neighbour's message: a message that
        // embedded it grew by one line per link, quadratic along a chain.
        return who + " died of a linked failure " + saturatedIncrement(linked.hops) + " links from its origin: "
                + what;
    }

    private static int saturatedIncrement(int n) {
        return n == Integer.MAX_VALUE ? n : n + 1;
    }

    /**
     * The linked thread whose failure propagated here.
     *
     * @return its pid (null after deserialization)
     */
    public Pid source() {
        return source;
    }

    /**
     * How many links the failure crossed to reach this thread: 1 when {@link #source()}
     * threw the {@linkplain #getCause() cause} itself, n + 1 when it died of a
     * linked failure n links from its origin.
     *
     * @return at least 1 (0 after deserialization from an older form)
     */
    public int hops() {
        return hops;
    }
}
