package io.verdant;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An onComplete callback may block (docs/ecosystem.md: Verdant's blocking
 * operations work in callbacks). One that parks after its thread has ended
 * finishes before close returns: close waits for it as for a live thread.
 * Before, the thread's end took it out of the live count before its
 * callbacks ran, so close saw nothing left, stopped the carriers and the
 * ticker, and the parked callback was never resumed.
 */
@Timeout(30)
class CallbackFinishesBeforeCloseTest {
    @RepeatedTest(3)
    void aCallbackThatParksAfterItsThreadEndedFinishesBeforeCloseReturns() {
        AtomicBoolean done = new AtomicBoolean();
        Verdant rt = Verdant.start(Config.builder().workers(1).name("callback-close").build());
        try {
            Channel<Integer> go = Channel.rendezvous();
            GreenHandle<Void> h = rt.spawn(() -> {
                go.receive();
            });
            h.onComplete((v, e) -> {
                Green.sleep(Duration.ofMillis(20));
                done.set(true);
            });
            go.send(1);
            h.join(); // returns once the thread ended, before its callback runs
        } finally {
            rt.close();
        }
        assertThat(done).as("the callback finished before close returned").isTrue();
    }

    @RepeatedTest(3)
    void aDependentStageThatParksOnTheEndedThreadFinishesBeforeCloseReturns() {
        AtomicBoolean done = new AtomicBoolean();
        Verdant rt = Verdant.start(Config.builder().workers(2).name("callback-close").build());
        try {
            Channel<Integer> go = Channel.rendezvous();
            GreenHandle<Integer> h = rt.spawn(() -> go.receive());
            // Completed by an onComplete callback on the ended thread, which runs this stage.
            h.toCompletableFuture().thenAccept(v -> {
                Green.sleep(Duration.ofMillis(20));
                done.set(v == 42);
            });
            go.send(42);
            assertThat(h.join()).isEqualTo(42);
        } finally {
            rt.close();
        }
        assertThat(done).as("the dependent stage finished before close returned").isTrue();
    }
}
