package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenHandle;
import io.verdant.GreenState;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * A copy of a green thread still queued after the thread ended (the JDK submits a
 * runnable virtual thread once more after Thread.getStackTrace() suspended it;
 * Sysmon's stall report and dumps take stacks) may be dispatched after the carrier
 * let go of the thread's continuation (GreenThread, "A finished thread's virtual
 * thread"): that dispatch does nothing, as the JDK's own continuation does when run
 * for a thread that is not runnable. It used to run the throwing stand-in, which the
 * carrier logged as an internal error (issue 11's stall reproducer: about 11 in 300
 * rounds of a 5 ms busy thread with a 2 ms stall threshold).
 */
@Timeout(60)
class EndedDispatchTest {

    @Test
    void aLateCopyOfAnEndedThreadIsDispatchedAsNothing() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("ended-copy").build())) {
            GreenThread<?> g = rt.run(() -> {
                GreenHandle<Void> c = Green.spawn(() -> { });
                c.join();
                return (GreenThread<?>) c;
            });
            // The carrier drops the virtual thread after the thread's last dispatch, which
            // may end after join() returned: wait for it (bounded).
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (g.thread().isVirtual()) {
                assertThat(System.nanoTime()).as("the ended thread's continuation is dropped").isLessThan(deadline);
                Thread.sleep(1);
            }
            // The late copy, as a carrier takes it: skipped (Task.takeCopy), never dispatched;
            // and dispatched anyway (a copy taken just before the drop) it does nothing.
            assertThat(g.takeCopy(null)).isFalse();
            assertThatCode(() -> g.dispatch(null)).doesNotThrowAnyException();
            assertThat(g.state()).isEqualTo(GreenState.SUCCEEDED);
            assertThat(g.thread().getState()).isEqualTo(Thread.State.TERMINATED);
        }
    }
}
