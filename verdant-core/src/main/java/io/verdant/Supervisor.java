package io.verdant;

import io.verdant.internal.ActorCell;
import io.verdant.internal.Deadline;
import io.verdant.internal.GreenThread;
import io.verdant.internal.Waits;
import io.verdant.internal.Matcher;
import io.verdant.internal.OffThreadLog;
import io.verdant.internal.RuntimeCore;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;

/**
 * A supervisor: a green thread that starts child green threads from
 * {@linkplain ChildSpec specs}, watches them through links (it traps exits),
 * and restarts them by a {@linkplain Strategy strategy}, within a restart
 * intensity, as in Erlang/OTP.
 *
 * <pre>{@code
 * Supervisor sup = Supervisor.builder()
 *         .name("pool")
 *         .strategy(Supervisor.Strategy.ONE_FOR_ONE)
 *         .intensity(5, Duration.ofSeconds(10))
 *         .child(Supervisor.ChildSpec.of("worker-1", Worker::run))
 *         .child(Supervisor.ChildSpec.of("cache", Cache::run).restart(Supervisor.Restart.TRANSIENT))
 *         .start();                // from a green thread: linked to it
 * ...
 * sup.shutdown();
 * }</pre>
 *
 * <h2>Behaviour</h2>
 * <ul>
 * <li>Children start in spec order; each is linked to the supervisor (its
 *     parent). A child whose spec says it should be restarted (see {@link Restart})
 *     triggers the strategy; otherwise it is just forgotten.</li>
 * <li>Restart intensity: more than {@code maxRestarts} restarts within
 *     {@code period} and the supervisor stops all its children (reverse start
 *     order) and fails with {@link RestartIntensityException} (cause: the last
 *     child failure). That failure goes to its own parent: a parent supervisor
 *     applies its strategy to it (nested trees), a plain linked parent receives it
 *     as described in {@link Green#link(Pid)}.</li>
 * <li>Stopping a child: it is unlinked (so no signal comes back),
 *     {@linkplain GreenHandle#cancel() cancelled} (its Verdant blocking
 *     operation throws {@link CancelledException}), and waited for up to its
 *     spec's shutdown timeout; one that does not stop in time is reported
 *     (System.Logger, WARNING) and left behind, unlinked.</li>
 * <li>{@link #shutdown()} stops the children in reverse start order, one at a
 *     time, then the supervisor ends normally. If the supervisor itself is
 *     cancelled (for example because the green thread that started it is), or
 *     its parent fails, it does the same and ends with that cancellation or
 *     failure. A parent ending normally does not stop it. The children are not
 *     registered for cancellation under the supervisor thread, so they are
 *     only ever stopped in this order.</li>
 * </ul>
 */
public final class Supervisor {
    private static final System.Logger LOG = System.getLogger("io.verdant.supervisor");

    /** Which children are restarted when one of them must be restarted. */
    public enum Strategy {
        /** Only the child that ended. */
        ONE_FOR_ONE,
        /** All children: the others are stopped (reverse start order), then all start again in order. */
        ONE_FOR_ALL,
        /** The child that ended and those started after it (stopped in reverse, restarted in order). */
        REST_FOR_ONE
    }

    /** When a child that ended is restarted. */
    public enum Restart {
        /** Always. */
        PERMANENT,
        /** Only if it ended by throwing. */
        TRANSIENT,
        /** Never; it is removed when it ends (and when a strategy stops it). */
        TEMPORARY
    }

    /**
     * How to start one child: its name (also its thread name), the body each
     * incarnation runs, its restart type and how long a stop waits for it.
     *
     * @param name the child's name, unique within its supervisor, not blank
     * @param body the code each incarnation runs
     * @param restart when the child is restarted
     * @param shutdownTimeout how long a stop waits for the child to end
     */
    public record ChildSpec(String name, Callable<?> body, Restart restart, Duration shutdownTimeout) {
        /** Default wait for a child to stop. */
        public static final Duration DEFAULT_SHUTDOWN = Duration.ofSeconds(5);

        /**
         * Checks the spec.
         *
         * @throws NullPointerException if an argument is null
         * @throws IllegalArgumentException if {@code name} is blank or {@code shutdownTimeout} negative
         */
        public ChildSpec {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(body, "body");
            Objects.requireNonNull(restart, "restart");
            RuntimeCore.toNanos(shutdownTimeout, "shutdownTimeout");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
        }

        /**
         * A permanent child with the default shutdown timeout.
         *
         * @param name the child's name
         * @param body the code each incarnation runs
         * @return the spec
         * @throws NullPointerException if an argument is null
         * @throws IllegalArgumentException if {@code name} is blank
         */
        public static ChildSpec of(String name, Callable<?> body) {
            return new ChildSpec(name, body, Restart.PERMANENT, DEFAULT_SHUTDOWN);
        }

