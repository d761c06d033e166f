package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A deterministic run that deadlocks while a green thread waits on an object
 * whose {@code toString()} throws (a user's synchronizer, or a JDK
 * {@code FutureTask} whose task's {@code toString()} throws) is reported as a
 * {@link DeadlockException} naming that object by its class. Before, building
 * the report called the {@code toString()}: the run failed with "internal error
 * in the deterministic scheduler" instead, and no deadlock was reported.
 */
@Timeout(60)
class DetDeadlockUnprintableBlockerTest {
    /** A user's synchronizer that nobody releases. */
    private static final class Gate {
        @Override
        public String toString() {
            throw new IllegalStateException("toString of a user's blocker");
        }
    }

    @Test
    void aDeadlockOnAnUnprintableBlockerIsReportedAsADeadlock() {
        Throwable e;
        try (Verdant rt = Verdant.deterministic(Config.builder().failureHandler((h, t) -> { }).build(),
                Determinism.seed(1))) {
            e = catchThrowable(() -> rt.run(() -> {
                Gate gate = new Gate();
                GreenHandle<Void> waiter = Green.spawner().name("gate-waiter").spawn(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        LockSupport.park(gate); // nobody unparks it; close's cancellation ends it
                    }
                });
                waiter.join();
                return null;
            }));
        }
        assertThat(e).isInstanceOf(DeadlockException.class);
        assertThat(e.getMessage()).contains("gate-waiter").contains(Gate.class.getName());
    }
}
