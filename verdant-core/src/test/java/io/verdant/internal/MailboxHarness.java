package io.verdant.internal;

import java.util.function.Predicate;

/**
 * Test access to a mailbox ({@link ActorCell}) with no owner thread, for the
 * Lincheck model in io.verdant.lincheck. The non-blocking receives never park,
 * so no owner is needed.
 */
public final class MailboxHarness {
    private final ActorCell cell = new ActorCell(null);

    /** Any thread. @param msg the message */
    public void send(Object msg) {
        cell.enqueue(msg);
    }

    /** Consumer only. @return the oldest message, or null */
    public Object tryReceive() {
        return cell.take(Matcher.ANY, Deadline.NOW, "tryReceive");
    }

    /** Consumer only. @return the oldest message {@code filter} accepts, or null */
    public Object tryReceive(Predicate<Object> filter) {
        return cell.take(Matcher.filter(filter), Deadline.NOW, "tryReceive(filter)");
    }

    /** Consumer only. @return the oldest message of {@code type}, or null */
    public Object tryReceive(Class<?> type) {
        return cell.take(Matcher.ofType(type), Deadline.NOW, "tryReceive(type)");
    }

    /** Consumer only. @return the messages in the mailbox now (drains the queue into the save queue) */
    public int size() {
        return cell.size();
    }
}
