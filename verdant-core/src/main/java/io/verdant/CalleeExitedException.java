package io.verdant;

/**
 * Thrown by a request–reply {@linkplain Green#call call} whose callee ended
 * before it replied, or was not alive when the call began (Erlang's
 * {@code gen_server:call} exiting with the callee's reason, Pekko's
 * {@code ask} failing on a dead actor). The call's request may or may not have
 * been processed.
 *
 * <p>{@link #getCause()} is the reason: what the callee threw if it failed, a
 * {@link NoSuchGreenThreadException} if the pid named no live thread when the
 * call began, a {@link CancelledException} if its runtime closed under it, and
 * null if it returned normally without replying.
 */
public class CalleeExitedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The callee (not serialized: pids are meaningful only in their runtime). */
    private final transient Pid pid;

    /**
     * Creates the exception.
     *
     * @param pid    the callee
     * @param reason why it ended: what it threw, a {@link NoSuchGreenThreadException}, or null if it returned normally
     */
    public CalleeExitedException(Pid pid, Throwable reason) {
        super("callee " + pid + (reason == null ? " ended normally without replying"
                : reason instanceof NoSuchGreenThreadException ? " is not alive" : " ended before replying: "
                        + io.verdant.internal.Throwables.describe(reason)), reason);
        this.pid = pid;
    }

    /**
     * The callee.
     *
     * @return the pid the call was made to
     */
    public Pid pid() {
        return pid;
    }
}
