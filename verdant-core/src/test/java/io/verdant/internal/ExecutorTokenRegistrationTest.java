package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An executor built from a spawner with cancelWith(token) registers on that
 * token (so cancelling it cancels the tasks); once the executor has
 * terminated, its registration is withdrawn. Before, every such executor left
 * one for as long as the token lived: a long-lived token shared by
 * per-request executors grew without bound.
 */
@Timeout(30)
class ExecutorTokenRegistrationTest {
    @Test
    void aTerminatedExecutorLeavesNothingOnItsSpawnersToken() throws Exception {
        CancelNode token = CancelNode.standalone();
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("ex-token").build())) {
            for (int i = 0; i < 1_000; i++) {
                try (ExecutorService ex = rt.spawner().cancelWith(token).executor()) {
                    ex.submit(() -> 1).get(10, TimeUnit.SECONDS);
                }
            }
            ExecutorService open = rt.spawner().cancelWith(token).executor();
            assertThat(token.callbackCount()).as("only the executor still open").isEqualTo(1);
            open.shutdownNow();
            assertThat(open.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            assertThat(token.callbackCount()).isZero();
        }
    }
}
