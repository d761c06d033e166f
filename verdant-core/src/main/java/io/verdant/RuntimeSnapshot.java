package io.verdant;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * Every green thread alive in a runtime when {@link Verdant#snapshot()} ran
 * (threads spawned or ended during the walk may or may not be in it).
 *
 * @param runtime    the runtime's name
 * @param takenNanos {@link System#nanoTime()} when the snapshot was taken
 * @param threads    the live green threads, in pid-table order
 */
public record RuntimeSnapshot(String runtime, long takenNanos, List<GreenThreadInfo> threads) {
    /**
     * Copies the list.
     *
     * @throws NullPointerException if {@code runtime} or {@code threads} is null
     */
    public RuntimeSnapshot {
        Objects.requireNonNull(runtime, "runtime");
        threads = List.copyOf(threads);
    }

    /**
     * The {@code n} threads with the largest {@code key}, largest first, e.g.
     * {@code top(t -> t.runTime().toNanos(), 10)} or {@code top(GreenThreadInfo::mailboxDepth, 10)}.
     *
     * @param key what to rank by
     * @param n   how many to return at most
     * @return up to {@code n} threads
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public List<GreenThreadInfo> top(ToLongFunction<GreenThreadInfo> key, int n) {
        Objects.requireNonNull(key, "key");
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative, was " + n);
        }
        return threads.stream().sorted(Comparator.comparingLong(key).reversed()).limit(n).toList();
    }

    /**
     * The thread with this pid, if it was alive when the snapshot was taken.
     *
     * @param pid the pid to look for
     * @return its record, or empty
     * @throws NullPointerException if {@code pid} is null
     */
    public Optional<GreenThreadInfo> find(Pid pid) {
        Objects.requireNonNull(pid, "pid");
        return threads.stream().filter(t -> t.pid().equals(pid)).findFirst();
    }
}