        /**
         * A permanent child with no result.
         *
         * @param name the child's name
         * @param body the code each incarnation runs
         * @return the spec
         * @throws NullPointerException if an argument is null
         * @throws IllegalArgumentException if {@code name} is blank
         */
        public static ChildSpec of(String name, Runnable body) {
            Objects.requireNonNull(body, "body");
            return of(name, () -> {
                body.run();
                return null;
            });
        }

        /**
         * A copy of this spec with another restart type.
         *
         * @param restart when the child is restarted
         * @return the new spec
         * @throws NullPointerException if {@code restart} is null
         */
        public ChildSpec restart(Restart restart) {
            return new ChildSpec(name, body, restart, shutdownTimeout);
        }

        /**
         * A copy of this spec with another shutdown timeout.
         *
         * @param timeout how long a stop waits for the child to end
         * @return the new spec
         * @throws NullPointerException if {@code timeout} is null
         * @throws IllegalArgumentException if {@code timeout} is negative
         */
        public ChildSpec shutdownTimeout(Duration timeout) {
            return new ChildSpec(name, body, restart, timeout);
        }
    }

    /**
     * A running child: its spec's name and its current pid.
     *
     * @param name the spec's name
     * @param pid the current incarnation's pid
     */
    public record Child(String name, Pid pid) {
    }

    /** Whether a child known to the supervisor is running (see {@link #whichChildren()}). */
    public enum ChildState {
        /** It has a live green thread. */
        RUNNING,
        /**
         * It has none: stopped with {@link #terminateChild}, or ended and not
         * restarted by its restart type ({@link Restart#TRANSIENT} after a normal
         * end). {@link #restartChild} starts it again.
         */
        TERMINATED
    }

    /**
     * One child as {@link #whichChildren()} reports it (OTP's {@code which_children}).
     *
     * @param name    its spec's name
     * @param state   running or terminated
     * @param pid     its current pid if running, else empty
     * @param restart its spec's restart type
     */
    public record ChildInfo(String name, ChildState state, Optional<Pid> pid, Restart restart) {
        /**
         * Checks the components.
         *
         * @throws NullPointerException if a component is null
         */
        public ChildInfo {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(pid, "pid");
            Objects.requireNonNull(restart, "restart");
        }
    }

    /** Builder of a supervisor; not thread-safe; {@code start} may be called more than once. */
    public static final class Builder {
        private String name = "supervisor";
        private Strategy strategy = Strategy.ONE_FOR_ONE;
        private int maxRestarts = 3;
        private Duration period = Duration.ofSeconds(5);
        private final List<ChildSpec> children = new ArrayList<>();

        private Builder() {
        }

        /**
         * The supervisor thread's name; default "supervisor".
         *
         * @param name the name
         * @return this builder
         * @throws NullPointerException if {@code name} is null
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * The restart strategy; default {@link Strategy#ONE_FOR_ONE}.
         *
         * @param strategy the strategy
         * @return this builder
         * @throws NullPointerException if {@code strategy} is null
         */
        public Builder strategy(Strategy strategy) {
            this.strategy = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        /**
         * At most {@code maxRestarts} restarts within {@code period}; one more and
         * the supervisor gives up. Default 3 within 5 s. The supervisor remembers
         * the time of at most {@code maxRestarts} restarts, none older than
         * {@code period}; a period of {@code Long.MAX_VALUE} ns or more (about 292
         * years, e.g. {@code ChronoUnit.FOREVER.getDuration()}) is never left, so
         * it only counts them, and a supervisor told never to give up
         * ({@code Integer.MAX_VALUE} within such a period) holds no memory per restart.
         *
         * @param maxRestarts the number of restarts tolerated within {@code period}
         * @param period the sliding window
         * @return this builder
         * @throws IllegalArgumentException if {@code maxRestarts} is negative or {@code period} not positive
         * @throws NullPointerException if {@code period} is null
         */
        public Builder intensity(int maxRestarts, Duration period) {
            if (maxRestarts < 0) {
                throw new IllegalArgumentException("maxRestarts must not be negative, was " + maxRestarts);
            }
            if (RuntimeCore.toNanos(period, "period") == 0) {
                throw new IllegalArgumentException("period must be positive");
            }
            this.maxRestarts = maxRestarts;
            this.period = period;
            return this;
        }

        /**
         * Adds a child; children start in the order added. Names must be unique.
         *
         * @param spec the child's spec
         * @return this builder
         * @throws IllegalArgumentException if a child of that name was added before
         * @throws NullPointerException if {@code spec} is null
         */
        public Builder child(ChildSpec spec) {
            Objects.requireNonNull(spec, "spec");
            for (ChildSpec c : children) {
                if (c.name().equals(spec.name())) {
                    throw new IllegalArgumentException("duplicate child name: " + spec.name());
                }
            }
            children.add(spec);
            return this;
        }

        /**
         * Green only. Starts the supervisor as a green thread linked to the
         * caller (its parent) and returns once its first children have been
         * spawned (so {@link Supervisor#children()} lists them), or once the
         * supervisor has ended without spawning them (the runtime closed first:
         * its {@link Supervisor#handle()} tells how it ended). An interrupt of the
         * caller does not cut the wait short (the supervisor runs either way): it
         * returns the supervisor with the interrupt status still set.
         *
         * @return the running supervisor
         * @throws IllegalStateException outside a green thread
         */
        public Supervisor start() {
            GreenThread<?> caller = GreenThread.require("Supervisor.Builder.start");
            return launch(caller.runtime(), caller);
        }

        /**
         * Any thread. Starts the supervisor in {@code runtime}, linked to nobody; returns as {@link #start()}.
         *
         * @param runtime the runtime to run in
         * @return the running supervisor
         * @throws NullPointerException if {@code runtime} is null
         * @throws IllegalStateException if the runtime is closed
         */
        public Supervisor start(Verdant runtime) {
            Objects.requireNonNull(runtime, "runtime");
            return launch(runtime.core(), null);
        }

        /**
         * A child spec whose body runs this supervisor (a nested supervision
         * tree). Permanent, with a shutdown timeout of 30 s by default (long
         * enough for its own children to stop).
         *
         * @return the spec of a child that runs this supervisor
         */
        public ChildSpec asChild() {
            Settings copy = new Settings(this);
            return new ChildSpec(name, () -> {
                new Supervisor(copy).loop();
                return null;
            }, Restart.PERMANENT, Duration.ofSeconds(30));
        }

        private Supervisor launch(RuntimeCore core, GreenThread<?> parent) {
            Supervisor s = new Supervisor(new Settings(this));
            GreenThread<Void> g = core.spawn(() -> {
                s.loop();
                return null;
            }, name, Priority.NORMAL, null, parent);
            s.handle = g;
            // A supervisor thread that never runs (abandoned by a closing runtime before it
            // was scheduled) never reaches supervise's release: its end releases the start.
            g.onComplete((v, f) -> s.started.countDown());
            s.awaitStarted();
            return s;
        }
    }

