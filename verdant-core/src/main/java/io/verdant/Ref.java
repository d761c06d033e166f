package io.verdant;

import io.verdant.internal.Matcher;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * A typed address: a view of a {@link Pid} that only accepts messages of type
 * {@code M} (Pekko's {@code ActorRef<T>}). With a sealed message hierarchy the
 * compiler checks every send; a switch over {@code M} in the receiver is
 * exhaustive.
 *
 * <pre>{@code
 * sealed interface CounterMsg permits Add, Get {}
 * record Add(int n) implements CounterMsg {}
 * record Get(ReplyTo<Integer> replyTo) implements CounterMsg {}
 *
 * Ref<CounterMsg> counter = Ref.of(handle.pid(), CounterMsg.class);
 * counter.send(new Add(2));                        // counter.send("x") does not compile
 * int n = counter.call(Get::new, Duration.ofSeconds(1));
 * Pid raw = counter.pid();                         // and back
 * }</pre>
 *
 * A {@code Ref} is a value: equal when pid and message type are equal. It
 * outlives its thread like a pid does (sends to it then fail as for a dead
 * pid). The message type is also checked at run time on every send, so a
 * {@code Ref} reached through an unchecked cast cannot smuggle in a wrong
 * message. All methods may be called from any thread.
 *
 * <h2>Memory consistency effects</h2>
 * Actions in a thread prior to {@link #send} happen-before actions subsequent
 * to the addressee's receipt of the message (see {@link Mailbox}). Actions
 * prior to {@link #call} happen-before the addressee's receipt of the request;
 * actions of the replier prior to {@link ReplyTo#reply} happen-before the
 * return of the {@code call} that gets that reply.
 *
 * @param <M> the type of messages the addressee accepts
 */
public final class Ref<M> {
    private final Pid pid;
    private final Class<M> type;

    private Ref(Pid pid, Class<M> type) {
        this.pid = pid;
        this.type = Matcher.boxed(type);
    }

    /**
     * A typed view of {@code pid}; {@code type} is the witness of {@code M}.
     * Nothing is checked about the thread itself (it may be dead): the type is
     * the caller's promise of what the thread accepts.
     *
     * @param <M>  the message type
     * @param pid  the address
     * @param type the message type's class (for a generic type, its raw class; a
     *        primitive class stands for its wrapper, which {@link #type()} then returns)
     * @return the typed address
     * @throws NullPointerException if an argument is null
     */
    public static <M> Ref<M> of(Pid pid, Class<M> type) {
        return new Ref<>(Objects.requireNonNull(pid, "pid"), Objects.requireNonNull(type, "type"));
    }

    /**
     * Green only. The caller's own typed address, to hand to others.
     *
     * @param <M>  the message type
     * @param type the message type's class
     * @return a typed view of {@link Green#self()}
     * @throws IllegalStateException outside a green thread
     * @throws NullPointerException if {@code type} is null
     */
    public static <M> Ref<M> self(Class<M> type) {
        Objects.requireNonNull(type, "type");
        return new Ref<>(Green.self(), type);
    }

    /**
     * The untyped pid behind this address.
     *
     * @return the pid
     */
    public Pid pid() {
        return pid;
    }

    /**
     * The message type this address accepts.
     *
     * @return the witness class given to {@link #of}
     */
    public Class<M> type() {
        return type;
    }

    /**
     * A view accepting only the subtype {@code S} of {@code M} (to hand a
     * collaborator just the messages it may send).
     *
     * @param <S>  the narrower message type
     * @param type its class, a subtype of this address's type
     * @return the narrower address of the same pid
     * @throws IllegalArgumentException if {@code type} is not a subtype of {@link #type()}
     * @throws NullPointerException if {@code type} is null
     */
    public <S extends M> Ref<S> narrow(Class<S> type) {
        Objects.requireNonNull(type, "type");
        if (!this.type.isAssignableFrom(Matcher.boxed(type))) {
            throw new IllegalArgumentException(type.getName() + " is not a subtype of " + this.type.getName());
        }
        return new Ref<>(pid, type);
    }

    /**
     * Sends {@code msg}, as {@link Green#send(Pid, Object)} does.
     *
     * @param msg the message
     * @return true if enqueued (unread when the addressee ends, it is discarded with its
     *         mailbox, not a dead letter: see {@link Green#send}); false if the addressee
     *         is dead or its bounded mailbox dropped it (a dead letter)
     * @throws MailboxFullException as {@link Green#send(Pid, Object)} (not a dead letter)
     * @throws CancelledException if the caller is cancelled or interrupted while waiting for room
     *         in a full {@linkplain Mailbox#blocking blocking} mailbox (nothing is sent), as for
     *         {@link Green#send(Pid, Object)}
     * @throws ClassCastException if {@code msg} is not an {@code M} (only through heap pollution)
     * @throws NullPointerException if {@code msg} is null
     */
    public boolean send(M msg) {
        return Green.send(pid, type.cast(Objects.requireNonNull(msg, "msg")));
    }

    /**
     * Request–reply to this address, as {@link Green#call} does; the request
     * must be an {@code M}.
     *
     * @param <R>     the reply type
     * @param request makes the request from the reply address (a record's constructor reference fits)
     * @param timeout how long the call may take, a wait for room in a full blocking mailbox included
     * @return the reply
     * @throws TimedOutException if no reply came in time, or the request found no room in
     *         time (then it was not sent), as for {@link Green#call}
     * @throws CalleeExitedException if the addressee was not alive or ended before replying
     * @throws CancelledException if the caller is cancelled or interrupted while waiting
     * @throws MailboxFullException if the addressee's bounded mailbox refused or
     *         dropped the request, as for {@link Green#call}
     * @throws IllegalStateException if a green thread calls its own address
     * @throws ClassCastException if the request is not an {@code M} (only through heap
     *         pollution; nothing is sent)
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws NullPointerException if an argument is null, or {@code request} returned null
     * @throws RuntimeException or {@link Error}: what {@code request} threw, unwrapped
     *         (nothing is sent), as for {@link Green#call}
     */
    public <R> R call(Function<? super ReplyTo<R>, ? extends M> request, Duration timeout) {
        Objects.requireNonNull(request, "request");
        return ReplyTo.call(pid, r -> type.cast(request.apply(r)), timeout, "Ref.call");
    }

    /**
     * Sends {@code msg} once after {@code delay}, as {@link Green#sendAfter}.
     *
     * @param msg   the message
     * @param delay how long from now
     * @return the timer, to cancel it
     * @throws IllegalStateException if the addressee's runtime is closed
     * @throws IllegalArgumentException if {@code delay} is negative
     * @throws ClassCastException if {@code msg} is not an {@code M} (only through heap pollution)
     * @throws NullPointerException if an argument is null
     */
    public SendTimer sendAfter(M msg, Duration delay) {
        return Green.sendAfter(pid, type.cast(Objects.requireNonNull(msg, "msg")), delay);
    }

    /**
     * Sends {@code msg} periodically, as {@link Green#sendEvery}.
     *
     * @param msg          the message
     * @param initialDelay until the first send
     * @param period       between sends, at least one millisecond
     * @return the timer, to cancel it
     * @throws IllegalStateException if the addressee's runtime is closed
     * @throws IllegalArgumentException if a duration is negative or the period under 1 ms
     * @throws ClassCastException if {@code msg} is not an {@code M} (only through heap pollution)
     * @throws NullPointerException if an argument is null
     */
    public SendTimer sendEvery(M msg, Duration initialDelay, Duration period) {
        return Green.sendEvery(pid, type.cast(Objects.requireNonNull(msg, "msg")), initialDelay, period);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ref<?> r && r.pid.equals(pid) && r.type == type;
    }

    /**
     * A hash code from the pid's and the message type's name only: as a
     * {@link Pid}'s, the same in every run and every JVM (a {@code Class}'s own
     * hash is an identity hash), so a {@code HashSet<Ref<M>>} iterates in the
     * same order when a deterministic schedule is replayed.
     *
     * @return a hash code consistent with {@link #equals(Object)}
     */
    @Override
    public int hashCode() {
        return pid.hashCode() * 31 + type.getName().hashCode();
    }

    @Override
    public String toString() {
        return "Ref" + pid + "[" + type.getSimpleName() + "]";
    }
}
