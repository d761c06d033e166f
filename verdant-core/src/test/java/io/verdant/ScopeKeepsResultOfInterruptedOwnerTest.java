package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A {@code Green.scope} whose owner is interrupted or cancelled as its body's
 * last receive succeeds (the value is handed over, then the interrupt comes):
 * no child was cut short, so the scope returns the body's result, the value
 * taken from the channel, with the interrupt or cancellation left set. Before,
 * it threw CancelledException and the value was lost. A scope whose children
 * the interrupt did cut short still throws CancelledException.
 */
@Timeout(30)
class ScopeKeepsResultOfInterruptedOwnerTest {
    private static Verdant oneWorker(String name) {
        return Verdant.start(Config.builder().workers(1).name(name).build());
    }

    @Test
    void aValueTakenAsTheOwnerIsInterruptedIsReturned() {
        try (Verdant rt = oneWorker("scope-int")) {
            AtomicBoolean stillInterrupted = new AtomicBoolean();
            int got = rt.run(() -> {
                Channel<Integer> ch = Channel.rendezvous();
                Thread owner = Thread.currentThread();
                // Runs once the owner parks in receive: hands it the value, then interrupts it.
                Green.spawn(() -> {
                    ch.send(42);
                    owner.interrupt();
                });
                try {
                    return Green.scope(scope -> ch.receive());
                } finally {
                    stillInterrupted.set(Thread.interrupted());
                }
            });
            assertThat(got).isEqualTo(42);
            assertThat(stillInterrupted).as("the interrupt status stays set").isTrue();
        }
    }

    @Test
    void aValueTakenAsTheOwnerIsCancelledIsReturned() {
        try (Verdant rt = oneWorker("scope-cancel")) {
            AtomicReference<GreenHandle<Integer>> owner = new AtomicReference<>();
            Channel<Integer> ch = Channel.rendezvous();
            GreenHandle<Integer> h = rt.spawn(() -> {
                Green.spawn(() -> {
                    ch.send(42);
                    owner.get().cancel();
                });
                return Green.scope(scope -> ch.receive());
            });
            owner.set(h);
            assertThat(h.join()).isEqualTo(42);
        }
    }

    @Test
    void anInterruptThatCutsChildrenShortStillThrows() {
        try (Verdant rt = oneWorker("scope-int-children")) {
            AtomicReference<GreenHandle<?>> child = new AtomicReference<>();
            rt.run(() -> {
                Thread owner = Thread.currentThread();
                assertThatThrownBy(() -> Green.scope(scope -> {
                    child.set(scope.spawn(() -> Green.receive())); // waits until cancelled
                    Green.spawn(owner::interrupt); // runs once the owner waits for the child
                    return 1;
                })).isInstanceOf(CancelledException.class);
                assertThat(Thread.interrupted()).isTrue();
                return null;
            });
            assertThat(child.get().isDone()).isTrue();
        }
    }
}