    /** An immutable copy of a builder's settings. */
    private record Settings(String name, Strategy strategy, int maxRestarts, long periodNanos, List<ChildSpec> specs) {
        Settings(Builder b) {
            this(b.name, b.strategy, b.maxRestarts, RuntimeCore.toNanos(b.period, "period"), List.copyOf(b.children));
        }
    }

    /** Control message: orderly shutdown. */
    private record Stop() {
    }

    /** Control message: a dynamic-supervision request, answered through {@code replyTo}. */
    private record Control(String op, ChildSpec spec, String name, ReplyTo<Object> replyTo) {
    }

    /** The supervisor's answer refusing a control request; the caller throws it as {@code kind}. */
    private record Refused(boolean illegalState, String message) {
    }

    /** A control request's child could not be started: its start threw {@code cause}. */
    private record StartFailed(String message, Throwable cause) {
    }

    private static final class Running {
        final ChildSpec spec;
        GreenThread<?> thread;
        /** Stopped by terminateChild: the strategies leave it alone until restartChild. */
        boolean terminated;

        Running(ChildSpec spec) {
            this.spec = spec;
        }
    }

    private final Settings config;
    /** The token the children are registered under (see startChild). */
    private final CancelToken childToken = CancelToken.create();
    private volatile GreenHandle<Void> handle;
    private volatile List<Child> snapshot = List.of();
    private volatile int restarts;
    /** Written by the supervisor thread after each restart: the timestamps its window holds (tests). */
    private volatile int restartTimesHeld;
    /** Supervisor thread only: children stopped without their Down within their shutdown
     * timeout; a late exit signal or Down of theirs is dropped (see stop). */
    private final java.util.Set<Pid> leftBehind = new java.util.HashSet<>();
    /** Counted down by the supervisor thread once its first children are spawned. */
    private final CountDownLatch started = new CountDownLatch(1);

    private Supervisor(Settings config) {
        this.config = config;
    }

    /**
     * A builder with the defaults: one-for-one, 3 restarts within 5 s, no children.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The starter: waits until the supervisor thread has spawned its first children
     * (or ended), deaf to interrupts (the status is kept): the supervisor runs either
     * way, and an exception here would leave it running out of the caller's reach.
     */
    private void awaitStarted() {
        Waits.uninterruptibly(started::await);
    }

    /**
     * The supervisor's own pid.
     *
     * @return the supervisor thread's pid
     */
    public Pid pid() {
        return handle.pid();
    }

    /**
     * The supervisor thread's handle: it ends normally after {@link #shutdown()}, and
     * fails with {@link RestartIntensityException} when it gives up.
     *
     * @return the supervisor thread's handle
     */
    public GreenHandle<Void> handle() {
        return handle;
    }

