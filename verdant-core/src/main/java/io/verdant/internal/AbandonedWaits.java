package io.verdant.internal;

/**
 * A structure green threads park on, as LockSupport's blocker, that can drop
 * the wait of a thread its runtime's close abandoned (a channel, a mutex, a
 * bounded mailbox's senders, a green thread's joiners, a call's reply slot).
 * Such an object may be shared with threads outside that runtime: a waiter
 * left queued would be handed a value, or the mutex, and never run again to
 * take it (the value is lost; the mutex stays held for ever; the room in a
 * mailbox is announced to nobody alive; a failure counts as seen by a joiner
 * that never sees it; a reply is reported delivered to a caller that is gone).
 *
 * <pre>
 * Which wait: an abandoned thread that was parked (its continuation is never
 * resumed again) still has its park blocker set, since the JDK clears it only
 * when the park returns; GreenThread.abandon reads it once and asks the
 * blocker to drop what {@code t} still waits for there. A thread running when
 * abandoned finds itself cancelled at its next wait (Waits.cancelled: an
 * abandoned thread is), so it publishes no new wait; only one it published
 * before its last cancellation check and parks on after that read is not
 * dropped (a window of a few instructions).
 * Should the thread run again after all (it was queued when close abandoned
 * it, and a carrier took it before the carriers stopped), it finds its wait
 * withdrawn and ends it as a cancelled wait ends: it was cancelled first.
 * </pre>
 */
public interface AbandonedWaits {
    /**
     * The thread closing a runtime: withdraws the waits of {@code t}, one of
     * its green threads abandoned while parked here, that nobody has completed
     * yet. Any thread; never parks.
     *
     * @param t the abandoned green thread's virtual thread
     */
    void dropAbandoned(Thread t);
}
