package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Green.blocking called by a cancelled green thread: as its javadoc says, it
 * throws CancelledException and the work does not run, in a deterministic
 * runtime (where the work runs inline on the carrier) as in a normal one.
 * Before, the deterministic path ran the work of a cancelled caller anyway: the
 * same program behaved differently under test than in production.
 */
@Timeout(60)
class DetBlockingCancelledTest {
    /** Green only: a child cancels itself, then calls Green.blocking; says what happened. */
    private static String cancelledCallerCallsBlocking() {
        GreenHandle<String> child = Green.spawn(() -> {
            boolean[] ran = new boolean[1];
            Green.cancelToken().cancel();
            Thread.interrupted(); // a cancelled caller whose interrupt was spent (caught elsewhere)
            try {
                Green.blocking(() -> {
                    ran[0] = true;
                    return 1;
                });
                return "returned, ran=" + ran[0];
            } catch (CancelledException e) {
                return "cancelled, ran=" + ran[0];
            }
        });
        return child.join();
    }

    @Test
    void aCancelledCallerIsRefusedInANormalRuntime() {
        assertThat(Verdant.run(DetRuns.QUIET, DetBlockingCancelledTest::cancelledCallerCallsBlocking))
                .isEqualTo("cancelled, ran=false");
    }

    @Test
    void aCancelledCallerIsRefusedTheSameWayInADeterministicRuntime() {
        List<ScheduleTrace> traces = new ArrayList<>();
        for (long seed = 0; seed < 5; seed++) {
            assertThat(DetRuns.runDet(Determinism.seed(seed), DetBlockingCancelledTest::cancelledCallerCallsBlocking,
                    traces)).as("seed %d", seed).isEqualTo("cancelled, ran=false");
        }
    }
}