    /**
     * Running children in start order; a snapshot. Any thread. It shows what every
     * dynamic-supervision call that has returned ({@link #startChild},
     * {@link #terminateChild}, {@link #restartChild}) did. During a restart, a
     * restarted child is listed with its new pid before it can run, so neither it
     * nor whoever sees it run finds its old pid here, also while later children of
     * a {@link Strategy#ONE_FOR_ALL} or {@link Strategy#REST_FOR_ONE} restart are
     * still starting; the siblings such a restart stops are left out from when they
     * are stopped until each is started again. The child whose end caused the
     * restart keeps its old pid here until its new one replaces it
     * ({@link Strategy#ONE_FOR_ONE}), or until the siblings are stopped (the other
     * strategies: it is then left out, as they are, until it is started again).
     * {@link #whichChildren()} asks the supervisor itself, so it sees a restart
     * only once it is complete.
     *
     * @return the running children
     */
    public List<Child> children() {
        return snapshot;
    }

    /**
     * The current pid of the named child, if it is running; a snapshot. Any thread.
     * During a restart, empty for a sibling the restart stopped, and for the child
     * whose end caused it once those are stopped, until it has been started again
     * (see {@link #children()}).
     *
     * @param name the child's name
     * @return its pid, or empty if no child of that name is running
     */
    public Optional<Pid> child(String name) {
        for (Child c : snapshot) {
            if (c.name().equals(name)) {
                return Optional.of(c.pid());
            }
        }
        return Optional.empty();
    }

    /**
     * Restarts performed so far (a strategy restarting several children counts once; a
     * restart whose start threw, with which the supervisor goes down, is none). Any thread.
     *
     * @return the number of restarts
     */
    public int restartCount() {
        return restarts;
    }

    /**
     * Any thread. Stops the children in reverse start order and waits for the
     * supervisor to end. Returns at once if it has already ended normally
     * (nothing is sent to it: no dead letter).
     *
     * @throws GreenFailedException if the supervisor had failed (for example
     *         with {@link RestartIntensityException})
     * @throws CancelledException if the caller is interrupted while waiting
     */
    public void shutdown() {
        // An ended supervisor is not sent its Stop, which would be a dead letter of an
        // internal message. One that ends between this check and the send (it gives up,
        // or a concurrent shutdown stops it) still gets it: a dead letter then, as any
        // message to a thread that has just ended.
        if (!handle.isDone()) {
            Green.send(handle.pid(), new Stop());
        }
        handle.join();
    }

    // ------------------------------------------------------------------ dynamic supervision

    /** Waits as long as the supervisor lives: its end fails the call at once. */
    private static final Duration NO_TIMEOUT = Duration.ofNanos(Long.MAX_VALUE);

    private Object control(String op, ChildSpec spec, String name) {
        Object r = Green.call(handle.pid(), (ReplyTo<Object> replyTo) -> new Control(op, spec, name, replyTo), NO_TIMEOUT);
        if (r instanceof Refused refused) {
            throw refused.illegalState() ? new IllegalStateException(refused.message())
                    : new IllegalArgumentException(refused.message());
        }
        if (r instanceof StartFailed failed) {
            throw new IllegalStateException(failed.message(), failed.cause());
        }
        return r;
    }

    /**
     * Any thread. Adds a child to the running supervisor and starts it (OTP's
     * {@code supervisor:start_child}, Elixir's {@code DynamicSupervisor.start_child}):
     * it is placed last in start order and supervised like the children the
     * supervisor started with.
     *
     * @param spec the child's spec; its name must be new to this supervisor
     * @return the new child's pid
     * @throws IllegalArgumentException if a child (running or terminated) already has that name
     * @throws IllegalStateException if the child's start threw, an exception or an error (its
     *         cause; for example an event-actor spec whose initial state could not be made,
     *         or whose class failed to initialise): the child is not
     *         added, and the supervisor and its other children go on (OTP's
     *         {@code {error, Reason}})
     * @throws CalleeExitedException if the supervisor has ended
     * @throws CancelledException if the caller is cancelled or interrupted while waiting
     *         (the interrupt status stays set; the supervisor may still carry the request out)
     * @throws NullPointerException if {@code spec} is null
     */
    public Pid startChild(ChildSpec spec) {
        Objects.requireNonNull(spec, "spec");
        return (Pid) control("start", spec, spec.name());
    }

    /**
     * Any thread. Stops the named child as the supervisor stops children (see
     * the class comment) and keeps its spec, {@link ChildState#TERMINATED}, for
     * {@link #restartChild} (OTP's {@code terminate_child}); a
     * {@link Restart#TEMPORARY} child is removed instead. The strategies do not
     * restart a terminated child. Stopping an already terminated child does nothing.
     *
     * @param name the child's name
     * @throws IllegalArgumentException if the supervisor has no child of that name
     * @throws CalleeExitedException if the supervisor has ended
     * @throws CancelledException if the caller is cancelled or interrupted while waiting
     *         (the interrupt status stays set; the supervisor may still carry the request out)
     * @throws NullPointerException if {@code name} is null
     */
    public void terminateChild(String name) {
        control("terminate", null, Objects.requireNonNull(name, "name"));
    }

