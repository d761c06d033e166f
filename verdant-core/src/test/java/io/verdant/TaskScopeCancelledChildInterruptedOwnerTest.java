package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code TaskScope.join} by an owner interrupted while the only child still
 * running is one it had cancelled through the child's handle: the interrupt cut
 * no child short (the handle's cancel did, and such a child is left out of the
 * results), so join returns the policy's result, the interrupt left set. Before,
 * the child's end after the owner's stop counted as cut short by the interrupt:
 * CancelledException, and the results were lost. One carrier and no preemption,
 * so the cancelled child runs its end only once the owner waits in join.
 */
@Timeout(30)
class TaskScopeCancelledChildInterruptedOwnerTest {
    @Test
    void anInterruptWhileAHandleCancelledChildEndsKeepsTheResult() {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).timeslice(Duration.ZERO)
                .name("taskscope-handle-cancel-int").build())) {
            AtomicBoolean stillInterrupted = new AtomicBoolean();
            AtomicBoolean loserCancelled = new AtomicBoolean();
            Object r = rt.run(() -> {
                try (TaskScope<Integer, List<Integer>> scope = TaskScope.open()) {
                    CountDownLatch loserWaits = new CountDownLatch(1);
                    GreenHandle<Integer> a = scope.fork(() -> 1);
                    GreenHandle<Integer> loser = scope.fork(() -> {
                        loserWaits.countDown();
                        try {
                            return (Integer) Green.receive(); // waits until cancelled
                        } catch (CancelledException e) {
                            loserCancelled.set(true);
                            throw e;
                        }
                    });
                    a.join();
                    loserWaits.await();
                    loser.cancel();
                    Thread.currentThread().interrupt();
                    try {
                        return scope.join();
                    } catch (CancelledException e) {
                        return e;
                    } finally {
                        stillInterrupted.set(Thread.interrupted());
                    }
                }
            });
            assertThat(r).isEqualTo(List.of(1));
            assertThat(loserCancelled).as("the loser ended by its handle's cancel").isTrue();
            assertThat(stillInterrupted).as("the interrupt status stays set").isTrue();
        }
    }
}
