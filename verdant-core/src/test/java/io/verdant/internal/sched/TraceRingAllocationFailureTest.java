package io.verdant.internal.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdant.Config;
import io.verdant.TraceOptions;
import io.verdant.TraceRecording;
import io.verdant.Verdant;
import io.verdant.internal.GreenThread;
import io.verdant.internal.RuntimeCore;
import io.verdant.internal.obs.TraceRing;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A trace whose rings cannot all be allocated (OutOfMemoryError for a large
 * ringEvents, injected at TRACE_RING_ALLOCATING for the second carrier's ring)
 * installs none of them: before, the rings made so far stayed installed with no
 * session counting them (carriers paid for tracing, the memory stayed held), and
 * the next trace shared that partial set, recording nothing from the carriers
 * that had no ring, nor from the ticker or outside the carriers.
 */
@Timeout(60)
class TraceRingAllocationFailureTest {
    @AfterEach
    void unhook() {
        Faults.install(null);
    }

    @Test
    void aStartWhoseRingsCannotAllBeAllocatedLeavesNoneInstalled() {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("trace-ring-oom").build())) {
            RuntimeCore core = rt.run(() -> GreenThread.current().runtime());
            TraceControl control = core.scheduler.traceControl();
            AtomicInteger allocations = new AtomicInteger();
            OutOfMemoryError oom = new OutOfMemoryError("Java heap space: simulated");
            Thread starter = Thread.currentThread();
            Faults.install((w, site) -> {
                // The hook is JVM-wide: only the rings this test thread's start allocates (a trace
                // or flight recorder another thread starts in a runtime of its own would be counted).
                if (site == Faults.Site.TRACE_RING_ALLOCATING && Thread.currentThread() == starter
                        && allocations.incrementAndGet() == 2) {
                    throw oom;
                }
            });
            assertThatThrownBy(() -> rt.startTrace(TraceOptions.defaults().ringEvents(1 << 20))).isSameAs(oom);
            Faults.install(null);
            assertThat(control.rings()).as("rings after a failed start").isNull();

            TraceRecording later = rt.startTrace();
            TraceRing[] rings = control.rings();
            assertThat(rings).isNotNull();
            for (Worker w : core.scheduler.carriers()) {
                assertThat(rings[w.index]).as("ring of %s", w.getName()).isNotNull();
            }
            assertThat(rings[rings.length - 2]).as("the ticker's ring").isNotNull();
            assertThat(rings[rings.length - 1]).as("the outside ring").isNotNull();
            later.stop();
            assertThat(control.rings()).as("rings after the later trace stopped").isNull();
        }
    }
}