    /**
     * Any thread. Starts a {@link ChildState#TERMINATED} child again from its
     * spec (OTP's {@code restart_child}).
     *
     * @param name the child's name
     * @return its new pid
     * @throws IllegalArgumentException if the supervisor has no child of that name
     * @throws IllegalStateException if the child is running, or if its start threw, an
     *         exception or an error (its cause): the child stays terminated
     * @throws CalleeExitedException if the supervisor has ended
     * @throws CancelledException if the caller is cancelled or interrupted while waiting
     *         (the interrupt status stays set; the supervisor may still carry the request out)
     * @throws NullPointerException if {@code name} is null
     */
    public Pid restartChild(String name) {
        return (Pid) control("restart", null, Objects.requireNonNull(name, "name"));
    }

    /**
     * Any thread. Forgets a {@link ChildState#TERMINATED} child's spec (OTP's
     * {@code delete_child}); its name may then be used again.
     *
     * @param name the child's name
     * @throws IllegalArgumentException if the supervisor has no child of that name
     * @throws IllegalStateException if the child is running
     * @throws CalleeExitedException if the supervisor has ended
     * @throws CancelledException if the caller is cancelled or interrupted while waiting
     *         (the interrupt status stays set; the supervisor may still carry the request out)
     * @throws NullPointerException if {@code name} is null
     */
    public void deleteChild(String name) {
        control("delete", null, Objects.requireNonNull(name, "name"));
    }

    /**
     * Any thread. Every child the supervisor knows, running or terminated, in
     * start order, asked of the supervisor itself (so it reflects every request
     * made before; OTP's {@code which_children}).
     *
     * @return the children with their state
     * @throws CalleeExitedException if the supervisor has ended
     * @throws CancelledException if the caller is cancelled or interrupted while waiting
     *         (the interrupt status stays set; the supervisor may still carry the request out)
     */
    @SuppressWarnings("unchecked") // the supervisor answers "which" with a List<ChildInfo>
    public List<ChildInfo> whichChildren() {
        return (List<ChildInfo>) control("which", null, "");
    }

    /** On the supervisor thread: performs one control request; returns the reply. */
    private Object control(GreenThread<?> self, List<Running> children, Control c) {
        int i = -1;
        for (int k = 0; k < children.size(); k++) {
            if (children.get(k).spec.name().equals(c.name())) {
                i = k;
                break;
            }
        }
        switch (c.op()) {
            case "start" -> {
                if (i >= 0) {
                    return new Refused(false, "supervisor '" + config.name() + "' already has a child named '" + c.name() + "'");
                }
                Running r = new Running(c.spec());
                try {
                    startChild(self, r, false);
                } catch (RuntimeException | Error e) {
                    // An Error too (a supplier's ExceptionInInitializerError): the caller's, not
                    // this supervisor's (SupervisorChildStartErrorTest).
                    return new StartFailed("supervisor '" + config.name() + "': child '" + c.name()
                            + "' failed to start", e);
                }
                children.add(r);
                return r.thread.pid();
            }
            case "which" -> {
                List<ChildInfo> out = new ArrayList<>(children.size());
                for (Running r : children) {
                    out.add(new ChildInfo(r.spec.name(), r.thread == null ? ChildState.TERMINATED : ChildState.RUNNING,
                            r.thread == null ? Optional.empty() : Optional.of(r.thread.pid()), r.spec.restart()));
                }
                return List.copyOf(out);
            }
            default -> {
                // terminate, restart, delete: by name
            }
        }
        if (i < 0) {
            return new Refused(false, "supervisor '" + config.name() + "' has no child named '" + c.name() + "'");
        }
        Running r = children.get(i);
        switch (c.op()) {
            case "terminate" -> {
                if (r.thread != null) {
                    stop(self, r);
                }
                r.terminated = true;
                if (r.spec.restart() == Restart.TEMPORARY) {
                    children.remove(i);
                }
                return Boolean.TRUE;
            }
            case "restart" -> {
                if (r.thread != null) {
                    return new Refused(true, "child '" + c.name() + "' is running");
                }
                try {
                    startChild(self, r, false);
                } catch (RuntimeException | Error e) {
                    return new StartFailed("supervisor '" + config.name() + "': child '" + c.name()
                            + "' failed to start", e);
                }
                r.terminated = false;
                return r.thread.pid();
            }
            default -> {
                if (r.thread != null) {
                    return new Refused(true, "child '" + c.name() + "' is running: terminate it first");
                }
                children.remove(i);
                return Boolean.TRUE;
            }
        }
    }

    // ------------------------------------------------------------------ the supervisor thread

