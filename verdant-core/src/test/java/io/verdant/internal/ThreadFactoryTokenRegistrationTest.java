package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Verdant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A thread factory built from a spawner with cancelWith(token) registers its
 * threads under that token itself. Before, every factory registered a callback
 * of its own on the token, which nothing ever removed (a factory has no end):
 * a long-lived token shared by per-request factories grew without bound.
 */
@Timeout(30)
class ThreadFactoryTokenRegistrationTest {
    @Test
    void factoriesLeaveNothingOnTheirSpawnersToken() throws Exception {
        CancelNode token = CancelNode.standalone();
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("tf-token").build())) {
            for (int i = 0; i < 1_000; i++) {
                ThreadFactory f = rt.spawner().cancelWith(token).threadFactory();
                Thread t = f.newThread(() -> { });
                t.start();
                t.join(10_000);
                assertThat(t.isAlive()).isFalse();
            }
            assertThat(token.callbackCount()).as("callbacks left on the token by 1,000 factories").isZero();
        }
    }

    @Test
    void cancellingTheTokenStillCancelsAFactorysThreads() throws Exception {
        CancelNode token = CancelNode.standalone();
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("tf-cancel").build())) {
            CountDownLatch parked = new CountDownLatch(1);
            CountDownLatch cancelled = new CountDownLatch(1);
            Thread t = rt.spawner().cancelWith(token).threadFactory().newThread(() -> {
                parked.countDown();
                try {
                    io.verdant.Green.sleep(java.time.Duration.ofMinutes(5));
                } catch (io.verdant.CancelledException e) {
                    cancelled.countDown();
                }
            });
            t.start();
            assertThat(parked.await(10, TimeUnit.SECONDS)).isTrue();
            token.cancel();
            assertThat(cancelled.await(10, TimeUnit.SECONDS)).as("the thread saw the token's cancellation").isTrue();
        }
    }
}
