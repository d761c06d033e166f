package io.verdant.internal;

import io.verdant.CancelledException;
import io.verdant.Config;
import io.verdant.Green;
import io.verdant.GreenFailedException;
import io.verdant.GreenHandle;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A long-lived scope (a server's accept loop spawning a child per request)
 * keeps only the children it may still need: those running and those whose
 * failure the scope may report. Before, it kept every child it ever spawned,
 * with its result, until the scope closed.
 */
@Timeout(60)
class ScopeChildrenTest {
    private static final int N = 20_000;

    @Test
    void aLongLivedScopeDoesNotKeepChildrenThatSucceededOrWereCancelled() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("scope-children").build())) {
            int kept = rt.run(() -> {
                ScopeCore core = new ScopeCore(GreenThread.current());
                try {
                    for (int i = 0; i < N; i++) {
                        int v = i;
                        core.spawn(() -> new byte[64 + v % 2]).join();
                        GreenThread<Object> c = core.spawn(() -> Green.receive());
                        c.cancel();
                        assertThat(catchThrowable(c::join)).hasCauseInstanceOf(CancelledException.class);
                    }
                } finally {
                    core.awaitChildren();
                }
                return core.children().size();
            });
            assertThat(kept).as("children kept after " + 2 * N + " spawns").isLessThan(1_000);
        }
    }

    @Test
    void aFailureAfterManySuccessfulChildrenIsStillReportedWithTheOthersSuppressed() throws Exception {
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("scope-failure").build())) {
            Throwable thrown = rt.run(() -> catchThrowable(() -> Green.scope(scope -> {
                for (int i = 0; i < N; i++) {
                    scope.spawn(() -> 1).join();
                }
                GreenHandle<Object> a = scope.spawn(() -> {
                    throw new IllegalStateException("first");
                });
                catchThrowable(a::join);
                return null;
            })));
            assertThat(thrown).isInstanceOf(GreenFailedException.class);
            assertThat(thrown.getCause()).hasMessage("first");
        }
    }
}
