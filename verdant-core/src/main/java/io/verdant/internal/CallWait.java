package io.verdant.internal;

/**
 * What a caller of a request–reply call ({@code Green.call}, {@code Ref.call})
 * waits for while it is parked on its reply slot: the callee's reply. Snapshots
 * and dumps name the callee as the thread waited for (WaitReasons.waitingFor),
 * so a dump's deadlock check follows a call as it follows a join or a mutex
 * wait. The edge is the callee's: a callee that handed the request's
 * {@code ReplyTo} on to another thread to reply is still the one named. Any thread;
 * reads only.
 */
public interface CallWait {
    /**
     * Any thread: the green thread called, while the call still waits for its
     * reply; null once the call has ended (replied, the callee ended, timed out,
     * cancelled, dropped), or before the callee is known.
     *
     * @return the callee, or null
     */
    GreenThread<?> awaitedCallee();

    /**
     * Any thread: the wait reason, the operation and the callee, as
     * {@code "Green.call <1.4.0> 'db'"} (pid and name, never the request).
     *
     * @return the reason
     */
    String callReason();
}
