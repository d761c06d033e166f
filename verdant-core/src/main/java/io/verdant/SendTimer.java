package io.verdant;

import io.verdant.internal.RuntimeCore;
import io.verdant.internal.SendTimerCore;

import java.util.Objects;

/**
 * A message scheduled for later delivery to a pid, once
 * ({@link Green#sendAfter}) or periodically ({@link Green#sendEvery}), on the
 * runtime's timer wheel (Erlang's {@code erlang:send_after}, Pekko's timers).
 * Cancel it with {@link #cancel()}.
 *
 * <ul>
 * <li>The message is sent as by {@link Green#send}, from the runtime's ticker
 *     thread, at or after its due time (within about a millisecond; never
 *     early). A timer send never waits: to a full bounded mailbox it behaves
 *     as {@link Mailbox.Overflow#DROP_NEWEST} (the message becomes a dead
 *     letter), except with {@link Mailbox.Overflow#DROP_OLDEST}, which queues
 *     it and drops the oldest message, as for any send.</li>
 * <li>If the addressee is not alive when the timer fires, the message is a
 *     dead letter and the timer stops (a periodic timer too: as in Erlang, a
 *     timer to a pid dies with it). A message delivered but still unread when
 *     the addressee ends is discarded with its mailbox, as {@link Green#send}'s;
 *     a timer still pending when its runtime closes never sends (no dead letter).</li>
 * <li>Periodic timers run at a fixed rate from the first due time; if the
 *     ticker falls more than a period behind (a paused process), the missed
 *     sends are skipped, not sent in a burst.</li>
 * </ul>
 * All methods may be called from any thread.
 *
 * <p>Memory consistency effects: actions in a thread prior to
 * {@link Green#sendAfter} or {@link Green#sendEvery} <i>happen-before</i>
 * actions subsequent to the addressee's receipt of each message the timer
 * sends.
 */
public final class SendTimer {
    /*
     * Design
     *   The state machine (ACTIVE -> CANCELLED | DONE, by CAS), the wheel node
     *   now armed and the ticker's firing and re-arming live in
     *   internal.SendTimerCore. This class holds the contract.
     */
    private final SendTimerCore core;
    private final Pid pid;

    private SendTimer(SendTimerCore core, Pid pid) {
        this.core = core;
        this.pid = pid;
    }

    /** Arms a timer; the runtime is the pid's. */
    static SendTimer start(Pid pid, Object msg, long delayNanos, long periodNanos) {
        Objects.requireNonNull(pid, "pid");
        Objects.requireNonNull(msg, "msg");
        RuntimeCore rt = RuntimeCore.of(pid);
        if (rt == null || rt.isClosed()) {
            throw new IllegalStateException("the runtime of " + pid + " is closed: cannot schedule a send to it");
        }
        return new SendTimer(SendTimerCore.start(rt, pid, msg, delayNanos, periodNanos), pid);
    }

    /**
     * Stops the timer: a one-shot timer that has not fired never sends; a
     * periodic one sends no more (a send already under way on the ticker at
     * this moment may still arrive). Idempotent.
     *
     * @return true if this call stopped a timer that was still active; false if
     *         it had already fired (one-shot), stopped because its addressee
     *         was dead, been cancelled, or its runtime is closing or closed
     */
    public boolean cancel() {
        return core.cancel();
    }

    /**
     * True while the timer may still send: not cancelled, not fired (one-shot),
     * addressee not found dead, runtime not closing or closed (a closed runtime's
     * timers never fire).
     *
     * @return whether the timer is still active (a snapshot)
     */
    public boolean isActive() {
        return core.isActive();
    }

    /**
     * The addressee.
     *
     * @return the pid the timer sends to
     */
    public Pid pid() {
        return pid;
    }

    @Override
    public String toString() {
        long period = core.periodNanos();
        return "SendTimer[" + core.msg().getClass().getSimpleName() + " -> " + pid
                + (period == 0 ? "" : ", every " + java.time.Duration.ofNanos(period))
                + ", " + core.stateName() + "]";
    }
}
