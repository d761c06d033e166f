package io.verdant;

import io.verdant.internal.chan.ChannelImpl;

import java.time.Duration;
import java.util.Optional;

/**
 * A channel between green threads (and platform threads): many senders, many
 * receivers, values delivered exactly once, in FIFO order per sender.
 *
 * <h2>Kinds</h2>
 * <ul>
 * <li>{@link #rendezvous()}: no buffer; a send completes only when a receiver takes the value.
 * <li>{@link #bounded(int)}: up to {@code capacity} buffered values; senders wait while it is full.
 * <li>{@link #unbounded()}: sends never wait.
 * </ul>
 * A value sent to a waiting receiver is handed to it directly and the receiver
 * is woken on the sender's carrier (it runs next there), so a ping-pong pair
 * stays on one core.
 *
 * <h2>Blocking, timeouts, close and cancellation (for every method below)</h2>
 * <ul>
 * <li>{@code send(v)} / {@code receive()} wait as long as needed; from a green
 *     thread they park the green thread, never its carrier; from a platform
 *     thread they block it.
 * <li>{@code trySend} / {@code tryReceive} never wait: they return false / an
 *     empty {@link Optional} when they would have to (absence is an empty
 *     {@code Optional} across Verdant: {@link Green#tryReceive()},
 *     {@link Mutex#tryLock()}, {@link Verdant#handle(Pid)}).
 * <li>{@code send(v, timeout)} / {@code receive(timeout)} throw
 *     {@link TimedOutException} when the time is up; nothing was sent or taken.
 * <li>After {@link #close()}, every send throws {@link ChannelClosedException}
 *     (also sends that were waiting: their values are not delivered);
 *     receives still drain the buffered values, then every receive (including
 *     {@code tryReceive}) throws {@link ChannelClosedException}. Iteration ends
 *     (after {@link #close(Throwable)} it throws: see {@link #iterator()}).
 * <li>A cancelled or interrupted caller gets {@link CancelledException} from the
 *     waiting forms (checked on entry and while waiting); nothing was sent or
 *     taken. The {@code try} forms never wait and do not check, so a cancelled
 *     thread can still drain or hand off in its clean-up.
 * <li>{@code null} values are rejected with {@link NullPointerException}.
 * </ul>
 * All methods may be called from any thread. Channels belong to no runtime.
 *
 * <h2>Memory consistency effects</h2>
 * As with a {@link java.util.concurrent.BlockingQueue}: actions in a thread
 * prior to sending a value ({@code send}, a {@code trySend} that returns true,
 * a {@link Select} send case that fires) <i>happen-before</i> actions
 * subsequent to the receipt of that value ({@code receive},
 * {@code tryReceive}, iteration, a {@link Select} receive case) in another
 * thread, whichever kind the channel is and whichever carriers they run on.
 * Actions prior to {@link #close()} (or {@link #close(Throwable)}) happen-before
 * an {@link #isClosed()} that returns true and a send or receive that throws
 * {@link ChannelClosedException} because of that close.
 *
 * @param <T> the element type
 */
public interface Channel<T> extends Iterable<T> {

    /**
     * A channel with no buffer: every send waits for a receiver.
     *
     * @param <T> the element type
     * @return a new open channel
     */
    static <T> Channel<T> rendezvous() {
        return new ChannelImpl<>(0);
    }

