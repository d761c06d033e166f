package io.verdant;

import static org.assertj.core.api.Assertions.assertThat;

import io.verdant.TraceCostTest.Slice;
import io.verdant.internal.sched.SchedulerTestAccess;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A trace started while a carrier is between reading its trace ring (at the
 * top of its turn) and taking its next task. A thread taken in that turn ran
 * its first slice untraced, so a one-slice thread spawned after startTrace()
 * returned was missing from the trace (seen once in TraceStopTest under load).
 * A fault hook holds the carrier at one of the two places while the trace
 * starts: inside its search (a spin that may last microseconds), and on
 * entering next(), where it takes a task from its own or the injection queues.
 * The slice must also say truly where its task was found, though the turn
 * began untraced.
 */
@Timeout(60)
class TraceStartRaceTest {

    @AfterEach
    void unhook() {
        SchedulerTestAccess.atSites(null);
    }

    @Test
    void aThreadSpawnedAfterTheStartAndFoundByASearchBegunBeforeItIsTraced() throws Exception {
        List<Slice> mine = race("SEARCH", false);
        assertThat(mine).extracting(Slice::ended).containsExactly("exit");
        assertThat(mine).extracting(Slice::found).containsExactly("injected");
    }

    @Test
    void aThreadSpawnedAfterTheStartAndTakenByATurnBegunBeforeItIsTraced() throws Exception {
        List<Slice> mine = race("NEXT", false);
        assertThat(mine).extracting(Slice::ended).containsExactly("exit");
        assertThat(mine).extracting(Slice::found).containsExactly("injected");
    }

    @Test
    void aThreadTakenFromItsCarriersOwnQueueByATurnBegunBeforeTheStartIsTracedAsFoundThere() throws Exception {
        // The turn before took its task from the injection queues: a "found" left from
        // that untraced turn must not label this slice.
        List<Slice> mine = race("NEXT", true);
        assertThat(mine).extracting(Slice::ended).containsExactly("exit");
        assertThat(mine).extracting(Slice::found).containsExactly("local");
    }

    /**
     * Holds the runtime's one carrier at {@code site} in the turn after an arming
     * thread (spawned from outside, so taken from the injection queues), starts a
     * trace meanwhile, and returns the trace's slices of the measured thread: one
     * spawned from outside after the start, or ({@code ownQueue}) one the arming
     * thread spawned into its carrier's own queue before it.
     */
    private static List<Slice> race(String site, boolean ownQueue) throws Exception {
        // No preemption: the arming thread must not give up its carrier between its two
        // statements (the measured thread would then run before the trace starts).
        try (Verdant rt = Verdant.start(Config.builder().workers(1).maxSpareCarriers(0).timeslice(Duration.ZERO)
                .name("trace-start-race").build())) {
            AtomicBoolean armed = new AtomicBoolean();
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            SchedulerTestAccess.atSites((w, at) -> {
                // Faults are JVM-global: another runtime's carrier must not take the arming.
                if (at.equals(site) && Thread.currentThread().getName().startsWith("trace-start-race-carrier-")
                        && armed.compareAndSet(true, false)) {
                    held.countDown();
                    try {
                        release.await(); // the carrier, its turn begun with no trace
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            AtomicReference<GreenHandle<Integer>> measured = new AtomicReference<>();
            TraceRecording trace;
            try {
                rt.spawn(() -> {
                    if (ownQueue) {
                        measured.set(Green.spawn(() -> 42));
                    }
                    armed.set(true);
                }).join(Duration.ofSeconds(20));
                assertThat(held.await(20, TimeUnit.SECONDS)).as("the carrier reached " + site).isTrue();
                trace = rt.startTrace();
                if (!ownQueue) {
                    measured.set(rt.spawn(() -> 42));
                }
            } finally {
                release.countDown();
            }
            GreenHandle<Integer> h = measured.get();
            assertThat(h.join(Duration.ofSeconds(20))).isEqualTo(42);
            trace.stop();
            return TraceCostTest.slices(trace).stream().filter(s -> s.pid().equals(h.pid().toString())).toList();
        }
    }
}
