package io.verdant.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of this JVM's threads split in two groups: the JIT compiler threads
 * and the threads of one Verdant runtime (its carriers and ticker), in ns, from
 * Linux's {@code /proc/self/task/<tid>/schedstat} (time on CPU, ns) and
 * {@code comm} (the thread's name, cut to 15 characters).
 * <p>
 * Why: a comparison's process CPU ({@link ProcessCpu}) includes JIT threads,
 * and at 2 workers the JIT recompiles during measured rounds (deoptimizations
 * at round boundaries, when the pair of pingpong threads moves between
 * carriers): 5-17 ns per round trip of C1 and C2 time in a child JVM's
 * measured rounds, varying by JVM, against 1-3 at 1 worker (issue 12, measured
 * on a loaded machine). That is the size of the 1 % targets these comparisons
 * judge. The runtime threads' figure leaves it out.
 * <p>
 * A snapshot sums the threads alive when it is taken: a thread that ended
 * between two snapshots drops out of the difference (the JVM may stop a
 * compiler thread it no longer needs), so a round's JIT figure may read low,
 * never high. Off Linux, or if /proc cannot be read, both groups read 0.
 * Any thread may call it; each call reads /proc afresh and keeps no state.
 */
final class ThreadCpu {
    /** CPU time so far of the JIT compiler threads ({@code jit}) and of the runtime's threads ({@code runtime}), ns. */
    record Snapshot(long jit, long runtime) {
        /** This snapshot less an earlier one. */
        Snapshot minus(Snapshot earlier) {
            return new Snapshot(jit - earlier.jit, runtime - earlier.runtime);
        }
    }

    private ThreadCpu() {
    }

    /**
     * Reads every thread of this JVM now.
     *
     * @param runtimePrefix the start of the names of the runtime's threads (its
     *                      name: carriers are {@code <name>-carrier-<i>}, the ticker
     *                      {@code <name>-ticker}); at most 15 characters are compared
     * @return the two groups' CPU time so far
     */
    static Snapshot take(String runtimePrefix) {
        String prefix = runtimePrefix.length() > 15 ? runtimePrefix.substring(0, 15) : runtimePrefix;
        long jit = 0;
        long runtime = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path t : tasks) {
                String comm;
                long ns;
                try {
                    comm = Files.readString(t.resolve("comm")).trim();
                    String stat = Files.readString(t.resolve("schedstat")).trim();
                    int space = stat.indexOf(' ');
                    ns = Long.parseLong(space < 0 ? stat : stat.substring(0, space));
                } catch (IOException | NumberFormatException e) {
                    continue; // the thread ended while being read
                }
                if (comm.startsWith("C1 ") || comm.startsWith("C2 ")) {
                    jit += ns;
                } else if (comm.startsWith(prefix)) {
                    runtime += ns;
                }
            }
        } catch (IOException | RuntimeException e) {
            return new Snapshot(0, 0);
        }
        return new Snapshot(jit, runtime);
    }
}
