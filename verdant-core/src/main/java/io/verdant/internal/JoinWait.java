package io.verdant.internal;

/**
 * A park blocker that stands for a wait for one green thread's end, other than
 * that thread itself (which is the blocker of a join): the waiters of a handle's
 * {@code toCompletableFuture()}, a green executor's task (run by a green thread of
 * its own). Snapshots and dumps name that thread as the one
 * waited for (WaitReasons.waitingFor), so a dump's deadlock check follows the
 * wait as it follows a join. Any thread.
 */
public interface JoinWait {
    /**
     * Any thread: the green thread whose end is waited for, or null if none of this
     * runtime's kind.
     *
     * @return the thread waited for, or null
     */
    GreenThread<?> joined();
}
