package io.verdant;

/**
 * Thrown by a send to a green thread whose {@linkplain Mailbox bounded mailbox}
 * is full, when its overflow policy is {@link Mailbox.Overflow#FAIL}, or is
 * {@link Mailbox.Overflow#BLOCK} and no room came within its block timeout (or
 * the sender is the mailbox's owner, which could never make room while it
 * waits). The message was not delivered and is not a dead letter: the sender
 * has it.
 */
public class MailboxFullException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The addressee (not serialized: pids are meaningful only in their runtime). */
    private final transient Pid pid;
    /** The capacity of the full mailbox. */
    private final int capacity;

    /**
     * Creates the exception.
     *
     * @param pid      the addressee
     * @param capacity its mailbox's capacity
     * @param detail   what happened (appended to the message)
     */
    public MailboxFullException(Pid pid, int capacity, String detail) {
        super("mailbox of " + pid + " is full (capacity " + capacity + ")" + (detail.isEmpty() ? "" : ": " + detail));
        this.pid = pid;
        this.capacity = capacity;
    }

    /**
     * The addressee.
     *
     * @return the pid whose mailbox was full
     */
    public Pid pid() {
        return pid;
    }

    /**
     * The mailbox's capacity.
     *
     * @return how many messages it holds at most
     */
    public int capacity() {
        return capacity;
    }
}
