package io.verdant;

import io.verdant.internal.Pids;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a plain main can do with a runtime (send, start a supervisor), and the public face of Pid. */
@Timeout(60)
class EntryPointsTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("entry").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void sendFromAPlatformThread() {
        GreenHandle<Object> receiver = rt.spawn(() -> Green.receive(Duration.ofSeconds(30)));
        assertThat(rt.send(receiver.pid(), "hello")).isTrue();
        assertThat(receiver.join()).isEqualTo("hello");
        assertThat(rt.send(receiver.pid(), "too late")).as("stale pid").isFalse();
    }

    @Test
    void sendRejectsBadInput() {
        Pid pid = rt.spawn(() -> 1).pid();
        assertThatThrownBy(() -> rt.send(null, "x")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> rt.send(pid, null)).isInstanceOf(NullPointerException.class);
        try (Verdant other = Verdant.start(Config.builder().workers(1).name("other").build())) {
            Pid foreign = other.spawn(() -> 1).pid();
            assertThatThrownBy(() -> rt.send(foreign, "x")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("another runtime");
        }
        rt.close();
        assertThat(rt.send(pid, "after close")).isFalse();
    }

    @Test
    void startSupervisorFromAPlatformThread() {
        Supervisor sup = rt.startSupervisor(Supervisor.builder().name("root")
                .child(Supervisor.ChildSpec.of("echo", () -> {
                    for (;;) {
                        Green.receive();
                    }
                })));
        assertThat(sup.children()).extracting(Supervisor.Child::name).containsExactly("echo");
        Pid echo = sup.child("echo").orElseThrow();
        assertThat(rt.send(echo, "ping")).isTrue();
        sup.shutdown();
        assertThatThrownBy(() -> rt.startSupervisor(null)).isInstanceOf(NullPointerException.class);
        rt.close();
        assertThatThrownBy(() -> rt.startSupervisor(Supervisor.builder())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void pidHasNoPublicConstructorOrLayoutAndAStableStringForm() {
        assertThat(Pid.class.getConstructors()).isEmpty();
        assertThat(Arrays.stream(Pid.class.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()))
                .map(java.lang.reflect.Method::getName)).containsExactlyInAnyOrder("equals", "hashCode", "toString");
        GreenHandle<Pid> h = rt.spawn(Green::self);
        Pid pid = h.join();
        assertThat(pid).isEqualTo(h.pid()).hasSameHashCodeAs(h.pid()).isNotSameAs(h.pid());
        assertThat(pid.toString()).matches("<\\d+\\.\\d+\\.\\d+>");
        assertThat(pid.toString()).isEqualTo("<" + Pids.runtimeId(pid) + "." + Pids.index(pid) + "."
                + Pids.generation(pid) + ">");
        assertThat(pid).isNotEqualTo(rt.spawn(Green::self).join());
    }
}
