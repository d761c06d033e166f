package io.verdant.internal.sched;

import io.verdant.internal.vthread.VirtualThreads;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * {@link CarrierProbe#JVM}: a carrier's CPU time and state from the JVM's
 * {@link ThreadMXBean}. The bean is loaded the first time a carrier holds one
 * task for a whole tick (by the ticker thread), not at start-up. Where the JVM
 * cannot measure thread CPU time, every hold counts, as it did before CPU time
 * was consulted.
 */
final class JvmCarrierProbe implements CarrierProbe {

    @Override
    public long cpuNanos(Worker carrier) {
        ThreadMXBean mx = Mx.BEAN;
        return mx == null ? -1 : mx.getThreadCpuTime(carrier.threadId());
    }

    /**
     * In native code (the carrier's own JVM state, which HotSpot reports right
     * with a virtual thread mounted), or a green thread parked while pinned to
     * it (the JDK's state of its virtual thread), or blocked entering a monitor
     * while pinned to it (its Thread.State BLOCKED: a mounted virtual thread
     * reports the carrier's status, which the JVM sets to BLOCKED for a monitor
     * wait and to WAITING otherwise, so a busy one never reads BLOCKED). The
     * last is how a preempted thread that kept a monitor (it yielded at a
     * safepoint inside synchronized) and a thread blocked on that monitor inside
     * a class initializer held the only carrier for good: no CPU used, not in
     * native code, not parked, so no stall and no spare to run the holder
     * (PinnedMonitorStallTest). Not the carrier's
     * Thread.State: with a virtual thread mounted HotSpot reports the carrier as
     * WAITING however busy it is (measured: a spinning green thread's carrier
     * reads WAITING while its CPU clock moves), so every green thread's hold
     * counted as blocked and the CPU test never applied (29 to 38 reports in
     * 15 s of 8 ms tasks under a 30 ms threshold on a loaded 2-core machine).
     * Not Thread.getState() of the virtual thread either: WAITING is also the
     * state of one that has unmounted and parked while its carrier, descheduled,
     * has not yet moved on. Foreign work counts only when in native code.
     */
    @Override
    public boolean blocked(Worker carrier) {
        ThreadMXBean mx = Mx.BEAN;
        if (mx == null) {
            return true;
        }
        Task running = carrier.currentTask();
        Thread vt = running == null ? null : running.thread();
        if (vt != null && vt.isVirtual()
                && (VirtualThreads.parkedPinned(vt) || vt.getState() == Thread.State.BLOCKED)) {
            return true;
        }
        // maxDepth 0: no stack, so no safepoint (HotSpot snapshots the thread directly).
        ThreadInfo info = mx.getThreadInfo(carrier.threadId(), 0);
        return info != null && info.isInNative();
    }

    /** Lazy holder of the bean; null if thread CPU time cannot be measured. */
    private static final class Mx {
        static final ThreadMXBean BEAN = load();

        private static ThreadMXBean load() {
            try {
                ThreadMXBean mx = ManagementFactory.getThreadMXBean();
                if (!mx.isThreadCpuTimeSupported()) {
                    return null;
                }
                if (!mx.isThreadCpuTimeEnabled()) {
                    mx.setThreadCpuTimeEnabled(true);
                }
                return mx;
            } catch (RuntimeException | LinkageError e) {
                return null;
            }
        }
    }
}
