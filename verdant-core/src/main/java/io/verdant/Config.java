package io.verdant;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Settings of one {@link Verdant} runtime, built once and immutable.
 *
 * <pre>{@code
 * Config config = Config.builder().workers(2).name("app").build();
 * }</pre>
 *
 * Invalid values fail at {@link Builder#build()} with an {@link IllegalArgumentException}
 * that names the setting (except {@link Builder#flightRecorder(long)}, which checks its
 * value when it is called); defaults are filled in there, once.
 */
public final class Config {
    /** Default carrier stack size: 16 MiB, the deepest a green thread can recurse. */
    public static final long DEFAULT_STACK_SIZE = 16L << 20;
    /** Smallest accepted carrier stack size. */
    public static final long MIN_STACK_SIZE = 256L << 10;
    /** Largest accepted carrier stack size: 1 GiB, the JVM's own limit for {@code -Xss}. */
    public static final long MAX_STACK_SIZE = 1L << 30;
    /** Most carriers one runtime may have. */
    public static final int MAX_WORKERS = 1024;
    /** Default time slice: 10 ms, Go's forcePreemptNS; long enough that a slice
     * costs one yield (~150 ns) per 10 ms of work, short enough for interactive latency. */
    public static final Duration DEFAULT_TIMESLICE = Duration.ofMillis(10);
    /** Default stall threshold: 100 ms, ten default slices, so a green thread that reaches
     * safepoints is never taken for a stalled one; with a longer time slice the default
     * is ten slices (a thread is asked to yield only once its slice is over). */
    public static final Duration DEFAULT_STALL_THRESHOLD = Duration.ofMillis(100);
    /** Smallest non-zero time slice and stall threshold: the ticker's 1 ms resolution. */
    public static final long MIN_TIMESLICE_MILLIS = 1;
    /** Default size of the {@link Green#blocking} pool; chosen, not measured. */
    public static final int DEFAULT_BLOCKING_THREADS = 64;
    /** Most threads the {@link Green#blocking} pool may have. */
    public static final int MAX_BLOCKING_THREADS = 4096;

    private final int workers;
    private final long stackSize;
    private final String name;
    private final Duration shutdownTimeout;
    private final BiConsumer<GreenHandle<?>, Throwable> failureHandler;
    private final Duration timeslice;
    private final Duration stallThreshold;
    private final int maxSpareCarriers;
    private final int blockingThreads;
    private final BiConsumer<Pid, Object> deadLetterHandler;
    private final boolean cpuTiming;
    private final boolean jmx;
    private final long flightRecorder;

    private Config(Builder b, int workers, int maxSpareCarriers, Duration stallThreshold) {
        this.workers = workers;
        this.stackSize = b.stackSize;
        this.name = b.name;
        this.shutdownTimeout = b.shutdownTimeout;
        this.failureHandler = b.failureHandler;
        this.timeslice = b.timeslice;
        this.stallThreshold = stallThreshold;
        this.maxSpareCarriers = maxSpareCarriers;
        this.blockingThreads = b.blockingThreads;
        this.deadLetterHandler = b.deadLetterHandler;
        this.cpuTiming = b.cpuTiming;
        this.jmx = b.jmx;
        this.flightRecorder = b.flightRecorder;
    }

    /**
     * A builder with every setting at its default.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * All defaults: one worker per available processor (at most {@value #MAX_WORKERS}).
     *
     * @return the default configuration
     */
    public static Config defaults() {
        return builder().build();
    }

    /**
     * Number of carrier threads; 1 makes a single-threaded runtime.
     *
     * @return the setting
     */
    public int workers() {
        return workers;
    }

    /**
     * Stack size of each carrier thread in bytes (the deepest a green thread can recurse).
     *
     * @return the setting
     */
    public long stackSize() {
        return stackSize;
    }

    /**
     * Runtime name, used as prefix of its threads' names; null means generated.
     *
     * @return the setting
     */
    public String name() {
        return name;
    }

    /**
     * How long {@link Verdant#close()} waits for interrupted green threads to end,
     * and then again (at least one second) for its carriers to stop, which takes
     * that long only when a carrier is stuck in a thread that reaches no safepoint.
     *
     * @return the setting
     */
    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    /**
     * Called for each green thread that ends by throwing (observed or not,
     * cancellation included), on the failing green thread (for an event actor,
     * on the dispatcher running it or on the thread that cancelled it; a
     * handler that throws is reported at ERROR on {@code io.verdant.failures});
     * null means the
     * default: a failure nobody observed (no joiner waiting when it ended, no
     * link, monitor or scope, not a {@link CancelledException}) is logged at
     * WARNING with its stack trace on the {@code io.verdant.failures} logger,
     * others at DEBUG. See docs/errors-and-failures.md.
     *
     * @return the handler, or null for the default
     */
    public BiConsumer<GreenHandle<?>, Throwable> failureHandler() {
        return failureHandler;
    }

    /**
     * How long a green thread may keep its carrier while other work waits before
     * the runtime asks it to yield at its next safepoint; {@link Duration#ZERO}
     * means preemption is off (neither time slices nor priority preemption).
     * See {@link Green#checkpoint()} for what is and is not preempted.
     *
     * @return the time slice
     */
    public Duration timeslice() {
        return timeslice;
    }

    /**
     * Tells whether preemption is on.
     *
     * @return true unless {@link #timeslice()} is zero
     */
    public boolean preemptive() {
        return !timeslice.isZero();
    }

    /**
     * How long one green thread may hold a carrier without reaching a safepoint,
     * while other work waits, before the runtime reports the stall and hands the
     * carrier's queued work to a spare carrier. Held means run: the carrier must
     * have used this much CPU time in the hold (to within a tick or two), or be
     * blocked in native code or in a pinned park; a carrier the operating system
     * did not schedule, or that a GC stopped, has not stalled.
     *
     * @return the stall threshold
     */
    public Duration stallThreshold() {
        return stallThreshold;
    }

    /**
     * Most spare carriers that may run at once, standing in for stalled ones; 0 turns the hand-off off.
     *
     * @return the setting
     */
    public int maxSpareCarriers() {
        return maxSpareCarriers;
    }

    /**
     * Most threads of the pool that runs {@link Green#blocking} work.
     *
     * @return the setting
     */
    public int blockingThreads() {
        return blockingThreads;
    }

    /**
     * Called, on the sending thread, with the pid and the message of every
     * {@link Green#send} that found its receiver dead or stale (for a timer's
     * send, {@link Green#sendAfter} or {@link Green#sendEvery}, on a green
     * thread of the runtime started for it, never on the runtime's own timer
     * thread, so a handler that blocks does not stop the runtime's timers; such
     * calls may come in any order; for the messages a
     * {@link Mailbox.Overflow#DROP_OLDEST} mailbox drops, on its owner, inside
     * the receive or {@link Green#mailboxSize} that drops them, after they are
     * all out of the mailbox, so the handler may use that mailbox); null means the
     * default: such messages are logged at INFO on the
     * {@code io.verdant.deadletters} logger, at most 10 records per 10 s (the
     * next record counts those not logged), and not at all while the runtime
     * closes.
     *
     * @return the handler, or null for the default
     */
    public BiConsumer<Pid, Object> deadLetterHandler() {
        return deadLetterHandler;
    }

    /**
     * Whether green threads' run time is measured per slice (see {@link Builder#cpuTiming(boolean)}).
     *
     * @return true if exact run-time measurement is on
     */
    public boolean cpuTiming() {
        return cpuTiming;
    }

    /**
     * Whether the runtime registers an MXBean (see {@link Builder#jmx(boolean)}).
     *
     * @return true if the runtime registers its MXBean
     */
    public boolean jmx() {
        return jmx;
    }

    /**
     * The flight recorder's ring size per carrier in bytes, 0 if it is off (see
     * {@link Builder#flightRecorder(long)}).
     *
     * @return bytes of trace kept per carrier, or 0
     */
    public long flightRecorder() {
        return flightRecorder;
    }

    @Override
    public String toString() {
        return "Config[workers=" + workers + ", stackSize=" + stackSize + ", name=" + name
                + ", shutdownTimeout=" + shutdownTimeout + ", timeslice=" + timeslice
                + ", stallThreshold=" + stallThreshold + ", maxSpareCarriers=" + maxSpareCarriers
                + ", blockingThreads=" + blockingThreads + "]";
    }

    /** Builder of {@link Config}; not thread-safe. */
    public static final class Builder {
        /** Null until set: build() then uses the default, available processors (at most MAX_WORKERS), leaving it null. */
        private Integer workers;
        private long stackSize = DEFAULT_STACK_SIZE;
        private String name;
        private Duration shutdownTimeout = Duration.ofSeconds(5);
        private BiConsumer<GreenHandle<?>, Throwable> failureHandler;
        private Duration timeslice = DEFAULT_TIMESLICE;
        /** Null until set: build() then uses the default, the longer of 100 ms and ten slices, leaving it null. */
        private Duration stallThreshold;
        /** Null until set: build() then uses the default, as many as workers, leaving it null. */
        private Integer maxSpareCarriers;
        private int blockingThreads = DEFAULT_BLOCKING_THREADS;
        private BiConsumer<Pid, Object> deadLetterHandler;
        private boolean cpuTiming = Boolean.getBoolean("verdant.cpuTiming");
        private boolean jmx = Boolean.getBoolean("verdant.jmx");
        private long flightRecorder;

        private Builder() {
        }

        /**
         * Carrier threads (1..{@value #MAX_WORKERS}); default: available processors,
         * at most {@value #MAX_WORKERS}.
         * Checked at {@link #build()}.
         *
         * @param workers the number of carrier threads
         * @return this builder
         */
        public Builder workers(int workers) {
            this.workers = workers;
            return this;
        }

        /**
         * Carrier stack size in bytes ({@value #MIN_STACK_SIZE}..{@value #MAX_STACK_SIZE});
         * default 16 MiB. Checked at {@link #build()}.
         *
         * @param bytes the value
         * @return this builder
         */
        public Builder stackSize(long bytes) {
            this.stackSize = bytes;
            return this;
        }

        /**
         * Runtime name (non-blank); default {@code verdant-<id>}.
         *
         * @param name the value
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * How long close() waits for interrupted green threads (zero up to
         * {@link Long#MAX_VALUE} nanoseconds, about 292 years); default 5 s.
         * Checked at {@link #build()}.
         *
         * @param timeout how long close() waits
         * @return this builder
         * @throws NullPointerException if {@code timeout} is null
         */
        public Builder shutdownTimeout(Duration timeout) {
            this.shutdownTimeout = Objects.requireNonNull(timeout, "shutdownTimeout");
            return this;
        }

        /**
         * Handler of green threads that end by throwing (called on the failing
         * thread); replaces the default logging of unobserved failures (see
         * {@link Config#failureHandler()}). {@code (h, t) -> { }} silences them.
         * It may block (park) as an onComplete callback may: {@link Verdant#close()}
         * waits for a call still running, up to {@link #shutdownTimeout}.
         *
         * @param handler receives the failed thread's handle and its failure
         * @return this builder
         * @throws NullPointerException if {@code handler} is null
         */
        public Builder failureHandler(BiConsumer<GreenHandle<?>, Throwable> handler) {
            this.failureHandler = Objects.requireNonNull(handler, "failureHandler");
            return this;
        }

        /**
         * Handler of messages sent to dead or stale pids (called on the sender; for a
         * timer's send, on a green thread started for it);
         * replaces the default rate-limited INFO log (see {@link Config#deadLetterHandler()}).
         *
         * @param handler receives the pid and the undelivered message
         * @return this builder
         * @throws NullPointerException if {@code handler} is null
         */
        public Builder deadLetterHandler(BiConsumer<Pid, Object> handler) {
            this.deadLetterHandler = Objects.requireNonNull(handler, "deadLetterHandler");
            return this;
        }

        /**
         * Time slice (zero, or from {@value #MIN_TIMESLICE_MILLIS} ms up to
         * {@link Long#MAX_VALUE} nanoseconds); default 10 ms.
         * {@link Duration#ZERO} switches preemption off: a green thread then keeps
         * its carrier until it blocks, parks, yields or ends. Checked at {@link #build()}.
         *
         * @param timeslice the time slice, or zero for no preemption
         * @return this builder
         * @throws NullPointerException if {@code timeslice} is null
         */
        public Builder timeslice(Duration timeslice) {
            this.timeslice = Objects.requireNonNull(timeslice, "timeslice");
            return this;
        }

        /**
         * Stall threshold (from {@value #MIN_TIMESLICE_MILLIS} ms up to
         * {@link Long#MAX_VALUE} nanoseconds); default 100 ms, or ten time slices if
         * that is longer. Keep it longer than the time slice: a green thread is asked
         * to yield only once its slice is over, so one that held its carrier for the
         * threshold is reported as stalled even if it reaches safepoints. Checked at
         * {@link #build()}.
         *
         * @param threshold the stall threshold
         * @return this builder
         * @throws NullPointerException if {@code threshold} is null
         */
        public Builder stallThreshold(Duration threshold) {
            this.stallThreshold = Objects.requireNonNull(threshold, "stallThreshold");
            return this;
        }

        /**
         * Spare carriers (0..{@value #MAX_WORKERS}); default: as many as workers.
         * Checked at {@link #build()}.
         *
         * @param spares the most spare carriers alive at once; 0 turns the hand-off off
         * @return this builder
         */
        public Builder maxSpareCarriers(int spares) {
            this.maxSpareCarriers = spares;
            return this;
        }

        /**
         * Threads of the {@link Green#blocking} pool (1..{@value #MAX_BLOCKING_THREADS}); default {@value #DEFAULT_BLOCKING_THREADS}.
         *
         * @param threads the value
         * @return this builder
         */
        public Builder blockingThreads(int threads) {
            this.blockingThreads = threads;
            return this;
        }

        /**
         * Measures each green thread's run time exactly: the carrier reads
         * {@code System.nanoTime()} before and after every slice (two clock reads
         * per dispatch, about 40-50 ns on a machine whose clock source is the TSC,
         * far more on VMs without one). Off by default: run time is then sampled
         * by the ticker, one 1 ms tick per tick the thread was seen running (each
         * look after a longer sleep of the ticker counts the ticks it slept), at no
         * cost per dispatch. Also on when the system property
         * {@code verdant.cpuTiming} is {@code true}.
         *
         * @param on true to measure exactly
         * @return this builder
         */
        public Builder cpuTiming(boolean on) {
            this.cpuTiming = on;
            return this;
        }

        /**
         * Registers an MXBean {@code io.verdant:type=Runtime,name=<name>} for the
         * runtime in the platform MBean server (unregistered on close), so
         * JConsole, VisualVM or Mission Control can chart its metrics. Off by
         * default (no MBean is registered); also on when
         * the system property {@code verdant.jmx} is {@code true}. The MXBean needs the
         * module {@code java.management}: in a JVM without it (a jlinked image, or
         * {@code --limit-modules}, with Verdant on the class path) {@link Verdant#start(Config)}
         * fails with an {@link IllegalStateException} that names the module.
         *
         * @param on true to register the MXBean
         * @return this builder
         */
        public Builder jmx(boolean on) {
            this.jmx = on;
            return this;
        }

        /**
         * Keeps an always-on scheduling trace of the last {@code bytesPerCarrier}
         * bytes per carrier (44 bytes per event: four longs, an object slot and a long;
         * rounded down to a power of two of events, so 4 MiB keeps 65,536 events and
         * 6 MiB 131,072,
         * the last 65,536 slices of a carrier that only yields), which
         * {@link Verdant#flightRecording()} copies at any time, for example when
         * something has gone wrong. Recording costs a ring write per dispatch (carrying
         * the slice's first wake-up), a clock read per 64 dispatches and one per 1 ms tick, and a ring write per
         * further wake-up or spawn (see docs/observability.md); the rings are
         * allocated at start. 0 (the default) turns it off.
         *
         * @param bytesPerCarrier bytes of trace per carrier: 0, or 4 KiB to 1 GiB
         * @return this builder
         * @throws IllegalArgumentException if {@code bytesPerCarrier} is neither 0 nor within 4 KiB..1 GiB
         */
        public Builder flightRecorder(long bytesPerCarrier) {
            if (bytesPerCarrier != 0 && (bytesPerCarrier < 4096 || bytesPerCarrier > (1L << 30))) {
                throw new IllegalArgumentException("flightRecorder must be 0 (off) or between 4096 and 2^30 bytes, was "
                        + bytesPerCarrier);
            }
            this.flightRecorder = bytesPerCarrier;
            return this;
        }

        /**
         * Validates and builds. Durations must be representable in a {@code long}
         * of nanoseconds (up to about 292 years), which is how the runtime keeps them.
         *
         * @return the configuration
         * @throws IllegalArgumentException naming the first invalid setting
         */
        public Config build() {
            int workers = this.workers != null ? this.workers
                    : Math.min(Runtime.getRuntime().availableProcessors(), MAX_WORKERS);
            if (workers < 1 || workers > MAX_WORKERS) {
                throw new IllegalArgumentException("workers must be between 1 and " + MAX_WORKERS + ", was " + workers);
            }
            if (stackSize < MIN_STACK_SIZE || stackSize > MAX_STACK_SIZE) {
                throw new IllegalArgumentException("stackSize must be between " + MIN_STACK_SIZE + " and " + MAX_STACK_SIZE
                        + " bytes, was " + stackSize);
            }
            if (name != null && name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            if (shutdownTimeout.isNegative()) {
                throw new IllegalArgumentException("shutdownTimeout must not be negative, was " + shutdownTimeout);
            }
            requireNanos(shutdownTimeout, "shutdownTimeout");
            requireNanos(timeslice, "timeslice");
            if (timeslice.isNegative() || (!timeslice.isZero() && timeslice.compareTo(Duration.ofMillis(MIN_TIMESLICE_MILLIS)) < 0)) {
                throw new IllegalArgumentException("timeslice must be zero (off) or at least " + MIN_TIMESLICE_MILLIS
                        + " ms, was " + timeslice);
            }
            Duration stallThreshold = this.stallThreshold != null ? this.stallThreshold : defaultStallThreshold(timeslice);
            requireNanos(stallThreshold, "stallThreshold");
            if (stallThreshold.compareTo(Duration.ofMillis(MIN_TIMESLICE_MILLIS)) < 0) {
                throw new IllegalArgumentException("stallThreshold must be at least " + MIN_TIMESLICE_MILLIS
                        + " ms, was " + stallThreshold);
            }
            int maxSpareCarriers = this.maxSpareCarriers != null ? this.maxSpareCarriers : workers;
            if (maxSpareCarriers < 0 || maxSpareCarriers > MAX_WORKERS) {
                throw new IllegalArgumentException("maxSpareCarriers must be between 0 and " + MAX_WORKERS + ", was "
                        + maxSpareCarriers);
            }
            if (blockingThreads < 1 || blockingThreads > MAX_BLOCKING_THREADS) {
                throw new IllegalArgumentException("blockingThreads must be between 1 and " + MAX_BLOCKING_THREADS
                        + ", was " + blockingThreads);
            }
            return new Config(this, workers, maxSpareCarriers, stallThreshold);
        }

        /** The longer of DEFAULT_STALL_THRESHOLD and ten slices (at most MAX_NANOS); {@code timeslice} fits in nanos. */
        private static Duration defaultStallThreshold(Duration timeslice) {
            long slice = timeslice.toNanos();
            Duration tenSlices = slice > Long.MAX_VALUE / 10 ? MAX_NANOS : Duration.ofNanos(slice * 10);
            return tenSlices.compareTo(DEFAULT_STALL_THRESHOLD) > 0 ? tenSlices : DEFAULT_STALL_THRESHOLD;
        }

        /** Rejects a duration of more than Long.MAX_VALUE nanoseconds (toNanos would overflow). */
        private static void requireNanos(Duration d, String setting) {
            if (d.compareTo(MAX_NANOS) > 0) {
                throw new IllegalArgumentException(setting + " must be at most " + MAX_NANOS
                        + " (Long.MAX_VALUE nanoseconds, about 292 years), was " + d);
            }
        }

        /** The longest duration a setting may have: the runtime keeps durations as long nanoseconds. */
        private static final Duration MAX_NANOS = Duration.ofNanos(Long.MAX_VALUE);
    }
}
