package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Verdant's instance operations on bad arguments and misuse. */
@Timeout(60)
class VerdantArgumentsTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(1).name("verdant-args").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    /**
     * A green thread calling itself with rt.call used to send itself the request and then wait
     * for its own reply for the whole timeout (forever with a long one), as Green.call refuses.
     */
    @Test
    void aGreenThreadCannotCallItself() {
        GreenHandle<Object> self = rt.spawn(() -> {
            try {
                return rt.call(Green.self(), me -> "request", String.class, Duration.ofDays(1));
            } catch (IllegalStateException refused) {
                return refused;
            }
        });
        assertThat(self.join(Duration.ofSeconds(10))).isInstanceOf(IllegalStateException.class)
                .asString().contains("cannot call itself");
    }

    @Test
    void callChecksItsArgumentsBeforeSpawningAnything() {
        GreenHandle<Object> callee = rt.spawn(() -> Green.receive());
        Pid pid = callee.pid();
        long live = rt.liveThreads();
        assertThatThrownBy(() -> rt.call(null, me -> "r", String.class, Duration.ofSeconds(1)))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("pid");
        assertThatThrownBy(() -> rt.call(pid, null, String.class, Duration.ofSeconds(1)))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("request");
        assertThatThrownBy(() -> rt.call(pid, me -> "r", null, Duration.ofSeconds(1)))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("replyType");
        assertThatThrownBy(() -> rt.call(pid, me -> "r", String.class, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> rt.call(pid, me -> "r", String.class, Duration.ofNanos(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
        assertThat(rt.liveThreads()).isEqualTo(live);
        assertThat(callee.isDone()).as("no request reached the callee").isFalse();
        callee.cancel();
    }
}
