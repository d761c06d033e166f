package io.verdant.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * CPU time of this process (all its threads, GC and JIT included), in ns, at
 * the finest resolution the platform gives.
 * <p>
 * The JDK's {@code OperatingSystemMXBean.getProcessCpuTime()} reads
 * {@code times(2)} on Linux: clock ticks of 10 ms. Over a round of 0.4 s that
 * is a 2.5 % step, as large as the 1 % and 10 % CPU targets the observability
 * comparisons judge (their per-op CPU figures came out as multiples of 5 or
 * 10 ns). On Linux this reads {@code clock_gettime(CLOCK_PROCESS_CPUTIME_ID)}
 * through the foreign-function API instead (nanosecond resolution; the child
 * JVMs run with {@code --enable-native-access=ALL-UNNAMED}, a runner started
 * without it prints the JDK's one-line restricted-method warning); anywhere
 * else, or if the call cannot be bound, it falls back to the MXBean.
 * Thread-safe: the method handle is immutable and each call uses its own
 * memory.
 */
final class ProcessCpu {
    /** Linux's clock id for the calling process's CPU time. */
    private static final int CLOCK_PROCESS_CPUTIME_ID = 2;
    /** clock_gettime, or null where it is not used (see the class comment). */
    private static final MethodHandle CLOCK_GETTIME = bind();

    private ProcessCpu() {
    }

    /** CPU time of this process so far, in ns. */
    static long nanos() {
        if (CLOCK_GETTIME != null) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment ts = arena.allocate(16, 8);
                int rc = (int) CLOCK_GETTIME.invokeExact(CLOCK_PROCESS_CPUTIME_ID, ts);
                if (rc == 0) {
                    return ts.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + ts.get(ValueLayout.JAVA_LONG, 8);
                }
            } catch (Throwable e) {
                // fall through to the MXBean
            }
        }
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    @SuppressWarnings("restricted")
    private static MethodHandle bind() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")
                || !"amd64".equals(System.getProperty("os.arch")) && !"aarch64".equals(System.getProperty("os.arch"))) {
            return null; // timespec of two longs and clock id 2: 64-bit Linux only
        }
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("clock_gettime")
                    .map(f -> linker.downcallHandle(f, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT, ValueLayout.ADDRESS)))
                    .orElse(null);
        } catch (RuntimeException | Error e) {
            return null;
        }
    }
}
