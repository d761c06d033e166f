package io.verdant.internal.obs;

import io.verdant.Config;
import io.verdant.TraceOptions;
import io.verdant.Verdant;
import io.verdant.internal.GreenThread;
import io.verdant.internal.RuntimeCore;
import io.verdant.internal.sched.TraceControl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A trace whose collector thread cannot start (OutOfMemoryError "unable to create
 * native thread", simulated by the starter seam) ends its session before it throws:
 * the rings it installed are removed, and a later trace installs and removes its own.
 */
@Timeout(60)
class TraceStartFailureTest {
    @Test
    void aCollectorThatCannotStartLeavesNoRingsInstalled() {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("trace-start-failure").build())) {
            RuntimeCore core = rt.run(() -> GreenThread.current().runtime());
            TraceControl control = core.scheduler.traceControl();
            assertThat(control.rings()).isNull();

            OutOfMemoryError oom = new OutOfMemoryError("unable to create native thread: simulated");
            assertThatThrownBy(() -> TraceSession.start(core, TraceOptions.defaults(), TraceSession.COLLECT_NANOS,
                    t -> {
                        throw oom;
                    })).isSameAs(oom);
            assertThat(control.rings()).as("rings after a failed start").isNull();

            // A later trace begins and ends its own session: the count is balanced.
            TraceSession later = TraceSession.start(core);
            assertThat(control.rings()).isNotNull();
            later.stop();
            assertThat(control.rings()).as("rings after the later trace stopped").isNull();
        }
    }
}
