package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code rt.call} with a reply type a {@link Signal.Down} matches (Object,
 * Signal, Signal.Down): a reply that is a Down is the callee's answer, not its
 * death; only the call's own monitor tells that the callee ended.
 */
@Timeout(60)
class VerdantCallDownReplyTest {
    record Req(Pid replyTo) {
    }

    /** Answers each request with a Down about {@code about} (itself if null) and stays alive. */
    private static Object downReplier(Pid about) {
        for (;;) {
            if (Green.receive() instanceof Req(Pid replyTo)) {
                Green.send(replyTo, new Signal.Down(about == null ? Green.self() : about, "reply", null));
            }
        }
    }

    @Test
    void aDownAboutAnotherThreadIsAReply() {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("call-down-other").build())) {
            GreenHandle<Object> other = rt.spawn(() -> Green.receive());
            GreenHandle<Object> callee = rt.spawn(() -> downReplier(other.pid()));
            Signal.Down reply = rt.call(callee.pid(), Req::new, Signal.Down.class, Duration.ofSeconds(20));
            assertThat(reply).isEqualTo(new Signal.Down(other.pid(), "reply", null));
            assertThat(callee.isDone()).isFalse();
        }
    }

    @Test
    void aDownAboutTheCalleeItselfIsAReplyWhileItLives() {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("call-down-self").build())) {
            GreenHandle<Object> callee = rt.spawn(() -> downReplier(null));
            Object reply = rt.call(callee.pid(), Req::new, Object.class, Duration.ofSeconds(20));
            assertThat(reply).isEqualTo(new Signal.Down(callee.pid(), "reply", null));
            assertThat(callee.isDone()).isFalse();
        }
    }

    @Test
    void aCalleeThatEndsWithoutReplyingStillFailsTheCall() {
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("call-down-dies").build())) {
            GreenHandle<Object> callee = rt.spawn(() -> Green.receive()); // takes the request and returns
            assertThatThrownBy(() -> rt.call(callee.pid(), Req::new, Object.class, Duration.ofSeconds(20)))
                    .isInstanceOf(NoSuchGreenThreadException.class);
            GreenHandle<Object> dead = rt.spawn(() -> null);
            dead.join();
            assertThatThrownBy(() -> rt.call(dead.pid(), Req::new, Signal.class, Duration.ofSeconds(20)))
                    .isInstanceOf(NoSuchGreenThreadException.class);
        }
    }
}
