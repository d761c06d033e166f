package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A request function that throws reaches the caller of {@code rt.call} as it
 * reaches the caller of {@code Green.call}: unwrapped, an Error included.
 * Before, {@code rt.call} (whose request runs on its temporary thread) threw
 * an Error wrapped in GreenFailedException.
 */
@Timeout(30)
class VerdantCallRequestErrorTest {

    @Test
    void anErrorOfTheRequestFunctionIsThrownUnwrappedByBothCalls() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("rt-call-request-error").build())) {
            GreenHandle<Void> callee = rt.spawn(() -> {
                Green.receive();
                return null;
            });
            AssertionError boom = new AssertionError("request failed");
            assertThatThrownBy(() -> Green.call(callee.pid(), (ReplyTo<Integer> r) -> {
                throw boom;
            }, Duration.ofSeconds(5))).isSameAs(boom);
            assertThatThrownBy(() -> rt.call(callee.pid(), p -> {
                throw boom;
            }, Integer.class, Duration.ofSeconds(5))).isSameAs(boom);
            IllegalArgumentException bad = new IllegalArgumentException("bad request");
            assertThatThrownBy(() -> rt.call(callee.pid(), p -> {
                throw bad;
            }, Integer.class, Duration.ofSeconds(5))).isSameAs(bad);
            callee.cancel();
        }
    }
}
