package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code Green.scope} whose body takes a value, cancels the child it no longer
 * needs (its scope's {@code cancel()}, or the child's handle) and returns the value,
 * while an interrupt reaches the owner as its receive succeeds: the interrupt cut no
 * child short (the body's own cancel did), so the scope returns the body's result,
 * the interrupt left set, as it does with no child at all and as TaskScope.join does
 * for a scope something else stopped. Before, the child ended by the body's cancel
 * counted as cut short by the interrupt: CancelledException, and the value was lost.
 */
@Timeout(30)
class ScopeCancelledChildInterruptedOwnerTest {
    private static Verdant oneWorker(String name) {
        // One carrier, no preemption: the helper's send and interrupt come before the owner runs on.
        return Verdant.start(Config.builder().workers(1).timeslice(Duration.ZERO).name(name).build());
    }

    @Test
    void aValueTakenBeforeTheBodyCancelsTheScopeIsReturned() {
        assertKeepsValue("scope-cancel-int", true);
    }

    @Test
    void aValueTakenBeforeTheBodyCancelsTheChildIsReturned() {
        assertKeepsValue("child-cancel-int", false);
    }

    private static void assertKeepsValue(String name, boolean wholeScope) {
        try (Verdant rt = oneWorker(name)) {
            AtomicBoolean stillInterrupted = new AtomicBoolean();
            AtomicBoolean childCancelled = new AtomicBoolean();
            int got = rt.run(() -> {
                Channel<Integer> ch = Channel.rendezvous();
                CountDownLatch childWaits = new CountDownLatch(1);
                Thread owner = Thread.currentThread();
                // Once the child runs: hands the owner the value, then interrupts it.
                Green.spawn(() -> {
                    childWaits.await();
                    ch.send(42);
                    owner.interrupt();
                    return null;
                });
                try {
                    return Green.scope(scope -> {
                        GreenHandle<Object> loser = scope.spawn(() -> {
                            childWaits.countDown();
                            try {
                                return Green.receive(); // waits until cancelled
                            } catch (CancelledException e) {
                                childCancelled.set(true);
                                throw e;
                            }
                        });
                        int v = ch.receive();
                        if (wholeScope) {
                            scope.cancel();
                        } else {
                            loser.cancel();
                        }
                        return v;
                    });
                } finally {
                    stillInterrupted.set(Thread.interrupted());
                }
            });
            assertThat(got).isEqualTo(42);
            assertThat(childCancelled).as("the child ended by the body's cancel").isTrue();
            assertThat(stillInterrupted).as("the interrupt status stays set").isTrue();
        }
    }
}