    private void loop() {
        GreenThread<?> self = GreenThread.require("Supervisor");
        self.runtime().supervisors.put(self, new View());
        try {
            supervise(self);
        } finally {
            self.runtime().supervisors.remove(self);
        }
    }

    /** What snapshots and dumps see of this supervisor (registered while {@link #loop} runs). */
    private final class View extends io.verdant.internal.obs.SupervisorView {
        @Override
        public String name() {
            return config.name();
        }

        @Override
        public String strategy() {
            return config.strategy().name();
        }

        @Override
        public int restarts() {
            return restarts;
        }

        @Override
        public int maxRestarts() {
            return config.maxRestarts();
        }

        @Override
        public List<ChildRef> children() {
            List<ChildRef> out = new ArrayList<>();
            for (Child c : snapshot) {
                out.add(new ChildRef(c.name(), c.pid()));
            }
            return out;
        }
    }

    private void supervise(GreenThread<?> self) {
        Green.trapExits(true);
        List<Running> children = new ArrayList<>();
        RestartWindow window = new RestartWindow(config.periodNanos());
        try {
            for (ChildSpec spec : config.specs()) {
                Running r = new Running(spec);
                children.add(r);
                startChild(self, r, true);
            }
            publish(children);
        } catch (RuntimeException | Error e) {
            // A child's start threw: the ones started are stopped in reverse order, as always.
            stopAll(self, children);
            throw e;
        } finally {
            started.countDown();
        }
        try {
            for (;;) {
                Object m = Green.receive();
                if (m instanceof Stop) {
                    stopAll(self, children);
                    return;
                }
                if (m instanceof Control c) {
                    // Published before the answer: a caller that looks at children() or child(name)
                    // once its call returned sees what the call did (SupervisorControlSnapshotTest).
                    Object answer = control(self, children, c);
                    publish(children);
                    c.replyTo().reply(answer);
                    continue;
                }
                if (!(m instanceof Signal sig)) {
                    continue;
                }
                if (sig instanceof Signal.Down) {
                    leftBehind.remove(sig.pid()); // a left-behind child ended at last
                    continue;
                }
                int i = indexOf(children, sig.pid());
                if (i < 0) {
                    if (leftBehind.remove(sig.pid())) {
                        continue; // a child stopped and left behind, ending late (see stop)
                    }
                    if (sig instanceof Signal.Failure f) {
                        // Not a child: the parent (or another linked thread) failed. Go down with it.
                        stopAll(self, children);
                        throw new LinkedFailureException(f.pid(), "", f.cause());
                    }
                    continue;
                }
                Running r = children.get(i);
                Throwable failure = sig instanceof Signal.Failure f ? f.cause() : null;
                r.thread = null;
                boolean restart = switch (r.spec.restart()) {
                    case PERMANENT -> true;
                    case TRANSIENT -> failure != null;
                    case TEMPORARY -> false;
                };
                if (!restart) {
                    if (failure != null) {
                        OffThreadLog.log(LOG, System.Logger.Level.WARNING, "supervisor '" + config.name() + "': child '"
                                + r.spec.name() + "' " + sig.pid() + " failed; not restarted (TEMPORARY)", failure);
                    }
                    if (r.spec.restart() == Restart.TEMPORARY) {
                        children.remove(i);
                    }
                    publish(children);
                    continue;
                }
                if (self.runtime().isClosed()) {
                    // Closing cancels every green thread, this one too: the child's end is that
                    // cancellation (or raced it), and a restart could only fail ("cannot spawn").
                    // The supervisor ends as a cancelled thread, its other children stopped below.
                    throw new CancelledException("supervisor '" + config.name() + "': the runtime is closing; child '"
                            + r.spec.name() + "' is not restarted");
                }
                long inWindow = window.add(self.runtime().timers.clock().nanoTime());
                restartTimesHeld = window.held();
                if (inWindow > config.maxRestarts()) {
                    io.verdant.internal.obs.Jfr.supervisorGaveUp(config.name(), self.pid(), config.maxRestarts(),
                            config.periodNanos(), r.spec.name(), failure);
                    stopAll(self, children);
                    throw new RestartIntensityException(config.name(), config.maxRestarts(),
                            Duration.ofNanos(config.periodNanos()), r.spec.name(), failure);
                }
                logRestart(r.spec.name(), sig.pid(), failure);
                // Counted before the children start, so whoever sees a restarted child sees
                // the count too (ExamplesTest.actorToolkit read 0 after seeing it); undone if
                // a start throws: that restarted nothing, and the supervisor goes down with it
                // (below). Recorded in JFR once the children are started.
                restarts++;
                self.runtime().supervisorRestarts.incrementAndGet();
                try {
                    switch (config.strategy()) {
                        case ONE_FOR_ONE -> startChild(self, r, true, children);
                        case ONE_FOR_ALL -> restartFrom(self, children, 0, r);
                        case REST_FOR_ONE -> restartFrom(self, children, i, r);
                    }
                } catch (RuntimeException | Error e) {
                    restarts--;
                    self.runtime().supervisorRestarts.decrementAndGet();
                    throw e;
                }
                io.verdant.internal.obs.Jfr.supervisorRestart(config.name(), self.pid(), r.spec.name(),
                        config.strategy().name(), r.spec.restart().name(), failure, (int) inWindow);
                publish(children);
            }
        } catch (RuntimeException | Error e) {
            // Cancelled, or a restart's start threw (SupervisorChildStartFailureTest): the children
            // still running are stopped in reverse order before the supervisor goes down (a no-op
            // where a give-up already stopped them).
            stopAll(self, children);
            throw e;
        }
    }

