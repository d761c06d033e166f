package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Select's builder methods on bad arguments: a precise exception, and the select left as it was. */
@Timeout(60)
class SelectArgumentsTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(1).name("select-args").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    /** A refused onTimeout (null body) used to replace the earlier timeout's duration and keep its body. */
    @Test
    void aRefusedOnTimeoutLeavesTheEarlierTimeoutAsItWas() {
        Channel<Integer> never = Channel.rendezvous();
        GreenHandle<String> h = rt.spawn(() -> {
            Select<String> s = Select.<String>create()
                    .onReceive(never, v -> "received")
                    .onTimeout(Duration.ofMillis(20), () -> "timed out");
            assertThatThrownBy(() -> s.onTimeout(Duration.ofDays(1), null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("then");
            assertThatThrownBy(() -> s.onTimeout(Duration.ofMillis(-1), () -> "other"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
            return s.select();
        });
        assertThat(h.join(Duration.ofSeconds(10))).as("the 20 ms timeout still applies").isEqualTo("timed out");
    }

    /** Each bad argument names itself and adds nothing: the select then still takes its default. */
    @Test
    void badArgumentsNameTheArgumentAndAddNothing() {
        Channel<Integer> ch = Channel.bounded(1);
        // A Channel of the caller's own making: a select works only on Verdant's.
        @SuppressWarnings("unchecked")
        Channel<Integer> foreign = (Channel<Integer>) java.lang.reflect.Proxy.newProxyInstance(
                Channel.class.getClassLoader(), new Class<?>[] {Channel.class}, (proxy, method, args) -> {
                    throw new UnsupportedOperationException(method.getName());
                });
        record Case(String what, Class<? extends Exception> type, String name, Consumer<Select<String>> call) {
        }
        Case[] cases = {
            new Case("onReceive null channel", NullPointerException.class, "channel", s -> s.onReceive(null, v -> "r")),
            new Case("onReceive null body", NullPointerException.class, "then", s -> s.onReceive(ch, null)),
            new Case("onSend null channel", NullPointerException.class, "channel", s -> s.onSend(null, 1, () -> "s")),
            new Case("onSend null value", NullPointerException.class, "value", s -> s.onSend(ch, null, () -> "s")),
            new Case("onSend null body", NullPointerException.class, "then", s -> s.onSend(ch, 1, null)),
            new Case("onReceive foreign channel", IllegalArgumentException.class, "channel",
                    s -> s.onReceive(foreign, v -> "r")),
            new Case("onSend foreign channel", IllegalArgumentException.class, "channel",
                    s -> s.onSend(foreign, 1, () -> "s")),
            new Case("onClosed null channel", NullPointerException.class, "channel", s -> s.onClosed(null, e -> "c")),
            new Case("onClosed null body", NullPointerException.class, "then", s -> s.onClosed(ch, null)),
            new Case("onTimeout null timeout", NullPointerException.class, "timeout", s -> s.onTimeout(null, () -> "t")),
            new Case("onTimeout null body", NullPointerException.class, "then", s -> s.onTimeout(Duration.ZERO, null)),
            new Case("onTimeout negative", IllegalArgumentException.class, "timeout",
                    s -> s.onTimeout(Duration.ofNanos(-1), () -> "t")),
            new Case("orElse null body", NullPointerException.class, "then", s -> s.orElse(null)),
        };
        for (Case c : cases) {
            Select<String> s = Select.create();
            assertThatThrownBy(() -> c.call.accept(s)).as(c.what).isInstanceOf(c.type).hasMessageContaining(c.name);
            // Nothing was added: with only a default, the select takes the default; with the
            // refused onTimeout added, it would refuse a timeout next to a default.
            assertThat(s.orElse(() -> "default").select()).as(c.what).isEqualTo("default");
        }
        assertThat(ch.tryReceive()).isEmpty();
    }
}
