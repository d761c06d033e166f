package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A green thread whose body has ended but whose onComplete callback blocks on a
 * monitor held by another green thread (which parked inside it): the carrier
 * classifies it as it does a running thread left BLOCKED. Before, it took the
 * thread for gone: the same seed ended either in a false DeadlockException
 * (the callback's thread counted neither as waiting nor in transit) or in a
 * refusal of the JDK unblocker's wake-up, depending on real-time timing.
 */
@Timeout(120)
class DetEndedBlockedTest {
    private static final int RUNS = 20;

    /** The root holds {@code monitor} while the child ends; the child's callback contends it. */
    private static String callbackContendsAMonitor() {
        Object monitor = new Object();
        Channel<Integer> go = Channel.unbounded();
        Channel<Integer> after = Channel.unbounded();
        GreenHandle<Void> child = Green.spawn(() -> {
            go.receive();
        });
        child.onComplete((v, t) -> {
            synchronized (monitor) {
                after.send(1);
            }
        });
        synchronized (monitor) {
            go.send(1);
            child.join(); // the child ends; its callback blocks on the monitor; the join returns
        }
        return "callback ran " + after.receive();
    }

    @Test
    void strictRefusesTheBlockedCallbackTheSameWayEveryRun() {
        for (int i = 0; i < RUNS; i++) {
            Throwable t;
            try (Verdant rt = Verdant.deterministic(DetRuns.QUIET, Determinism.seed(7))) {
                t = catchThrowable(() -> rt.run(DetEndedBlockedTest::callbackContendsAMonitor));
            }
            assertThat(t).as("run %d", i).isExactlyInstanceOf(ScheduleFailedException.class)
                    .hasMessageContaining("blocked entering a synchronized block")
                    .hasMessageContaining("after its body ended")
                    .hasMessageContaining("Mutex or ReentrantLock");
        }
    }

    @Test
    void lenientWaitsForTheBlockedCallbackInsteadOfReportingADeadlock() {
        for (int i = 0; i < RUNS; i++) {
            try (Verdant rt = Verdant.deterministic(DetRuns.QUIET, Determinism.seed(7).lenient())) {
                assertThat(rt.run(DetEndedBlockedTest::callbackContendsAMonitor)).as("run %d", i)
                        .isEqualTo("callback ran 1");
                assertThat(rt.trace().replayable()).isFalse();
            }
        }
    }
}
