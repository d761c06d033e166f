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

    record Ask(Pid replyTo, int n) {
    }

    @Test
    void callFromAPlatformThread() {
        GreenHandle<Void> doubler = rt.spawn(() -> {
            for (;;) {
                Ask a = Green.receive(Ask.class);
                if (a.n() < 0) {
                    return; // ends without replying
                }
                Green.send(a.replyTo(), "noise");          // not the reply type: ignored by the caller
                Green.send(a.replyTo(), a.n() * 2);
            }
        });
        assertThat(rt.call(doubler.pid(), me -> new Ask(me, 21), Integer.class, Duration.ofSeconds(10))).isEqualTo(42);
        assertThat(rt.call(doubler.pid(), me -> new Ask(me, 5), Integer.class, Duration.ofSeconds(10))).isEqualTo(10);
        // the callee ends before replying: the call fails at once, not at the timeout
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> rt.call(doubler.pid(), me -> new Ask(me, -1), Integer.class, Duration.ofMinutes(5)))
                .isInstanceOf(NoSuchGreenThreadException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMinutes(1));
        // a stale pid fails at once too
        assertThatThrownBy(() -> rt.call(doubler.pid(), me -> new Ask(me, 1), Integer.class, Duration.ofMinutes(5)))
                .isInstanceOf(NoSuchGreenThreadException.class);
        GreenHandle<Void> silent = rt.spawn(() -> {
            Green.receive(Ask.class);
            Green.sleep(Duration.ofMinutes(5));
        });
        assertThatThrownBy(() -> rt.call(silent.pid(), me -> new Ask(me, 1), Integer.class, Duration.ofMillis(50)))
                .isInstanceOf(TimedOutException.class);
        silent.cancel();
    }

    @Test
    void callRejectsBadInput() {
        Pid pid = rt.spawn(() -> 1).pid();
        assertThatThrownBy(() -> rt.call(null, me -> 1, Integer.class, Duration.ofSeconds(1)))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> rt.call(pid, null, Integer.class, Duration.ofSeconds(1)))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> rt.call(pid, me -> 1, null, Duration.ofSeconds(1)))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> rt.call(pid, me -> 1, Integer.class, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> rt.call(pid, me -> 1, Integer.class, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        rt.close();
        assertThatThrownBy(() -> rt.call(pid, me -> 1, Integer.class, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalStateException.class);
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
