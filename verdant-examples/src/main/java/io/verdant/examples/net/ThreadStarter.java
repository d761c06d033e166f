package io.verdant.examples.net;

import io.verdant.Verdant;

import java.util.Objects;
import java.util.concurrent.ExecutorService;

/**
 * How a {@link SocketServer} starts the thread of its accept loop and one
 * thread per connection. The servers are written once, in plain blocking
 * style, and run unchanged on green threads, on virtual threads of the JDK's
 * default scheduler, or on a platform-thread pool; the benchmarks compare
 * exactly that.
 */
@FunctionalInterface
public interface ThreadStarter {
    /** Starts {@code body} on a new thread named {@code name}; must not run it inline. */
    void start(String name, Runnable body);

    /** One green thread of {@code runtime} per call. */
    static ThreadStarter green(Verdant runtime) {
        Objects.requireNonNull(runtime, "runtime");
        return (name, body) -> runtime.spawner().name(name).spawn(body);
    }

    /** One virtual thread on the JDK's default scheduler per call. */
    static ThreadStarter virtual() {
        return (name, body) -> Thread.ofVirtual().name(name).start(body);
    }

    /** A task of {@code pool} per call (a platform-thread pool: one pooled thread per connection). */
    static ThreadStarter pool(ExecutorService pool) {
        Objects.requireNonNull(pool, "pool");
        return (name, body) -> pool.execute(body);
    }
}
