package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.ExecutorService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A green thread copies its spawner's inheritable thread locals as it is made,
 * through InheritableThreadLocal.childValue, which is user code. When that
 * throws, the spawn fails with what it threw, as Thread.ofVirtual().unstarted
 * does: not with an IllegalStateException (which a spawn throws when the
 * runtime is closed) and, from a ThreadFactory, not with null (which says the
 * runtime is closed and loses the cause); and nothing stays counted.
 */
@Timeout(60)
class InheritedLocalFailureTest {
    private static final InheritableThreadLocal<String> REFUSING = new InheritableThreadLocal<>() {
        @Override
        protected String childValue(String parent) {
            throw new IllegalArgumentException("not copied: " + parent);
        }
    };

    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(1).name("itl-failure").build());
    }

    @AfterEach
    void stop() {
        REFUSING.remove();
        rt.close();
    }

    @Test
    void aSpawnFailsWithWhatChildValueThrew() {
        REFUSING.set("platform");
        assertThatThrownBy(() -> rt.spawn(() -> 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not copied: platform");
        REFUSING.remove();
        String inGreen = rt.run(() -> {
            REFUSING.set("green");
            try {
                Green.spawn(() -> 1);
                return "spawned";
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            } finally {
                REFUSING.remove();
            }
        });
        assertThat(inGreen).isEqualTo("not copied: green");
        assertThat(rt.liveThreads()).isZero();
        assertThat(rt.spawn(() -> 2).join(Duration.ofSeconds(20))).isEqualTo(2);
    }

    @Test
    void aThreadFactoryAndAnExecutorThrowItInsteadOfRejecting() {
        REFUSING.set("library");
        assertThatThrownBy(() -> rt.threadFactory().newThread(() -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("not copied: library");
        try (ExecutorService pool = rt.executor()) {
            assertThatThrownBy(() -> pool.submit(() -> 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("not copied: library");
        }
        assertThat(rt.liveThreads()).isZero();
    }
}
