package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The per-runtime name registry. */
@Timeout(60)
class RegistryTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("registry").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void registerLookUpAndSendByName() {
        Object got = rt.run(() -> {
            GreenHandle<Object> echo = Green.spawn(() -> Green.receive());
            Registry reg = Green.runtime().registry();
            reg.register("echo", echo.pid());
            assertThat(reg.whereis("echo")).contains(echo.pid());
            assertThat(reg.whereis("echo", String.class)).contains(Ref.of(echo.pid(), String.class));
            assertThat(reg.names()).containsExactly("echo");
            assertThat(reg.send("echo", "hi")).isTrue();
            assertThat(reg.send("nobody", "hi")).isFalse();
            assertThat(reg.whereis("nobody")).isEmpty();
            return echo.join();
        });
        assertThat(got).isEqualTo("hi");
    }

    @Test
    void aTakenNameCannotBeRegisteredAgain() {
        rt.run(() -> {
            Registry reg = rt.registry();
            reg.register("me", Green.self());
            GreenHandle<Object> other = Green.spawn(() -> Green.receive());
            assertThatThrownBy(() -> reg.register("me", other.pid()))
                    .isInstanceOf(NameTakenException.class)
                    .hasMessageContaining("'me'").hasMessageContaining(Green.self().toString())
                    .satisfies(e -> {
                        assertThat(((NameTakenException) e).name()).isEqualTo("me");
                        assertThat(((NameTakenException) e).holder()).isEqualTo(Green.self());
                    });
            assertThatThrownBy(() -> reg.register("me", Green.self())).isInstanceOf(NameTakenException.class);
            // A thread may hold several names.
            reg.register("me-too", Green.self());
            assertThat(reg.names()).containsExactly("me", "me-too");
            Green.send(other.pid(), "done");
            other.join();
        });
    }

    @Test
    void theNameIsReleasedWhenTheHolderEnds() {
        rt.run(() -> {
            Registry reg = rt.registry();
            GreenHandle<Object> first = Green.spawn(() -> Green.receive());
            reg.register("svc", first.pid());
            Green.send(first.pid(), "stop");
            first.join();
            // Released before join returned.
            assertThat(reg.whereis("svc")).isEmpty();
            assertThat(reg.names()).isEmpty();
            GreenHandle<Object> second = Green.spawn(() -> Green.receive());
            reg.register("svc", second.pid());
            assertThat(reg.whereis("svc")).contains(second.pid());
            Green.send(second.pid(), "stop");
        });
    }

    @Test
    void unregister() {
        rt.run(() -> {
            Registry reg = rt.registry();
            reg.register("x", Green.self());
            assertThat(reg.unregister("x")).isTrue();
            assertThat(reg.unregister("x")).isFalse();
            assertThat(reg.whereis("x")).isEqualTo(Optional.empty());
            reg.register("x", Green.self());
            assertThat(reg.whereis("x")).contains(Green.self());
        });
    }

    @Test
    void registryWorksFromAPlatformThread() {
        GreenHandle<Object> h = rt.spawn(() -> Green.receive(Duration.ofSeconds(20)));
        rt.registry().register("svc", h.pid());
        assertThat(rt.registry().send("svc", "from main")).isTrue();
        assertThat(h.join()).isEqualTo("from main");
    }

    @Test
    void badInput() throws Exception {
        Registry reg = rt.registry();
        GreenHandle<Integer> done = rt.spawn(() -> 1);
        done.join();
        assertThatThrownBy(() -> reg.register("stale", done.pid())).isInstanceOf(NoSuchGreenThreadException.class);
        assertThatThrownBy(() -> reg.register(null, done.pid())).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("name");
        assertThatThrownBy(() -> reg.register(" ", done.pid())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blank");
        assertThatThrownBy(() -> reg.register("x", null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("pid");
        assertThatThrownBy(() -> reg.whereis(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> reg.send("x", null)).isInstanceOf(NullPointerException.class);
        try (Verdant other = Verdant.start(Config.builder().workers(1).build())) {
            GreenHandle<Object> foreign = other.spawn(() -> Green.receive());
            assertThatThrownBy(() -> reg.register("foreign", foreign.pid()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another runtime");
            Green.send(foreign.pid(), "stop");
            foreign.join();
        }
        assertThat(reg.names()).isEmpty();
    }
}
