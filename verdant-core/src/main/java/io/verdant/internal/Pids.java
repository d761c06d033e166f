package io.verdant.internal;

import io.verdant.Pid;

import java.lang.invoke.MethodHandles;

/**
 * The internal side of {@link Pid}: {@code Pid} has no public constructor and
 * no accessors (its layout is not API), so the runtime makes and reads pids
 * through this bridge, which {@code Pid}'s static initialiser installs (the
 * JDK's {@code SharedSecrets} pattern). Any thread.
 */
public abstract class Pids {
    private static volatile Pids access;

    /** For {@code Pid} only. */
    protected Pids() {
    }

    /**
     * Called once, by {@code Pid}'s static initialiser.
     *
     * @param bridge the bridge
     */
    public static void install(Pids bridge) {
        if (access != null) {
            throw new IllegalStateException("Pid access already installed");
        }
        access = bridge;
    }

    private static Pids access() {
        Pids a = access;
        if (a == null) {
            try {
                MethodHandles.lookup().ensureInitialized(Pid.class);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
            a = access;
        }
        return a;
    }

    /**
     * Makes a pid.
     *
     * @param runtimeId the runtime's id
     * @param index the slot
     * @param generation the slot's generation
     * @return the pid of that slot and generation
     */
    public static Pid of(long runtimeId, int index, int generation) {
        return access().make(runtimeId, index, generation);
    }

    /**
     * Reads a pid.
     *
     * @param pid a pid
     * @return its runtime's id
     */
    public static long runtimeId(Pid pid) {
        return access().runtimeIdOf(pid);
    }

    /**
     * Reads a pid.
     *
     * @param pid a pid
     * @return its slot
     */
    public static int index(Pid pid) {
        return access().indexOf(pid);
    }

    /**
     * Reads a pid.
     *
     * @param pid a pid
     * @return its slot's generation
     */
    public static int generation(Pid pid) {
        return access().generationOf(pid);
    }

    /**
     * Makes a pid (the bridge's side).
     *
     * @param runtimeId the runtime's id
     * @param index the slot
     * @param generation the generation
     * @return a new pid
     */
    protected abstract Pid make(long runtimeId, int index, int generation);

    /**
     * Reads a pid.
     *
     * @param pid a pid
     * @return its runtime id
     */
    protected abstract long runtimeIdOf(Pid pid);

    /**
     * Reads a pid.
     *
     * @param pid a pid
     * @return its slot
     */
    protected abstract int indexOf(Pid pid);

    /**
     * Reads a pid.
     *
     * @param pid a pid
     * @return its generation
     */
    protected abstract int generationOf(Pid pid);
}
