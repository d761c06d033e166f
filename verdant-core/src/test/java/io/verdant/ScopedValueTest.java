package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What docs/ecosystem.md claims about ScopedValue: green threads (Green.spawn,
 * Scope and TaskScope forks, executor tasks) do NOT inherit the spawner's
 * bindings; rebinding the captured value in the fork works.
 */
@Timeout(60)
class ScopedValueTest {
    private static final ScopedValue<String> USER = ScopedValue.newInstance();
    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("sv").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void bindingsAreNotInheritedByGreenThreads() throws Exception {
        List<Boolean> bound = rt.run(() -> ScopedValue.where(USER, "ada").call(() -> {
            assertThat(USER.get()).isEqualTo("ada");
            boolean spawned = Green.spawn(USER::isBound).join();
            boolean scoped = Green.scope(scope -> scope.spawn(USER::isBound).join());
            boolean forked;
            try (TaskScope<Boolean, List<Boolean>> scope = TaskScope.open()) {
                scope.fork(USER::isBound);
                forked = scope.join().get(0);
            }
            return List.of(spawned, scoped, forked);
        }));
        assertThat(bound).containsExactly(false, false, false);
    }

    @Test
    void rebindingTheCapturedValueInTheForkWorks() {
        String seen = rt.run(() -> ScopedValue.where(USER, "ada").call(() -> {
            String user = USER.get();
            try (TaskScope<String, List<String>> scope = TaskScope.open()) {
                scope.fork(() -> ScopedValue.where(USER, user).call(USER::get));
                return scope.join().get(0);
            }
        }));
        assertThat(seen).isEqualTo("ada");
    }
}
