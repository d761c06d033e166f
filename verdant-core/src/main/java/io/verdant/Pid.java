package io.verdant;

import io.verdant.internal.Pids;

/**
 * A process identifier: names one green thread of one runtime, for as long as
 * that thread lives. The runtime reuses its slots, but never a pid: a pid that
 * outlived its thread never names another one, and {@link Verdant#isAlive(Pid)},
 * {@link Verdant#send(Pid, Object)} and every lookup report it as dead.
 *
 * <p>Pids are values: compare them with {@code equals} (two pids are equal
 * when they name the same thread), use them as map keys. There is no public
 * constructor; a pid comes from {@link Green#self()}, {@link GreenHandle#pid()}
 * and the messages and signals that carry one.
 *
 * <p>{@link #toString()} is the one stable form for logs:
 * {@code <runtime.slot.generation>}, three non-negative decimal numbers, after
 * Erlang. Its parts mean nothing to user code and may not be parsed back.
 */
public final class Pid {
    static {
        Pids.install(new Pids() {
            @Override
            protected Pid make(long runtimeId, int index, int generation) {
                return new Pid(runtimeId, index, generation);
            }

            @Override
            protected long runtimeIdOf(Pid pid) {
                return pid.runtimeId;
            }

            @Override
            protected int indexOf(Pid pid) {
                return pid.index;
            }

            @Override
            protected int generationOf(Pid pid) {
                return pid.generation;
            }
        });
    }

    private final long runtimeId;
    private final int index;
    private final int generation;

    private Pid(long runtimeId, int index, int generation) {
        this.runtimeId = runtimeId;
        this.index = index;
        this.generation = generation;
    }

    /**
     * Two pids are equal when they name the same green thread.
     *
     * @param o the object to compare with
     * @return true if {@code o} is a pid naming the same green thread
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Pid p && p.runtimeId == runtimeId && p.index == index && p.generation == generation;
    }

    /**
     * A hash code from the slot and generation only, not the runtime: the same
     * green thread of two runs of a program (two runtimes, or two JVMs) has the
     * same hash, so a {@code HashMap<Pid, ?>} iterates in the same order when a
     * deterministic schedule is replayed. Pids of different runtimes that share
     * slot and generation collide, which costs only a comparison.
     *
     * @return a hash code consistent with {@link #equals(Object)}
     */
    @Override
    public int hashCode() {
        return index * 31 + generation;
    }

    /** @return the stable log form {@code <runtime.slot.generation>}, e.g. {@code <1.42.3>} */
    @Override
    public String toString() {
        return "<" + runtimeId + "." + index + "." + generation + ">";
    }
}
