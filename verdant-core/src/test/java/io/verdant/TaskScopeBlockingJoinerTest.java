package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@link TaskScope.Joiner} whose {@code onComplete} blocks (a bounded
 * channel's send, a wait for some other thread) for one child: the scope's
 * deadline still stops the scope and cancels the other children. Before, the
 * joiner's call held the scope's lock while it waited, and the deadline's stop
 * waited for that lock: the running children went on past the deadline for as
 * long as the joiner blocked.
 */
@Timeout(60)
class TaskScopeBlockingJoinerTest {
    @Test
    void theDeadlineCancelsTheChildrenWhileTheJoinerBlocks() throws Exception {
        CountDownLatch inJoiner = new CountDownLatch(1);
        CountDownLatch releaseJoiner = new CountDownLatch(1);
        CountDownLatch slowCancelled = new CountDownLatch(1);
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("blocking-joiner")
                .shutdownTimeout(Duration.ofSeconds(5)).build())) {
            GreenHandle<String> owner = rt.spawn(() -> {
                try (TaskScope<String, String> scope = TaskScope.open(new TaskScope.Joiner<String, String>() {
                    @Override
                    public boolean onComplete(GreenHandle<? extends String> child) {
                        if ("quick".equals(child.resultNow())) {
                            inJoiner.countDown();
                            try {
                                releaseJoiner.await(30, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                        return false;
                    }

                    @Override
                    public String result() {
                        return "joined";
                    }
                }, Duration.ofMillis(200))) {
                    scope.fork(() -> {
                        try {
                            Green.sleep(Duration.ofSeconds(30));
                        } catch (CancelledException e) {
                            slowCancelled.countDown();
                            throw e;
                        }
                        return "slow";
                    });
                    scope.fork(() -> "quick");
                    try {
                        return scope.join();
                    } catch (TimedOutException e) {
                        return "timed out";
                    }
                }
            });
            assertThat(inJoiner.await(20, TimeUnit.SECONDS)).as("the joiner is called for the quick child").isTrue();
            // The bug held the slow child past the deadline for as long as the joiner blocked (30 s):
            // 20 s for the cancel to run, however late a loaded machine runs the slow child.
            assertThat(slowCancelled.await(20, TimeUnit.SECONDS))
                    .as("the deadline (200 ms) cancels the slow child while the joiner blocks").isTrue();
            releaseJoiner.countDown();
            assertThat(owner.join(Duration.ofSeconds(10))).isEqualTo("timed out");
        } finally {
            releaseJoiner.countDown();
        }
    }
}
