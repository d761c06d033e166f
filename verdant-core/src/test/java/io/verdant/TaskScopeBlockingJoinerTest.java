package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A {@link TaskScope.Joiner} whose {@code onComplete} blocks (a bounded
 * channel's send, a wait for some other thread) for one child: the scope's
 * deadline still stops the scope and cancels the other children. Before, the
 * joiner's call held the scope's lock while it waited, and the deadline's stop
 * waited for that lock: the running children went on past the deadline for as
 * long as the joiner blocked.
 */
@Timeout(120)
class TaskScopeBlockingJoinerTest {
    /**
     * The deadlines tried: the joiner must be called for the quick child before
     * the deadline passes, which a loaded machine may not do within 200 ms (the
     * deadline then stops the scope first and the attempt shows nothing).
     */
    private static final Duration[] DEADLINES = {Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(10)};

    @Test
    void theDeadlineCancelsTheChildrenWhileTheJoinerBlocks() throws Exception {
        for (Duration deadline : DEADLINES) {
            if (joinerBlockedBeforeTheDeadline(deadline)) {
                return;
            }
        }
        fail("the joiner was never called for the quick child before the scope's deadline, of up to 10 s");
    }

    /**
     * One scope with {@code deadline}, a slow child and a quick one for which the
     * joiner blocks. Returns false if the joiner was called for the quick child
     * only after the deadline could have passed (it then does not block: nothing
     * shown); else asserts that the deadline cancelled the slow child while the
     * joiner blocked, and returns true.
     */
    private static boolean joinerBlockedBeforeTheDeadline(Duration deadline) throws Exception {
        CountDownLatch inJoiner = new CountDownLatch(1);
        CountDownLatch releaseJoiner = new CountDownLatch(1);
        CountDownLatch slowCancelled = new CountDownLatch(1);
        AtomicBoolean early = new AtomicBoolean();
        try (Verdant rt = Verdant.start(Config.builder().workers(2).name("blocking-joiner")
                .shutdownTimeout(Duration.ofSeconds(5)).build())) {
            GreenHandle<String> owner = rt.spawn(() -> {
                // Read before the scope opens: its deadline (on the same clock, and never early)
                // is at least this plus the timeout.
                long opened = System.nanoTime();
                try (TaskScope<String, String> scope = TaskScope.open(new TaskScope.Joiner<String, String>() {
                    @Override
                    public boolean onComplete(GreenHandle<? extends String> child) {
                        if (child.state() == GreenState.SUCCEEDED && "quick".equals(child.resultNow())) {
                            early.set(System.nanoTime() - opened < deadline.toNanos());
                            inJoiner.countDown();
                            if (early.get()) {
                                try {
                                    releaseJoiner.await(60, TimeUnit.SECONDS);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            }
                        }
                        return false;
                    }

                    @Override
                    public String result() {
                        return "joined";
                    }
                }, deadline)) {
                    scope.fork(() -> {
                        try {
                            Green.sleep(Duration.ofSeconds(60));
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
            // The owner ends first if the deadline cancelled the quick child before it ran.
            TestWaits.until(() -> inJoiner.getCount() == 0 || owner.isDone(),
                    "the joiner is called for the quick child, or the scope ends");
            if (inJoiner.getCount() != 0 || !early.get()) {
                // The deadline stopped the scope first: the joiner did not block.
                assertThat(owner.join(Duration.ofSeconds(30))).isEqualTo("timed out");
                return false;
            }
            // The bug held the slow child past the deadline for as long as the joiner blocked (60 s):
            // 30 s for the cancel to run, however late a loaded machine runs the slow child.
            assertThat(slowCancelled.await(30, TimeUnit.SECONDS))
                    .as("the deadline (" + deadline.toMillis() + " ms) cancels the slow child while the joiner blocks")
                    .isTrue();
            releaseJoiner.countDown();
            assertThat(owner.join(Duration.ofSeconds(30))).isEqualTo("timed out");
            return true;
        } finally {
            releaseJoiner.countDown();
        }
    }
}
