package io.verdant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scope.cancel(): "Cancels every child (now and spawned later)." Before the fix a
 * child spawned after the cancel was spawned under the owner, not cancelled, and
 * cancelled only once the spawn had listed it: on a second carrier its body often
 * ran first, so its first statement saw no cancellation. 1,000 late spawns: 1 to
 * 262 ran uncancelled before the fix (failed 3 of 3 runs).
 */
@Timeout(60)
class ScopeSpawnAfterCancelTest {
    private static final int ROUNDS = 200;
    private static final int LATE_SPAWNS = 5;

    private Verdant rt;

    @BeforeEach
    void start() {
        rt = Verdant.start(Config.builder().workers(2).name("scope-spawn-after-cancel").build());
    }

    @AfterEach
    void stop() {
        rt.close();
    }

    @Test
    void aChildSpawnedAfterTheScopesCancelIsCancelledFromItsFirstStatement() {
        AtomicInteger late = new AtomicInteger();
        AtomicInteger sawNoCancellation = new AtomicInteger();
        rt.run(() -> {
            for (int round = 0; round < ROUNDS; round++) {
                Green.scope(scope -> {
                    scope.cancel();
                    for (int i = 0; i < LATE_SPAWNS; i++) {
                        scope.spawn(() -> {
                            late.incrementAndGet();
                            if (!Green.cancelled()) {
                                sawNoCancellation.incrementAndGet();
                            }
                        });
                    }
                    return null;
                });
            }
            return null;
        });
        assertThat(late.get()).as("every late child ran").isEqualTo(ROUNDS * LATE_SPAWNS);
        assertThat(sawNoCancellation.get()).as("late children that ran before their cancellation").isZero();
    }
}
