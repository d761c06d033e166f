package io.verdant;

import io.verdant.internal.MailboxBound;
import io.verdant.internal.RuntimeCore;

import java.time.Duration;
import java.util.Objects;

/**
 * The mailbox a green thread is spawned with ({@link Spawner#mailbox}):
 * unbounded (the default), or bounded with an overflow policy, for
 * backpressure (Pekko's bounded mailboxes, Akka Streams' overflow strategies).
 *
 * <h2>What a bound counts and what overflow does</h2>
 * A bounded mailbox holds at most {@code capacity} messages sent with
 * {@link Green#send} (and {@link Ref#send}, call requests, timers, registry
 * sends). When a send finds it full:
 * <ul>
 * <li>{@link Overflow#BLOCK}: the sender waits (parks, if green) up to the
 *     block timeout for room, then gets {@link MailboxFullException}. The owner
 *     sending to itself, and timers, never wait (the owner gets the exception at
 *     once; a timer's message becomes a dead letter).</li>
 * <li>{@link Overflow#DROP_NEWEST}: the new message is dropped: {@code send}
 *     returns false and the message is a dead letter ({@link Green#call} throws
 *     {@link MailboxFullException}).</li>
 * <li>{@link Overflow#DROP_OLDEST}: the new message is queued and the oldest
 *     one is dropped as a dead letter, so the receiver never sees more than
 *     {@code capacity} messages. The drop is made by the owner on its next
 *     receive or {@link Green#mailboxSize} (its queue is single-consumer), so while the owner does not
 *     receive, the excess stays in memory. A dropped message may be the request
 *     of a {@linkplain Green#call call} to the owner: that call then fails at
 *     once with {@link MailboxFullException}, as a call whose request
 *     {@link Overflow#DROP_NEWEST} refuses does, instead of waiting out its
 *     timeout for a reply that cannot come.</li>
 * <li>{@link Overflow#FAIL}: the send throws {@link MailboxFullException}.</li>
 * </ul>
 * Runtime signals ({@link Signal} exits and Downs) are never refused or
 * dropped: they always enter the mailbox (and count towards its size), and
 * take none of its capacity. Only the signals the runtime delivers: a
 * {@code Signal} record a program makes and sends is an ordinary message,
 * counted, refused and dropped like any other (told apart by identity, so
 * an equal copy of a runtime signal is still the sender's message).
 * Instances are immutable values.
 *
 * <h2>Memory consistency effects</h2>
 * Every mailbox, bounded or not: actions in a thread prior to sending a message
 * ({@link Green#send}, {@link Ref#send}, {@link Verdant#send},
 * {@link Registry#send}, the request of a {@linkplain Green#call call}, or
 * creating the {@link SendTimer} that sends it) <i>happen-before</i> actions
 * subsequent to the receipt of that message by the owner: a
 * {@link Green#receive} in any form, selective ones included (a message taken
 * out of order, after others it skipped), or the handler call of an
 * {@linkplain Actors event actor} that is given it.
 */
public final class Mailbox {
    /** What a send to a full bounded mailbox does (see the class comment). */
    public enum Overflow {
        /** The sender waits for room, up to the block timeout; then {@link MailboxFullException}. */
        BLOCK,
        /** The new message is dropped (a dead letter); the send returns false. */
        DROP_NEWEST,
        /**
         * The oldest queued message is dropped (a dead letter) to make room, by
         * the owner on its next receive. If it is the request of a
         * {@linkplain Green#call call} to the owner, that call fails then with
         * {@link MailboxFullException} (its caller does not wait for its timeout).
         */
        DROP_OLDEST,
        /** The send throws {@link MailboxFullException}. */
        FAIL
    }

    private static final Mailbox UNBOUNDED = new Mailbox(Integer.MAX_VALUE, Overflow.FAIL, Duration.ZERO);

    private final int capacity;
    private final Overflow overflow;
    private final Duration blockTimeout;

    private Mailbox(int capacity, Overflow overflow, Duration blockTimeout) {
        this.capacity = capacity;
        this.overflow = overflow;
        this.blockTimeout = blockTimeout;
    }

    /**
     * The default mailbox: sends never wait and are never refused.
     *
     * @return the unbounded mailbox
     */
    public static Mailbox unbounded() {
        return UNBOUNDED;
    }

    /**
     * A mailbox of at most {@code capacity} messages whose overflow drops or fails.
     *
     * @param capacity at least 1
     * @param overflow {@link Overflow#DROP_NEWEST}, {@link Overflow#DROP_OLDEST} or {@link Overflow#FAIL}
     * @return the mailbox description
     * @throws IllegalArgumentException if {@code capacity < 1}, or {@code overflow} is
     *         {@link Overflow#BLOCK} (use {@link #blocking}: a blocking send needs a timeout)
     * @throws NullPointerException if {@code overflow} is null
     */
    public static Mailbox bounded(int capacity, Overflow overflow) {
        Objects.requireNonNull(overflow, "overflow");
        checkCapacity(capacity);
        if (overflow == Overflow.BLOCK) {
            throw new IllegalArgumentException("overflow BLOCK needs a timeout: use Mailbox.blocking(capacity, timeout)");
        }
        return new Mailbox(capacity, overflow, Duration.ZERO);
    }

    /**
     * A mailbox of at most {@code capacity} messages whose senders wait up to
     * {@code timeout} for room ({@link Overflow#BLOCK}).
     *
     * @param capacity at least 1
     * @param timeout  how long a send waits for room before {@link MailboxFullException}
     * @return the mailbox description
     * @throws IllegalArgumentException if {@code capacity < 1} or {@code timeout} is negative
     * @throws NullPointerException if {@code timeout} is null
     */
    public static Mailbox blocking(int capacity, Duration timeout) {
        RuntimeCore.toNanos(timeout, "timeout");
        checkCapacity(capacity);
        return new Mailbox(capacity, Overflow.BLOCK, timeout);
    }

    private static void checkCapacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
    }

    /**
     * The most messages the mailbox holds.
     *
     * @return the capacity; {@link Integer#MAX_VALUE} if unbounded
     */
    public int capacity() {
        return capacity;
    }

    /**
     * True for {@link #unbounded()}.
     *
     * @return whether sends are never refused
     */
    public boolean isUnbounded() {
        return this == UNBOUNDED;
    }

    /**
     * What a send to a full mailbox does (meaningless for an unbounded one).
     *
     * @return the overflow policy
     */
    public Overflow overflow() {
        return overflow;
    }

    /**
     * How long a {@link Overflow#BLOCK} send waits for room.
     *
     * @return the block timeout; zero for the other policies
     */
    public Duration blockTimeout() {
        return blockTimeout;
    }

    /** The runtime-side bound, or null for the unbounded mailbox. */
    MailboxBound toBound() {
        return isUnbounded() ? null : new MailboxBound(capacity, overflow.ordinal(),
                RuntimeCore.toNanos(blockTimeout, "blockTimeout"));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Mailbox m && m.capacity == capacity && m.overflow == overflow
                && m.blockTimeout.equals(blockTimeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(capacity, overflow, blockTimeout);
    }

    @Override
    public String toString() {
        return isUnbounded() ? "Mailbox[unbounded]" : "Mailbox[" + capacity + ", " + overflow
                + (overflow == Overflow.BLOCK ? " up to " + blockTimeout : "") + "]";
    }
}
