package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Spawner on bad arguments and misuse: a precise exception thrown before any side effect. */
@Timeout(60)
class SpawnerArgumentsTest {
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(1).name("spawner-args").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    private static String nameOfThread() {
        return Thread.currentThread().getName();
    }

    /** A refused spawn (null body) used to take the next number of a name pattern. */
    @Test
    void aRefusedSpawnDoesNotUseUpANumber() {
        Spawner s = rt.spawner().name("w-", 0);
        assertThatThrownBy(() -> s.spawn((Callable<Object>) null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("body");
        assertThatThrownBy(() -> s.spawn((Runnable) null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("body");
        assertThat(s.spawn(SpawnerArgumentsTest::nameOfThread).join(Duration.ofSeconds(10))).isEqualTo("w-0");
        assertThat(s.spawn(SpawnerArgumentsTest::nameOfThread).join(Duration.ofSeconds(10))).isEqualTo("w-1");
    }

    /** A linked spawner used from a platform thread is refused before it takes a number. */
    @Test
    void aRefusedLinkedSpawnDoesNotUseUpANumber() {
        Spawner linked = rt.run(() -> rt.spawner().name("l-", 0).link());
        assertThatThrownBy(() -> linked.spawn(() -> 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Spawner.link");
        assertThatThrownBy(() -> linked.spawn(() -> { })).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Spawner.link");
        assertThat(rt.run(() -> linked.spawn(SpawnerArgumentsTest::nameOfThread).join())).isEqualTo("l-0");
    }

    @Test
    void badSettingsNameTheArgument() {
        Spawner s = rt.spawner();
        assertThatThrownBy(() -> s.name(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> s.name(null, 0)).isInstanceOf(NullPointerException.class).hasMessageContaining("prefix");
        assertThatThrownBy(() -> s.name("p", -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("start");
        assertThatThrownBy(() -> s.priority(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("priority");
        assertThatThrownBy(() -> s.cancelWith(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("token");
        assertThatThrownBy(() -> s.mailbox(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("mailbox");
        assertThatThrownBy(s::link).isInstanceOf(IllegalStateException.class).hasMessageContaining("Spawner.link");
        // none of the refused settings stuck
        assertThat(s.spawn(() -> Green.priority()).join(Duration.ofSeconds(10))).isEqualTo(Priority.NORMAL);
    }
}
