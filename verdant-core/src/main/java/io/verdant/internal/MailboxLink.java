package io.verdant.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A position in a mailbox's queue ({@link ActorCell}): the one field every
 * element of the Vyukov queue has, its link to the next. A message travels in
 * an {@link ActorCell.Node}, which adds the message; the cell itself is its
 * queue's first dummy, so an empty mailbox is one object, not two (issue 11:
 * every parked receiver of the wake benchmark kept a 24-byte stub node, one
 * more object for each young collection to copy).
 * <p>
 * Threads: {@code next} is written once by the producer that swapped this link
 * out of the queue's tail (release), read by the consumer and by observers
 * (acquire), and reset with plain writes by the one thread that owns a dead
 * link: a sender reusing a recycled node, or the consumer clearing its cell's
 * link once the queue has moved past it (ActorCell, "Node recycling").
 */
class MailboxLink {
    @SuppressWarnings("unused") private volatile MailboxLink next;

    /** The consumer, or an observer (approxDepth): the link with acquire, so the next node's msg reads as written. */
    final MailboxLink nextAcquire() {
        return (MailboxLink) NEXT.getAcquire(this);
    }

    /** The owner of a dead link (see the class comment), before it is published again or left for good. */
    final void setNextPlain(MailboxLink n) {
        NEXT.set(this, n);
    }

    /** The producer that swapped this link out of tail: links its own node, publishing its msg. */
    final void setNextRelease(MailboxLink n) {
        NEXT.setRelease(this, n);
    }

    private static final VarHandle NEXT;
    static {
        try {
            NEXT = MethodHandles.lookup().findVarHandle(MailboxLink.class, "next", MailboxLink.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
