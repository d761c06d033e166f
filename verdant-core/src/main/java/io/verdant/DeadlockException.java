package io.verdant;

import java.io.Serial;

/**
 * A deterministic run reached a state where no green thread can run and no
 * timer is pending while green threads are still alive: each of them waits for
 * something only another of them could provide. The message lists each live
 * green thread and what it waits on (a mutex and its holder, a channel, a
 * joined thread, a mailbox).
 */
public final class DeadlockException extends ScheduleFailedException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * A deadlock of the schedule {@code trace}.
     *
     * @param report who waits on what, one line per live green thread
     * @param trace the schedule's trace when it deadlocked
     */
    public DeadlockException(String report, ScheduleTrace trace) {
        super("deadlock: no green thread can run and no timer is pending:\n" + report, trace);
    }
}
