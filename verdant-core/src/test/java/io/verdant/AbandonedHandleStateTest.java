package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A thread its runtime's close abandoned is {@link GreenState#FAILED}, yet its
 * join throws {@link CancelledException} itself, not a
 * {@link GreenFailedException}, as GreenState, GreenHandle.join and state say.
 */
@Timeout(60)
class AbandonedHandleStateTest {
    @Test
    void anAbandonedThreadIsFailedAndItsJoinThrowsCancelledException() throws Exception {
        GreenHandle<Object> abandoned = AbandonedWaiters.abandonedReceiver("abandoned-state");
        assertThat(abandoned.state()).isEqualTo(GreenState.FAILED);
        assertThat(abandoned.state().isTerminal()).isTrue();
        assertThatThrownBy(abandoned::join).isExactlyInstanceOf(CancelledException.class);
        assertThatThrownBy(() -> abandoned.join(Duration.ofSeconds(1))).isExactlyInstanceOf(CancelledException.class);
        assertThat(abandoned.exceptionNow()).isExactlyInstanceOf(CancelledException.class);
    }
}
