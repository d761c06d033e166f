package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A late {@code reply(null)} (a {@code ReplyTo<Void>} acknowledgement after its
 * call ended) returns false and is no dead letter: there is no message to count
 * or hand to the dead-letter handler, whose messages are never null. A late
 * reply with a value is one (ReplyTo's and docs/actors-toolkit.md's contract).
 */
@Timeout(60)
class LateNullReplyTest {
    @Test
    void aLateNullReplyReturnsFalseAndIsNoDeadLetterALateValueIsOne() throws Exception {
        ConcurrentLinkedQueue<Object> deadLetters = new ConcurrentLinkedQueue<>();
        try (Verdant rt = Verdant.start(Config.builder().workers(1).name("late-null-reply")
                .deadLetterHandler((pid, msg) -> deadLetters.add(msg)).build())) {
            AtomicReference<ReplyTo<Object>> kept = new AtomicReference<>();
            CountDownLatch got = new CountDownLatch(1);
            GreenHandle<Void> callee = rt.spawn(() -> {
                @SuppressWarnings("unchecked")
                ReplyTo<Object> r = (ReplyTo<Object>) Green.receive();
                kept.set(r);
                got.countDown();
                Green.receive(); // until cancelled
            });
            assertThatThrownBy(() -> rt.run(() -> Green.call(callee.pid(), (ReplyTo<Object> r) -> r, Duration.ofMillis(50))))
                    .isInstanceOf(GreenFailedException.class).hasCauseInstanceOf(TimedOutException.class);
            assertThat(got.await(20, TimeUnit.SECONDS)).isTrue();
            long before = rt.deadLetterCount();

            assertThat(kept.get().reply(null)).isFalse();
            assertThat(rt.deadLetterCount()).isEqualTo(before);
            assertThat(deadLetters).isEmpty();

            assertThat(kept.get().reply("late")).isFalse();
            assertThat(rt.deadLetterCount()).isEqualTo(before + 1);
            assertThat(deadLetters).containsExactly("late");
            callee.cancel();
        }
    }
}
