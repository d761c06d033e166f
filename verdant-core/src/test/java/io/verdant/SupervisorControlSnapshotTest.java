package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a dynamic-supervision call did is in the supervisor's snapshot
 * ({@link Supervisor#children()}, {@link Supervisor#child(String)}) once the call
 * returns: startChild's and restartChild's pid is the child's, and a child
 * terminateChild stopped is no longer listed. The supervisor used to answer the
 * call first and publish its children after, so a caller that looked at once
 * could find no child of the name it had just started (or the pid of the child
 * it had just stopped).
 */
@Timeout(120)
class SupervisorControlSnapshotTest {
    /** Rounds of start, terminate, restart, terminate, delete; each compares every answer with the snapshot. */
    private static final int ROUNDS = 3_000;

    private static Object worker() {
        for (;;) {
            Green.receive();
        }
    }

    @Test
    void aControlCallsEffectIsInTheSnapshotWhenItReturns() {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("sup-snapshot").build())) {
            Supervisor sup = Supervisor.builder().name("dyn").start(rt);
            Supervisor.ChildSpec spec = Supervisor.ChildSpec.of("w", SupervisorControlSnapshotTest::worker);
            for (int i = 0; i < ROUNDS; i++) {
                Pid started = sup.startChild(spec);
                assertThat(sup.child("w")).as("round %d: child after startChild returned %s", i, started)
                        .isEqualTo(Optional.of(started));
                sup.terminateChild("w");
                assertThat(sup.children()).as("round %d: children after terminateChild", i).isEmpty();
                Pid restarted = sup.restartChild("w");
                assertThat(sup.child("w")).as("round %d: child after restartChild returned %s", i, restarted)
                        .isEqualTo(Optional.of(restarted));
                sup.terminateChild("w");
                assertThat(sup.child("w")).as("round %d: child after the second terminateChild", i).isEmpty();
                sup.deleteChild("w");
            }
            sup.shutdown();
        }
    }
}
