package io.verdant.internal.det;

import io.verdant.Config;
import io.verdant.Determinism;
import io.verdant.DumpOptions;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.ScheduleTrace;
import io.verdant.Verdant;
import io.verdant.internal.GreenThread;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stack walk of a runnable, unmounted green thread in a deterministic runtime
 * (Thread.getStackTrace, a dump with stacks) makes the JDK submit the thread
 * once more (VirtualThread.tryGetStackTrace: "resubmit as task may have run
 * while suspended") while its first copy is still in the runnable set. The
 * walker is a green thread of the runtime, so the submission is internal and
 * was appended: the set held the thread twice (a second, no-op step, and twice
 * the weight in every later pick). Asserted: the set never holds a task twice,
 * checked right after each walk; each seed's run replays identically.
 */
@Timeout(60)
class StackWalkDuplicateTest {
    private static final Config QUIET = Config.builder().failureHandler((h, t) -> { }).build();

    /** Green only (the root): walks runnable siblings' stacks; returns how many walks found one runnable. */
    private static int walkRunnableSiblings(Verdant rt, boolean dump) {
        DetScheduler det = GreenThread.current().runtime().det;
        int threads = 3;
        int yields = 20;
        Thread[] vts = new Thread[threads];
        List<GreenHandle<Void>> hs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int k = t;
            hs.add(Green.spawn(() -> {
                vts[k] = Thread.currentThread();
                for (int i = 0; i < yields; i++) {
                    Thread.yield();
                }
            }));
        }
        int walked = 0;
        while (!hs.stream().allMatch(GreenHandle::isDone)) {
            for (Thread vt : vts) {
                // Runnable and not mounted (this thread holds the only carrier): queued.
                if (vt != null && vt.getState() == Thread.State.RUNNABLE) {
                    if (dump) {
                        rt.dump(new StringBuilder(), DumpOptions.text().stacks(true));
                    } else {
                        vt.getStackTrace();
                    }
                    walked++;
                    assertThat(det.runnableCopies()).as("a task twice in the runnable set").isEmpty();
                }
            }
            Thread.yield();
        }
        Green.joinAll(hs);
        return walked;
    }

    private static void run(boolean dump) {
        AtomicInteger walks = new AtomicInteger();
        for (long seed = 0; seed < 20; seed++) {
            List<ScheduleTrace> traces = new ArrayList<>();
            for (int rep = 0; rep < 2; rep++) {
                try (Verdant rt = Verdant.deterministic(QUIET, Determinism.seed(seed))) {
                    walks.addAndGet(rt.run(() -> walkRunnableSiblings(rt, dump)));
                    traces.add(rt.trace());
                }
            }
            assertThat(traces.get(1)).as("replay of seed " + seed).isEqualTo(traces.get(0));
        }
        assertThat(walks.get()).as("walks of a runnable thread").isGreaterThan(0);
    }

    @Test
    void getStackTraceOfARunnableThreadDoesNotQueueItTwice() {
        run(false);
    }

    @Test
    void aDumpWithStacksDoesNotQueueARunnableThreadTwice() {
        run(true);
    }
}
