package io.verdant;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
     * What happened between {@code previous} and this snapshot, per thread: this
     * snapshot's threads with {@link GreenThreadInfo#runTime() runTime} and
     * {@link GreenThreadInfo#dispatches() dispatches} replaced by their growth since
     * {@code previous}; a thread spawned since then keeps its totals, and one that
     * ended is absent. Every other field is this snapshot's. Pids tell threads apart
     * (a reused pid-table index has a new generation, so its thread counts as new).
     * A window in the manner of Erlang's {@code recon:proc_window}, e.g. the ten
     * threads that ran longest in the last second:
     * {@code now.delta(aSecondAgo).top(t -> t.runTime().toNanos(), 10)}.
     *
     * <p>Dispatch counts wrap at 2^32; the growth is right as long as a thread ran
     * fewer than 2^32 slices between the two snapshots.
     *
     * @param previous an earlier snapshot of the same runtime
     * @return a snapshot with this one's runtime, time and threads, and the growths
     * @throws NullPointerException     if {@code previous} is null
     * @throws IllegalArgumentException if {@code previous} is of another runtime (by name) or was
     *                                  taken after this one
     */
    public RuntimeSnapshot delta(RuntimeSnapshot previous) {
        Objects.requireNonNull(previous, "previous");
        if (!previous.runtime.equals(runtime)) {
            throw new IllegalArgumentException("previous is a snapshot of runtime '" + previous.runtime
                    + "', this one of '" + runtime + "'");
        }
        if (previous.takenNanos - takenNanos > 0) {
            throw new IllegalArgumentException("previous was taken after this snapshot");
        }
        Map<Pid, GreenThreadInfo> before = new HashMap<>(previous.threads.size() * 2);
        for (GreenThreadInfo t : previous.threads) {
            before.put(t.pid(), t);
        }
        List<GreenThreadInfo> out = new ArrayList<>(threads.size());
        for (GreenThreadInfo t : threads) {
            GreenThreadInfo p = before.get(t.pid());
            out.add(p == null ? t : new GreenThreadInfo(t.pid(), t.name(), t.priority(), t.state(), t.waitReason(),
                    t.waitingFor(), t.timeWaiting(), positive(t.runTime().minus(p.runTime())),
                    (t.dispatches() - p.dispatches()) & 0xFFFF_FFFFL, t.carrier(), t.parent(), t.supervisor(),
                    t.childName(), t.mailboxDepth(), t.jdkThreadId()));
        }
        return new RuntimeSnapshot(runtime, takenNanos, out);
    }

    private static Duration positive(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
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
