package io.verdant;

/**
 * What the runtime tells a green thread about another one, delivered as an
 * ordinary message in its mailbox (receive them with {@code Green.receive(Signal.class)}
 * or match them in a {@code switch}).
 *
 * <ul>
 * <li>{@link Exit}: a linked thread ended normally, with its result. Sent to the
 *     parent of a thread spawned {@linkplain Spawner#link() linked} (or
 *     supervised), and to any linked thread that {@linkplain Green#trapExits(boolean)
 *     traps exits}.</li>
 * <li>{@link Failure}: a linked thread ended by throwing. Only a thread that traps
 *     exits receives it; a linked thread that does not trap exits is stopped with a
 *     {@link LinkedFailureException} instead (the failure propagates, as in Erlang).</li>
 * <li>{@link Down}: a thread watched with {@link Green#monitor(Pid)} ended; once per
 *     monitor, immediately if the pid was already dead.</li>
 * </ul>
 *
 * <pre>{@code
 * switch (Green.receive(Signal.class)) {
 *     case Signal.Exit(Pid pid, Object result) -> log("done " + pid + ": " + result);
 *     case Signal.Failure(Pid pid, Throwable cause) -> restart(pid, cause);
 *     case Signal.Down down -> forget(down.pid());
 * }
 * }</pre>
 *
 * <p>A bounded {@link Mailbox} never refuses, drops or counts the signals the
 * runtime delivers. A signal record a program makes and sends itself is an
 * ordinary message there: counted, refused and dropped like any other.
 */
public sealed interface Signal permits Signal.Exit, Signal.Failure, Signal.Down {
    /**
     * The green thread the signal is about.
     *
     * @return its pid
     */
    Pid pid();

    /**
     * A linked green thread returned normally.
     *
     * @param pid the green thread that ended
     * @param result its body's result (may be null)
     */
    record Exit(Pid pid, Object result) implements Signal {
    }

    /**
     * A linked green thread ended by throwing {@code cause}.
     *
     * @param pid the green thread that failed
     * @param cause what it threw
     */
    record Failure(Pid pid, Throwable cause) implements Signal {
    }

    /**
     * A monitored green thread ended: {@code failure} is null if it returned
     * normally (then {@code result} is its result), what it threw if it failed,
     * a {@link CancelledException} if the runtime closed under it, or a
     * {@link NoSuchGreenThreadException} if it was not alive when monitored.
     *
     * @param pid the monitored green thread
     * @param result its result if it returned normally, else null
     * @param failure null if it returned normally, else why it ended
     */
    record Down(Pid pid, Object result, Throwable failure) implements Signal {
        /**
         * Tells whether the thread returned normally.
         *
         * @return true if {@code failure} is null
         */
        public boolean normal() {
            return failure == null;
        }
    }
}
