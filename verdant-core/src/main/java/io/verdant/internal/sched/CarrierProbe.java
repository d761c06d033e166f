package io.verdant.internal.sched;

import java.lang.management.ThreadMXBean;

/**
 * What the {@link Sysmon} asks about a carrier before it calls it stalled, and
 * how it captures the stalled task's stack. The JVM's answers ({@link #JVM})
 * come from {@link ThreadMXBean}; tests install others (Sysmon.probe).
 *
 * <p>All methods are called by the ticker thread only, and only for a carrier
 * whose dispatch count has stood still for at least a tick: never on the
 * dispatch path.
 */
public interface CarrierProbe {
    /**
     * The CPU time the carrier thread has used so far.
     *
     * @param carrier the carrier (a platform thread)
     * @return nanoseconds, or -1 if the JVM cannot measure it
     */
    long cpuNanos(Worker carrier);

    /**
     * Whether the carrier is held without needing the CPU: blocked in native
     * code (a file read, a DNS look-up), or parked or blocked on a monitor with
     * the green thread pinned to it. Never the carrier's Thread.State, which HotSpot reports as WAITING
     * whenever a virtual thread is mounted (see JvmCarrierProbe).
     *
     * @param carrier the carrier
     * @return true if it is blocked so
     */
    boolean blocked(Worker carrier);

    /**
     * The stack of the task running on the carrier now: the virtual thread's
     * for a green thread, the carrier's own for foreign work.
     *
     * @param running the task Sysmon saw running on the carrier
     * @param carrier the carrier
     * @return the stack, or null if none could be had
     */
    default StackTraceElement[] stack(Task running, Worker carrier) {
        Thread vt = running.thread();
        StackTraceElement[] s = vt != null ? vt.getStackTrace() : carrier.getStackTrace();
        return s.length == 0 ? null : s;
    }

    /** The JVM's own answers, from {@link ThreadMXBean} (loaded on first use, by the ticker). */
    CarrierProbe JVM = new JvmCarrierProbe();
}