    /**
     * A channel buffering up to {@code capacity} values.
     *
     * @param <T> the element type
     * @param capacity the number of values the buffer holds
     * @return a new open channel
     * @throws IllegalArgumentException if {@code capacity < 1}
     */
    static <T> Channel<T> bounded(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity
                    + " (use Channel.rendezvous() for an unbuffered channel)");
        }
        return new ChannelImpl<>(capacity);
    }

    /**
     * A channel whose sends never wait (its buffer grows as needed).
     *
     * @param <T> the element type
     * @return a new open channel
     */
    static <T> Channel<T> unbounded() {
        return new ChannelImpl<>(Integer.MAX_VALUE);
    }

    /**
     * Sends {@code value}, waiting while the channel is full (or, rendezvous, until a receiver takes it).
     *
     * @param value the value to send
     * @throws ChannelClosedException if the channel is or becomes closed
     * @throws CancelledException if the caller is cancelled or interrupted while waiting
     * @throws NullPointerException if {@code value} is null
     */
    void send(T value);

    /**
     * Sends {@code value} if that is possible without waiting.
     *
     * @param value the value to send
     * @return true if sent; false if the channel is full (or no receiver waits)
     * @throws ChannelClosedException if the channel is closed
     * @throws NullPointerException if {@code value} is null
     */
    boolean trySend(T value);

    /**
     * Like {@link #send(Object)}, waiting at most {@code timeout}.
     *
     * @param value the value to send
     * @param timeout how long to wait at most
     * @throws TimedOutException if the time is up (nothing was sent)
     * @throws ChannelClosedException if the channel is or becomes closed
     * @throws CancelledException if the caller is cancelled or interrupted while waiting
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws NullPointerException if {@code value} or {@code timeout} is null
     */
    void send(T value, Duration timeout);

    /**
     * Takes the next value, waiting while the channel is empty.
     *
     * @return the value
     * @throws ChannelClosedException if the channel is closed and drained
     * @throws CancelledException if the caller is cancelled or interrupted while waiting
     */
    T receive();

    /**
     * Takes the next value if one is available now; never waits.
     *
     * @return the value, or empty if none is available now
     * @throws ChannelClosedException if the channel is closed and drained
     */
    Optional<T> tryReceive();

    /**
     * Like {@link #receive()}, waiting at most {@code timeout}.
     *
     * @param timeout how long to wait at most
     * @return the value
     * @throws TimedOutException if the time is up (nothing was taken)
     * @throws ChannelClosedException if the channel is closed and drained
     * @throws CancelledException if the caller is cancelled or interrupted while waiting
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws NullPointerException if {@code timeout} is null
     */
    T receive(Duration timeout);

    /**
     * Closes the channel (see the class comment): waiting senders and receivers
     * are woken with {@link ChannelClosedException}; buffered values stay
     * receivable. Idempotent; never blocks.
     *
     * @return true if this call closed it
     */
    boolean close();

    /**
     * Closes the channel as {@link #close()} does, recording why: every
     * {@link ChannelClosedException} thrown by this channel from now on
     * (including to senders and receivers waiting now, and to a
     * {@link Select#onClosed} case) has {@code cause} as its cause (Kotlin's
     * {@code close(cause)}). A producer that failed closes with its failure so
     * consumers learn it. Only the first close counts (its cause, or none).
     * The exception's message names the cause by its {@code toString()}, or by
     * its class if that throws.
     *
     * @param cause why the channel is closed
     * @return true if this call closed it
     * @throws NullPointerException if {@code cause} is null
     */
    boolean close(Throwable cause);

    /**
     * The cause the channel was closed with.
     *
     * @return the cause given to {@link #close(Throwable)}, or empty if the
     *         channel is open or was closed with {@link #close()}
     */
    java.util.Optional<Throwable> closeCause();

    /**
     * Tells whether {@link #close()} has been called (buffered values may remain).
     *
     * @return true once closed
     */
    boolean isClosed();

    /**
     * An iterator that receives: {@code hasNext()} waits for the next value and
     * returns false once the channel is closed and drained, or, if it was closed
     * with a cause ({@link #close(Throwable)}: a producer failed), throws the
     * {@link ChannelClosedException} that carries it, as {@link #receive()}
     * does, so a for-each loop does not end as if the stream were complete. It
     * throws {@link CancelledException} like {@link #receive()}. One iterator
     * per consumer; several consumers may iterate the same channel concurrently.
     *
     * @return a receiving iterator
     */
    @Override
    java.util.Iterator<T> iterator();
}
