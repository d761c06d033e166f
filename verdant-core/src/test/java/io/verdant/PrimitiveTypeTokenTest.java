package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A primitive class as a type token: {@code int.class} is a {@code Class<Integer>}, so
 * {@code int n = Green.receive(int.class)} and {@code rt.call(pid, f, int.class, t)} compile.
 * Messages are objects, never instances of int.class: such a receive never matched (it waited
 * out its timeout, or forever), a call timed out although the reply had come, and
 * Ref.of(pid, int.class).send(5) threw ClassCastException. A primitive class now stands for
 * its wrapper.
 */
@Timeout(60)
class PrimitiveTypeTokenTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(1).name("primitive-token").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    record Ask(Pid replyTo, int n) {
    }

    @Test
    void selectiveReceiveOfAPrimitiveClassTakesItsWrapper() {
        Object[] seen = rt.run(() -> {
            Green.send(Green.self(), "skip me");
            Green.send(Green.self(), 7);
            Green.send(Green.self(), 8L);
            Green.send(Green.self(), 9);
            int a = Green.receive(int.class, WAIT);
            Optional<Long> b = Green.tryReceive(long.class);
            int c = Green.receive(int.class);
            return new Object[] {a, b, c, Green.receive()};
        });
        assertThat(seen).containsExactly(7, Optional.of(8L), 9, "skip me");
    }

    @Test
    void callWithAPrimitiveReplyTypeReturnsTheReply() {
        GreenHandle<Void> doubler = rt.spawn(() -> {
            Ask a = Green.receive(Ask.class);
            Green.send(a.replyTo(), a.n() * 2);
        });
        int r = rt.call(doubler.pid(), me -> new Ask(me, 21), int.class, WAIT);
        assertThat(r).isEqualTo(42);
    }

    @Test
    void aRefOfAPrimitiveClassSendsItsWrapper() {
        GreenHandle<Object> receiver = rt.spawn(() -> Green.receive());
        Ref<Integer> ref = Ref.of(receiver.pid(), int.class);
        assertThat(ref.type()).isEqualTo(Integer.class);
        assertThat(ref.send(5)).isTrue();
        assertThat(receiver.join(WAIT)).isEqualTo(5);
    }
}
