package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A dump with stacks of a deterministic runtime walks its green threads'
 * stacks; the JDK submits a runnable thread it walked once more. Taken from
 * the body or from a thread outside the runtime (a test thread, a JMX client),
 * it neither fails the run nor changes its schedule.
 */
@Timeout(60)
@org.junit.jupiter.api.extension.ExtendWith(DetRuns.QuietRestartLog.class)
class DetDumpStacksTest {
    private static final DumpOptions STACKS = DumpOptions.text().stacks(true);

    /** Four threads that yield in turn, so at every step some are runnable and unmounted. */
    static String body(Verdant rt, boolean dumpInBody) {
        List<GreenHandle<Integer>> hs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int id = i;
            hs.add(Green.spawn(() -> {
                int n = 0;
                for (int k = 0; k < 200; k++) {
                    n = n * 7 + id + k;
                    Green.yield();
                }
                return n;
            }));
        }
        for (int k = 0; k < 20; k++) {
            if (dumpInBody) {
                StringWriter w = new StringWriter();
                rt.dump(w, STACKS);
                if (!w.toString().contains("DetDumpStacksTest.lambda")) {
                    throw new AssertionError("a dump from the body has the threads' stacks:\n" + w);
                }
            }
            Green.yield();
        }
        StringBuilder sb = new StringBuilder();
        for (GreenHandle<Integer> h : hs) {
            sb.append(h.join()).append(',');
        }
        return sb.toString();
    }

    private static String run(long seed, boolean dumpInBody, boolean dumpFromOutside) throws Exception {
        try (Verdant rt = Verdant.deterministic(DetRuns.QUIET, Determinism.seed(seed))) {
            AtomicBoolean done = new AtomicBoolean();
            Thread outside = Thread.ofPlatform().name("dumper").start(() -> {
                while (dumpFromOutside && !done.get()) {
                    rt.dump(new StringWriter(), STACKS);
                }
            });
            try {
                String r = rt.run(() -> body(rt, dumpInBody));
                return rt.trace() + " " + r;
            } finally {
                done.set(true);
                outside.join();
            }
        }
    }

    @Test
    void aDumpWithStacksFromTheBodyKeepsTheSchedule() throws Exception {
        for (long seed = 0; seed < 3; seed++) {
            assertThat(run(seed, true, false)).as("seed " + seed).isEqualTo(run(seed, false, false));
        }
    }

    @Test
    void aDumpWithStacksFromOutsideTheRuntimeNeitherFailsNorChangesTheSchedule() throws Exception {
        for (long seed = 0; seed < 5; seed++) {
            assertThat(run(seed, false, true)).as("seed " + seed).isEqualTo(run(seed, false, false));
        }
    }
}
