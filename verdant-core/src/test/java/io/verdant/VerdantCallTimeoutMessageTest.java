package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code rt.call} that gets no reply in time: the TimedOutException names the
 * call, the callee and the caller's timeout. Before, it read "Green.receive(filter):
 * no matching message within PT0.049943215S": an inner call and the rest of the
 * deadline it was given.
 */
@Timeout(30)
class VerdantCallTimeoutMessageTest {

    @Test
    void aCallWithNoReplyNamesTheCallTheCalleeAndItsTimeout() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("call-timeout-message").build())) {
            GreenHandle<Void> silent = rt.spawn(() -> {
                Green.receive(String.class); // takes the request, never replies
                Green.receive(Void.class);
            });
            assertThatThrownBy(() -> rt.call(silent.pid(), self -> "ping", Integer.class, Duration.ofMillis(50)))
                    .isInstanceOf(TimedOutException.class)
                    .hasMessage("Verdant.call: no reply from " + silent.pid() + " within PT0.05S");
            silent.cancel();
        }
    }
}
