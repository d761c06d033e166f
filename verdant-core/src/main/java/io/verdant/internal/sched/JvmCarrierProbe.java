package io.verdant.internal.sched;

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

    @Override
    public boolean blocked(Worker carrier) {
        ThreadMXBean mx = Mx.BEAN;
        if (mx == null) {
            return true;
        }
        // maxDepth 0: no stack, so no safepoint (HotSpot snapshots the thread directly).
        ThreadInfo info = mx.getThreadInfo(carrier.threadId(), 0);
        return info != null && (info.isInNative() || info.getThreadState() != Thread.State.RUNNABLE);
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
