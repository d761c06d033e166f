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
 * that names the setting; defaults are filled in there, once.
 */
public final class Config {
    /** Default carrier stack size: 16 MiB, the deepest a green thread can recurse. */
    public static final long DEFAULT_STACK_SIZE = 16L << 20;
    /** Smallest accepted carrier stack size. */
    public static final long MIN_STACK_SIZE = 256L << 10;
    /** Most carriers one runtime may have. */
    public static final int MAX_WORKERS = 1024;

    private final int workers;
    private final long stackSize;
    private final String name;
    private final Duration shutdownTimeout;
    private final BiConsumer<GreenHandle<?>, Throwable> failureHandler;
    private final BiConsumer<Pid, Object> deadLetterHandler;

    private Config(Builder b) {
        this.workers = b.workers;
        this.stackSize = b.stackSize;
        this.name = b.name;
        this.shutdownTimeout = b.shutdownTimeout;
        this.failureHandler = b.failureHandler;
        this.deadLetterHandler = b.deadLetterHandler;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** All defaults: one worker per available processor. */
    public static Config defaults() {
        return builder().build();
    }

    /** Number of carrier threads; 1 makes a single-threaded runtime. */
    public int workers() {
        return workers;
    }

    /** Stack size of each carrier thread in bytes (the deepest a green thread can recurse). */
    public long stackSize() {
        return stackSize;
    }

    /** Runtime name, used as prefix of its threads' names; null means generated. */
    public String name() {
        return name;
    }

    /** How long {@link Verdant#close()} waits for interrupted green threads to end. */
    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    /** Called, on the failing green thread, for each green thread that ends by throwing; null means log at DEBUG. */
    public BiConsumer<GreenHandle<?>, Throwable> failureHandler() {
        return failureHandler;
    }

    /**
     * Called, on the sending thread, with the pid and the message of every
     * {@link Green#send} that found its receiver dead or stale; null means
     * such messages are dropped silently.
     */
    public BiConsumer<Pid, Object> deadLetterHandler() {
        return deadLetterHandler;
    }

    @Override
    public String toString() {
        return "Config[workers=" + workers + ", stackSize=" + stackSize + ", name=" + name
                + ", shutdownTimeout=" + shutdownTimeout + "]";
    }

    /** Builder of {@link Config}; not thread-safe. */
    public static final class Builder {
        private int workers = -1;
        private long stackSize = DEFAULT_STACK_SIZE;
        private String name;
        private Duration shutdownTimeout = Duration.ofSeconds(5);
        private BiConsumer<GreenHandle<?>, Throwable> failureHandler;
        private BiConsumer<Pid, Object> deadLetterHandler;

        private Builder() {
        }

        /** Carrier threads (1..{@value #MAX_WORKERS}); default: available processors. */
        public Builder workers(int workers) {
            this.workers = workers;
            return this;
        }

        /** Carrier stack size in bytes (at least {@value #MIN_STACK_SIZE}); default 16 MiB. */
        public Builder stackSize(long bytes) {
            this.stackSize = bytes;
            return this;
        }

        /** Runtime name (non-blank); default {@code verdant-<id>}. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** How long close() waits for interrupted green threads (zero or more); default 5 s. */
        public Builder shutdownTimeout(Duration timeout) {
            this.shutdownTimeout = Objects.requireNonNull(timeout, "shutdownTimeout");
            return this;
        }

        /** Handler of green threads that end by throwing (called on the failing thread). */
        public Builder failureHandler(BiConsumer<GreenHandle<?>, Throwable> handler) {
            this.failureHandler = Objects.requireNonNull(handler, "failureHandler");
            return this;
        }

        /** Handler of messages sent to dead or stale pids (called on the sender); default: drop them. */
        public Builder deadLetterHandler(BiConsumer<Pid, Object> handler) {
            this.deadLetterHandler = Objects.requireNonNull(handler, "deadLetterHandler");
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the first invalid setting
         */
        public Config build() {
            if (workers == -1) {
                workers = Runtime.getRuntime().availableProcessors();
            }
            if (workers < 1 || workers > MAX_WORKERS) {
                throw new IllegalArgumentException("workers must be between 1 and " + MAX_WORKERS + ", was " + workers);
            }
            if (stackSize < MIN_STACK_SIZE) {
                throw new IllegalArgumentException("stackSize must be at least " + MIN_STACK_SIZE + " bytes, was " + stackSize);
            }
            if (name != null && name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            if (shutdownTimeout.isNegative()) {
                throw new IllegalArgumentException("shutdownTimeout must not be negative, was " + shutdownTimeout);
            }
            return new Config(this);
        }
    }
}
