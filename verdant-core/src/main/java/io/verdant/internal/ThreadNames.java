package io.verdant.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The names a Spawner-made executor or thread factory gives its threads: none,
 * one fixed name, or a prefix followed by a counter (as
 * {@code Thread.Builder.name(prefix, start)}). Immutable apart from the
 * counter, which is atomic: any thread may call {@link #next()}.
 */
public final class ThreadNames {
    private final String name;
    private final AtomicLong counter;

    /**
     * Creates a naming scheme.
     *
     * @param name the fixed name or the prefix; null for unnamed threads
     * @param start the counter's first value, or -1 for a fixed name
     */
    public ThreadNames(String name, long start) {
        this.name = name;
        this.counter = start >= 0 && name != null ? new AtomicLong(start) : null;
    }

    /**
     * The next thread's name.
     *
     * @return null (unnamed), the fixed name, or prefix + counter (then increments it)
     */
    public String next() {
        if (counter == null) {
            return name;
        }
        return name + counter.getAndIncrement();
    }
}
