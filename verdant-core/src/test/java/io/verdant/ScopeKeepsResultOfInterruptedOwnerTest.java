package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
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
        // One carrier, no preemption: the helper runs only once the owner parks in its
        // receive. With time slices, an owner preempted before its receive (a carrier
        // descheduled by a loaded machine for a slice) let the helper run first: its send
        // waited for the receive, and its interrupt came after the scope had returned.
        return Verdant.start(Config.builder().workers(1).timeslice(Duration.ZERO).name(name).build());
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
            AtomicBoolean stillCancelled = new AtomicBoolean();
            Channel<Integer> ch = Channel.rendezvous();
            GreenHandle<Integer> h = rt.spawn(() -> {
                // Its own handle, taken here: the test thread's rt.spawn may return after the
                // helper has run (it then found no handle to cancel, and nothing was cancelled).
                GreenHandle<?> owner = rt.handle(Green.self()).orElseThrow();
                Green.spawn(() -> {
                    ch.send(42);
                    owner.cancel();
                });
                try {
                    return Green.scope(scope -> ch.receive());
                } finally {
                    stillCancelled.set(Green.cancelled());
                }
            });
            assertThat(h.join()).isEqualTo(42);
            assertThat(stillCancelled).as("the cancellation stays set").isTrue();
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
