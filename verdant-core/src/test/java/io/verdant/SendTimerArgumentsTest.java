package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** SendTimer's contract once its runtime has closed. */
@Timeout(60)
class SendTimerArgumentsTest {

    /**
     * A pending timer of a closed runtime can never send (its wheel is gone, its addressee
     * ended), but isActive() went on saying it might, forever, and cancel() said it had
     * stopped an active timer.
     */
    @Test
    void aTimerOfAClosedRuntimeIsNoLongerActive() {
        SendTimer once;
        SendTimer every;
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("timer-close").build())) {
            GreenHandle<Object> receiver = rt.spawn(() -> Green.receive());
            once = Green.sendAfter(receiver.pid(), "later", Duration.ofDays(1));
            every = Green.sendEvery(receiver.pid(), "tick", Duration.ofDays(1), Duration.ofDays(1));
            assertThat(once.isActive()).isTrue();
            assertThat(every.isActive()).isTrue();
        }
        assertThat(once.isActive()).isFalse();
        assertThat(every.isActive()).isFalse();
        assertThat(once.cancel()).as("nothing active left to stop").isFalse();
        assertThat(every.cancel()).isFalse();
    }
}
