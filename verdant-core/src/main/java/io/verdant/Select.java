package io.verdant;

import io.verdant.internal.Deadline;
import io.verdant.internal.RuntimeCore;
import io.verdant.internal.chan.ChannelImpl;
import io.verdant.internal.chan.SelectCase;
import io.verdant.internal.chan.SelectCore;
import io.verdant.internal.chan.SelectResult;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Waits on several channel operations at once and performs exactly one.
 *
 * <pre>{@code
 * String what = Select.<String>create()
 *         .onReceive(orders, o -> "order " + o)
 *         .onSend(audit, entry, () -> "audited")
 *         .onTimeout(Duration.ofSeconds(1), () -> "idle")
 *         .select();
 * }</pre>
 *
 * <ul>
 * <li>Exactly one case fires; the others have no effect (nothing sent, nothing taken).
 * <li>Fair: when several cases are ready, each is equally likely to be chosen.
 * <li>{@link #orElse} makes the select non-blocking: if no case is ready now, the
 *     default runs. {@link #onTimeout} bounds the wait; its body runs when the
 *     time is up with no case ready (no {@link TimedOutException} is thrown).
 * <li>A case on a closed channel is ready. Choosing it runs the channel's
 *     {@link #onClosed} body if one was given (the outcome "closed" is then a
 *     case like the others, with the close cause), and otherwise throws
 *     {@link ChannelClosedException} from {@link #select()} (as the plain
 *     operation would). A cancelled or interrupted caller gets
 *     {@link CancelledException} (nothing sent or taken) from a select that may
 *     wait; one with {@link #orElse} never waits and does not check, as the
 *     channels' {@code try} forms, so a cancelled thread can still use it in
 *     its clean-up.
 * <li>Case bodies run on the calling thread after the operation, with no lock held.
 * </ul>
 * A {@code Select} is a reusable description of the cases, not thread-safe:
 * build it and call {@link #select()} on one thread (as often as you like).
 * Works from green and platform threads.
 *
 * @param <R> the result type of the case bodies
 */
public final class Select<R> {
    private SelectCase[] cases = new SelectCase[4];
    private Object[] bodies = new Object[4];
    private int n;
    private Supplier<? extends R> orElse;
    private long timeoutNanos = -1;
    private Supplier<? extends R> onTimeout;
    /** The result of a select whose case fired, made by the first select (SelectResult.Fired); reused. */
    private SelectResult.Fired fired;
    /** Channels with an onClosed body, and the bodies (parallel; few, so a linear search). */
    private final java.util.List<Channel<?>> closedChannels = new java.util.ArrayList<>(2);
    private final java.util.List<Function<? super ChannelClosedException, ? extends R>> closedBodies =
            new java.util.ArrayList<>(2);

    private Select() {
    }

    /**
     * A select with no cases yet.
     *
     * @param <R> the result type of the case bodies
     * @return a new, empty select
     */
    public static <R> Select<R> create() {
        return new Select<>();
    }

    /**
     * A case that receives from {@code channel} and passes the value to {@code then}.
     *
     * @param <T> the channel's element type
     * @param channel the channel to receive from
     * @param then the body run with the received value
     * @return this select
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code channel} was not made by {@link Channel#rendezvous()},
     *         {@link Channel#bounded(int)} or {@link Channel#unbounded()} (the select is left as it was)
     */
    public <T> Select<R> onReceive(Channel<T> channel, Function<? super T, ? extends R> then) {
        add(channel, false, null, Objects.requireNonNull(then, "then"));
        return this;
    }

    /**
     * A case that sends {@code value} to {@code channel}, then runs {@code then}.
     *
     * @param <T> the channel's element type
     * @param channel the channel to send to
     * @param value the value to send
     * @param then the body run after the send
     * @return this select
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code channel} was not made by {@link Channel#rendezvous()},
     *         {@link Channel#bounded(int)} or {@link Channel#unbounded()} (the select is left as it was)
     */
    public <T> Select<R> onSend(Channel<T> channel, T value, Supplier<? extends R> then) {
        Objects.requireNonNull(value, "value");
        add(channel, true, value, Objects.requireNonNull(then, "then"));
        return this;
    }

    /**
     * What the select does when a case on {@code channel} fires because the
     * channel is closed (a send case: at once; a receive case: once drained):
     * runs {@code then} with the {@link ChannelClosedException} the plain
     * operation would have thrown (its cause is the channel's
     * {@linkplain Channel#close(Throwable) close cause}, if any), instead of
     * throwing it. Replaces an earlier {@code onClosed} for the same channel.
     * The select must also have a send or receive case on {@code channel}.
     *
     * <pre>{@code
     * String what = Select.<String>create()
     *         .onReceive(jobs, j -> "job " + j)
     *         .onClosed(jobs, closed -> "no more jobs" + (closed.getCause() == null ? "" : ": " + closed.getCause()))
     *         .select();
     * }</pre>
     *
     * @param channel the channel
     * @param then    the body for the closed outcome; its result is the select's
     * @return this select
     * @throws NullPointerException if an argument is null
     */
    public Select<R> onClosed(Channel<?> channel, Function<? super ChannelClosedException, ? extends R> then) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(then, "then");
        for (int i = 0; i < closedChannels.size(); i++) {
            if (closedChannels.get(i) == channel) {
                closedBodies.set(i, then);
                return this;
            }
        }
        closedChannels.add(channel);
        closedBodies.add(then);
        return this;
    }

    /**
     * If no case is ready within {@code timeout}, runs {@code then} instead. Replaces an earlier timeout.
     *
     * @param timeout how long to wait for a case
     * @param then the body run when the time is up
     * @return this select
     * @throws IllegalArgumentException if {@code timeout} is negative (the select is left as it was)
     * @throws NullPointerException if an argument is null (the select is left as it was)
     */
    public Select<R> onTimeout(Duration timeout, Supplier<? extends R> then) {
        long nanos = RuntimeCore.toNanos(timeout, "timeout");
        this.onTimeout = Objects.requireNonNull(then, "then");
        this.timeoutNanos = nanos;
        return this;
    }

    /**
     * If no case is ready now, runs {@code then} instead of waiting (a non-blocking select).
     *
     * @param then the default body
     * @return this select
     * @throws NullPointerException if {@code then} is null
     */
    public Select<R> orElse(Supplier<? extends R> then) {
        this.orElse = Objects.requireNonNull(then, "then");
        return this;
    }

    /**
     * Performs exactly one ready case (waiting for one if needed) and returns
     * what its body returns.
     *
     * @return what the chosen case's body returned
     * @throws ChannelClosedException if the chosen case's channel is closed and
     *         has no {@link #onClosed} body (the cause is its close cause, if any)
     * @throws CancelledException if the caller is cancelled or interrupted
     * @throws IllegalStateException if there are no cases, no timeout and no default,
     *         both a timeout and a default, or an {@link #onClosed} channel has no case
     */
    public R select() {
        if (n == 0 && orElse == null && onTimeout == null) {
            throw new IllegalStateException("select needs at least one case, a timeout or a default");
        }
        if (orElse != null && onTimeout != null) {
            throw new IllegalStateException("a select has a timeout (onTimeout) or a default (orElse), not both:"
                    + " with a default it never waits, so the timeout would never run");
        }
        for (Channel<?> c : closedChannels) {
            if (!hasCase(c)) {
                throw new IllegalStateException("onClosed(" + c + ") has no send or receive case on that channel");
            }
        }
        Deadline deadline = onTimeout == null ? Deadline.FOREVER : Deadline.after(timeoutNanos);
        SelectResult.Fired holder = fired;
        if (holder == null) {
            // Before anything is taken or sent (SelectResult.Fired).
            io.verdant.internal.sched.Faults.selectResultAllocating();
            fired = holder = new SelectResult.Fired(-1, null);
        }
        SelectResult result = SelectCore.select(cases, n, orElse != null, deadline, holder);
        return switch (result) {
            case SelectResult.Default d -> orElse.get();
            case SelectResult.TimedOut t -> onTimeout.get();
            case SelectResult.Closed c -> closed(cases[c.index()].channel());
            case SelectResult.Fired f -> run(f);
        };
    }

    private R run(SelectResult.Fired f) {
        int i = f.index();
        Object value = f.value();
        f.clear(); // this Select keeps it: not the value too
        if (cases[i].send()) {
            @SuppressWarnings("unchecked")
            Supplier<? extends R> body = (Supplier<? extends R>) bodies[i];
            return body.get();
        }
        @SuppressWarnings("unchecked")
        Function<Object, ? extends R> body = (Function<Object, ? extends R>) bodies[i];
        return body.apply(value);
    }

    /** A case on {@code channel} fired because it is closed: its onClosed body, or the exception. */
    private R closed(Channel<?> channel) {
        ChannelClosedException e = ((ChannelImpl<?>) channel).closedException();
        for (int i = 0; i < closedChannels.size(); i++) {
            if (closedChannels.get(i) == channel) {
                return closedBodies.get(i).apply(e);
            }
        }
        throw e;
    }

    private boolean hasCase(Channel<?> channel) {
        for (int i = 0; i < n; i++) {
            if (cases[i].channel() == channel) {
                return true;
            }
        }
        return false;
    }

    private void add(Channel<?> channel, boolean send, Object value, Object body) {
        Objects.requireNonNull(channel, "channel");
        if (!(channel instanceof ChannelImpl<?>)) {
            throw new IllegalArgumentException("channel must come from Channel.rendezvous/bounded/unbounded, was "
                    + channel.getClass().getName());
        }
        if (n == cases.length) {
            cases = Arrays.copyOf(cases, n * 2);
            bodies = Arrays.copyOf(bodies, n * 2);
        }
        cases[n] = new SelectCase((ChannelImpl<?>) channel, send, value);
        bodies[n] = body;
        n++;
    }
}
