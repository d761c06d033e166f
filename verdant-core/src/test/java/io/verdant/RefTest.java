package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Typed addresses. (That a wrong message type does not compile is shown by the docs' snippets, not testable here.) */
@Timeout(60)
class RefTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("ref").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    sealed interface CounterMsg permits Add, Get, Stop {
    }

    record Add(int n) implements CounterMsg {
    }

    record Get(ReplyTo<Integer> replyTo) implements CounterMsg {
    }

    record Stop() implements CounterMsg {
    }

    private static int counter() {
        int total = 0;
        for (;;) {
            // The switch is exhaustive over the sealed type: no default.
            switch (Green.receive(CounterMsg.class)) {
                case Add(int n) -> total += n;
                case Get(ReplyTo<Integer> r) -> r.reply(total);
                case Stop() -> {
                    return total;
                }
            }
        }
    }

    @Test
    void sendAndCallThroughARef() {
        int n = rt.run(() -> {
            GreenHandle<Integer> h = Green.spawn(RefTest::counter);
            Ref<CounterMsg> counter = Ref.of(h.pid(), CounterMsg.class);
            assertThat(counter.send(new Add(2))).isTrue();
            assertThat(counter.send(new Add(3))).isTrue();
            int got = counter.call(Get::new, Duration.ofSeconds(20));
            counter.send(new Stop());
            assertThat(h.join()).isEqualTo(5);
            assertThat(counter.send(new Add(1))).as("dead addressee").isFalse();
            return got;
        });
        assertThat(n).isEqualTo(5);
    }

    @Test
    void convertsToAndFromPidAndIsAValue() {
        rt.run(() -> {
            Pid self = Green.self();
            Ref<CounterMsg> a = Ref.of(self, CounterMsg.class);
            Ref<CounterMsg> b = Ref.self(CounterMsg.class);
            assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
            assertThat(a.pid()).isEqualTo(self);
            assertThat(a.type()).isEqualTo(CounterMsg.class);
            assertThat(a).isNotEqualTo(Ref.of(self, Object.class));
            assertThat(a.toString()).contains(self.toString()).contains("CounterMsg");
            Ref<Add> adds = a.narrow(Add.class);
            assertThat(adds.pid()).isEqualTo(self);
            adds.send(new Add(7));
            assertThat(Green.receive()).isEqualTo(new Add(7));
        });
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void aWrongMessageThroughHeapPollutionIsRejectedAtRunTime() {
        rt.run(() -> {
            Ref<CounterMsg> typed = Ref.of(Green.self(), CounterMsg.class);
            Ref raw = typed;
            assertThatThrownBy(() -> raw.send("not a CounterMsg")).isInstanceOf(ClassCastException.class);
            assertThat(Green.mailboxSize()).isZero();
        });
    }

    @Test
    void timersThroughARef() {
        List<Object> got = rt.run(() -> {
            Ref<CounterMsg> me = Ref.self(CounterMsg.class);
            me.sendAfter(new Add(1), Duration.ofMillis(5));
            SendTimer every = me.sendEvery(new Add(2), Duration.ZERO, Duration.ofMillis(5));
            Object a = Green.receive(Duration.ofSeconds(20));
            Object b = Green.receive(Duration.ofSeconds(20));
            every.cancel();
            return List.of(a, b);
        });
        assertThat(got).contains(new Add(2));
    }

    @Test
    void badInput() {
        rt.run(() -> {
            Pid self = Green.self();
            assertThatThrownBy(() -> Ref.of(null, String.class)).isInstanceOf(NullPointerException.class).hasMessageContaining("pid");
            assertThatThrownBy(() -> Ref.of(self, null)).isInstanceOf(NullPointerException.class).hasMessageContaining("type");
            Ref<CounterMsg> r = Ref.of(self, CounterMsg.class);
            assertThatThrownBy(() -> r.send(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("msg");
            assertThatThrownBy(() -> r.call(null, Duration.ZERO)).isInstanceOf(NullPointerException.class);
            @SuppressWarnings({"unchecked", "rawtypes"})
            Class<CounterMsg> wrong = (Class) String.class;
            assertThatThrownBy(() -> r.narrow(wrong)).isInstanceOf(IllegalArgumentException.class);
        });
        assertThatThrownBy(() -> Ref.self(String.class)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("green thread");
    }
}