    /**
     * What the supervisor ends with when a child's spawn was refused ({@code e}) because
     * the runtime had begun to close: it ends cancelled, as when the close came before the
     * restart (see supervise), with {@code e} suppressed. A close that began while a
     * strategy restart stopped the siblings (each stop waits for a Down) made the supervisor
     * fail with the spawn's IllegalStateException, which the runtime reported as a failure
     * (SupervisorCloseDuringRestartTest). Only the spawn's refusal: a start that fails for
     * a reason of its own (an event actor's initial state) fails the supervisor with it,
     * close or not (SupervisorStartFailureWhileClosingTest).
     */
    private CancelledException closing(Throwable e) {
        CancelledException c = new CancelledException("supervisor '" + config.name()
                + "': the runtime is closing; its children are not started");
        c.addSuppressed(e);
        return c;
    }

    /** Tests: how many restart timestamps the supervisor's intensity window holds. */
    int restartTimesHeld() {
        return restartTimesHeld;
    }

    /**
     * Supervisor thread only: the restarts that count toward the intensity, "more
     * than maxRestarts within period" (OTP's restart list). A restart older than
     * the period never counts again, and one more than maxRestarts gives up, so
     * between restarts at most maxRestarts timestamps are held, none older than
     * the period. A period of Long.MAX_VALUE ns (any Duration that long or longer,
     * ChronoUnit.FOREVER's) is one no two clock readings are further apart than:
     * nothing ever leaves it, and a count stands for its timestamps.
     */
    private static final class RestartWindow {
        private final long periodNanos;
        private final ArrayDeque<Long> times = new ArrayDeque<>();
        private long count;

        RestartWindow(long periodNanos) {
            this.periodNanos = periodNanos;
        }

        /** Counts a restart at {@code now}; returns the restarts within the period, this one included. */
        long add(long now) {
            if (periodNanos == Long.MAX_VALUE) {
                return ++count;
            }
            times.addLast(now);
            while (now - times.peekFirst() > periodNanos) {
                times.pollFirst();
            }
            return times.size();
        }

        int held() {
            return times.size();
        }
    }

    /**
     * Every restart is logged (its child is linked to this supervisor, so its
     * failure is observed and logged nowhere else): WARNING with the failure
     * and its stack trace, or INFO for a PERMANENT child that returned.
     */
    private void logRestart(String child, Pid pid, Throwable failure) {
        String what = "supervisor '" + config.name() + "': child '" + child + "' " + pid;
        if (failure != null) {
            OffThreadLog.log(LOG, System.Logger.Level.WARNING, what + " failed; restarting (" + config.strategy() + ")",
                    failure);
        } else {
            OffThreadLog.log(LOG, System.Logger.Level.INFO, what + " returned; restarting it (PERMANENT, "
                    + config.strategy() + ")", null);
        }
    }

    /**
     * Stops children[from..] except the dead one in reverse order, then starts them in order.
     * The snapshot drops the stopped children once they are stopped and lists each restarted
     * one with its new pid before it can run (startChild): a child restarted (and perhaps
     * already running) is never listed with its old, dead pid while the later ones start
     * (SupervisorRestartSnapshotTest); the snapshot used to be published only once all had
     * started.
     */
    private void restartFrom(GreenThread<?> self, List<Running> children, int from, Running dead) {
        for (int k = children.size() - 1; k >= from; k--) {
            Running c = children.get(k);
            if (c != dead && c.thread != null) {
                stop(self, c);
            }
        }
        publish(children);
        for (int k = from; k < children.size(); ) {
            Running c = children.get(k);
            if (c != dead && c.spec.restart() == Restart.TEMPORARY) {
                children.remove(k);
                continue;
            }
            if (!c.terminated) {
                startChild(self, c, true, children);
            }
            k++;
        }
    }

    /**
     * Children are registered for cancellation under the supervisor's own
     * standalone token, not under the supervisor thread: cancelling the
     * supervisor must not cancel them all at once, it makes the supervisor stop
     * them one by one in reverse start order.
     */
    private void startChild(GreenThread<?> self, Running r, boolean closeCancels) {
        startChild(self, r, closeCancels, null);
    }

