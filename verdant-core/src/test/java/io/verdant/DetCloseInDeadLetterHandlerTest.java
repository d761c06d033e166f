package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * close() called in a deterministic runtime's dead-letter handler for a timer's
 * send: the timer fires on the runtime's carrier, and the handler runs on a green
 * thread spawned there (DetDeadLetterHandlerBlocksTest), where close is refused
 * with IllegalStateException as in any of the runtime's green threads, never
 * blaming "a virtual thread started inside one of its green threads".
 */
@Timeout(60)
class DetCloseInDeadLetterHandlerTest {

    @Test
    void closeInTheHandlerOfATimersDeadLetterIsRefusedAsInAGreenThread() {
        AtomicReference<Verdant> runtime = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Config config = Config.builder().failureHandler((h, t) -> { }).deadLetterHandler((pid, msg) -> {
            if ("late".equals(msg)) {
                try {
                    runtime.get().close();
                } catch (Throwable t) {
                    failure.set(t);
                }
            }
        }).build();
        try (Verdant rt = Verdant.deterministic(config, Determinism.seed(1))) {
            runtime.set(rt);
            rt.run(() -> {
                GreenHandle<Void> gone = Green.spawn(() -> { });
                gone.join();
                Green.sendAfter(gone.pid(), "late", Duration.ofMillis(1));
                Green.sleep(Duration.ofMillis(10));
                return null;
            });
            assertThat(rt.isClosed()).isFalse();
        }
        assertThat(failure.get()).isInstanceOf(IllegalStateException.class);
        assertThat(failure.get().getMessage()).doesNotContain("a virtual thread started inside")
                .contains("cannot be closed from its own green thread");
    }
}