    /**
     * {@link #startChild(GreenThread, Running, boolean)}; a restart passes {@code publishIn},
     * the children, of which r is one: the snapshot lists r's new pid before r can run
     * (a green thread: published by the spawn before its start; an event actor runs only
     * on a message, which needs that pid, so it is published after its spawn). A restarted
     * child, or an observer that sees it run, never finds its old pid in children()
     * (SupervisorRestartSnapshotTest). A start that fails leaves r without a thread.
     */
    private void startChild(GreenThread<?> self, Running r, boolean closeCancels, List<Running> publishIn) {
        if (r.spec.body() instanceof EventActorChild<?> actor) {
            r.thread = startActor(self, r, actor, closeCancels);
            if (publishIn != null) {
                publish(publishIn);
            }
            return;
        }
        try {
            r.thread = publishIn == null
                    ? self.runtime().spawn(r.spec.body(), r.spec.name(), Priority.NORMAL, childToken, self)
                    : self.runtime().spawn(r.spec.body(), r.spec.name(), Priority.NORMAL, childToken, self,
                            g -> {
                                r.thread = g;
                                publish(publishIn);
                            });
        } catch (IllegalStateException e) {
            r.thread = null;
            throw refused(self, e, closeCancels);
        } catch (RuntimeException | Error e) {
            r.thread = null;
            throw e;
        }
    }

    /** Supervisor thread: an event-actor child, its initial state made (user code) before the spawn. */
    private <S> GreenThread<S> startActor(GreenThread<?> self, Running r, EventActorChild<S> actor,
                                          boolean closeCancels) {
        S initial = actor.initialState(); // what this throws is the start's own failure, close or not
        try {
            return actor.start(self.runtime(), initial, r.spec.name(), childToken, self);
        } catch (IllegalStateException e) {
            throw refused(self, e, closeCancels);
        }
    }

    /**
     * A child's spawn threw {@code e}: with {@code closeCancels} (the supervisor's own starts
     * and restarts, not a control call's, whose caller is answered with {@code e}), the
     * close's refusal ends the supervisor cancelled (see closing).
     */
    private RuntimeException refused(GreenThread<?> self, IllegalStateException e, boolean closeCancels) {
        return closeCancels && self.runtime().isClosed() ? closing(e) : e;
    }

    private void stopAll(GreenThread<?> self, List<Running> children) {
        for (int k = children.size() - 1; k >= 0; k--) {
            Running c = children.get(k);
            if (c.thread != null) {
                stop(self, c);
            }
        }
        children.clear();
        publish(children);
    }

    /**
     * Monitor, unlink (no exit signal comes back), cancel, and wait for the
     * Down up to the spec's timeout, deaf to the supervisor's own cancellation
     * (a cancelled supervisor still stops its children in order).
     */
    private void stop(GreenThread<?> self, Running c) {
        GreenThread<?> t = c.thread;
        c.thread = null;
        Pid pid = t.pid();
        ActorCell.monitor(self, t);
        ActorCell.unlink(self, t);
        t.cancel();
        Predicate<Object> isDown = m -> m instanceof Signal.Down d && d.pid().equals(pid);
        ActorCell cell = ActorCell.of(self);
        Object down = cell.takeUninterruptibly(Matcher.filter(isDown),
                Deadline.after(c.spec.shutdownTimeout(), "shutdownTimeout"));
        if (down == null) {
            leftBehind.add(pid);
            OffThreadLog.log(LOG, System.Logger.Level.WARNING, "supervisor '" + config.name() + "': child '"
                    + c.spec.name() + "' " + pid + " did not stop within " + c.spec.shutdownTimeout()
                    + "; left behind", null);
            return;
        }
        // A child that ended before the unlink had already sent its exit signal (an exit
        // delivers its link signals before its Downs, so it is queued by now): dropped, or the
        // loop would take a stopped child's Failure for a stranger's and go down with it
        // (SupervisorStaleExitSignalTest).
        Predicate<Object> staleExit = m -> m instanceof Signal sig && !(sig instanceof Signal.Down)
                && sig.pid().equals(pid);
        while (cell.takeUninterruptibly(Matcher.filter(staleExit), Deadline.NOW) != null) {
            // dropped
        }
    }

    private static int indexOf(List<Running> children, Pid pid) {
        for (int k = 0; k < children.size(); k++) {
            GreenThread<?> t = children.get(k).thread;
            if (t != null && t.pid().equals(pid)) {
                return k;
            }
        }
        return -1;
    }

    private void publish(List<Running> children) {
        List<Child> out = new ArrayList<>(children.size());
        for (Running r : children) {
            if (r.thread != null) {
                out.add(new Child(r.spec.name(), r.thread.pid()));
            }
        }
        snapshot = List.copyOf(out);
    }

    @Override
    public String toString() {
        return "Supervisor[" + config.name() + ", " + config.strategy() + ", " + snapshot + "]";
    }
}
