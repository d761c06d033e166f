package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Green threads in a timed or untimed {@code invokeAny} on another runtime's
 * executor, abandoned by their own runtime's close (its only carrier held, so
 * they never run again): the still-running tasks do not keep them. Before, each
 * stayed among the waiters of every task it had started (timed: it parks with
 * the executor as blocker, whose dropAbandoned did not reach the tasks;
 * untimed: in the JDK's ExecutorCompletionService queue, which every task's
 * wrapper holds) until the tasks ended, its thread and stack with it; and those
 * tasks ran on (nothing cancelled them, as invokeAny does when it returns)
 * until they ended.
 */
@Timeout(60)
class AbandonedInvokeAnyCallerTest {
    private static final int CALLERS = 50;

    /** How a caller invokes its one task on the executor. */
    private interface Invoke {
        String on(ExecutorService ex, Callable<String> task) throws Exception;
    }

    private static final Invoke TIMED = (ex, task) -> ex.invokeAny(List.of(task), 50, TimeUnit.SECONDS);
    private static final Invoke UNTIMED = (ex, task) -> ex.invokeAny(List.of(task));

    @Test
    void runningTasksDoNotKeepTimedInvokeAnyCallersTheirRuntimeAbandoned() throws Exception {
        callersAreCollected(TIMED);
    }

    @Test
    void runningTasksDoNotKeepUntimedInvokeAnyCallersTheirRuntimeAbandoned() throws Exception {
        callersAreCollected(UNTIMED);
    }

    @Test
    void theTasksOfAnInvokeAnyCallerItsRuntimeAbandonedAreCancelled() throws Exception {
        tasksAreCancelled(TIMED);
    }

    @Test
    void theTasksOfAnUntimedInvokeAnyCallerItsRuntimeAbandonedAreCancelled() throws Exception {
        tasksAreCancelled(UNTIMED);
    }

    private static void callersAreCollected(Invoke invoke) throws Exception {
        Verdant b = Verdant.start(Config.builder().workers(1).name("long-lived").build());
        CountDownLatch end = new CountDownLatch(1);
        try {
            ExecutorService ex = b.executor();
            AbandonedWaiters.assertCollected(AbandonedWaiters.abandon("abandoned-invokers", CALLERS,
                    () -> invoke.on(ex, () -> {
                        end.await();
                        return "done";
                    })), "abandoned invokeAny callers still reachable while their tasks run");
            end.countDown();
            Future<String> after = ex.submit(() -> "after");
            assertThat(after.get(20, TimeUnit.SECONDS)).isEqualTo("after");
        } finally {
            end.countDown();
            b.close();
        }
    }

    private static void tasksAreCancelled(Invoke invoke) throws Exception {
        Verdant b = Verdant.start(Config.builder().workers(1).name("long-lived-tasks").build());
        CountDownLatch end = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(CALLERS);
        CountDownLatch interrupted = new CountDownLatch(CALLERS); // counts down only in a task that started
        try {
            ExecutorService ex = b.executor();
            AbandonedWaiters.abandon("abandoned-invokers-tasks", CALLERS, () -> invoke.on(ex, () -> {
                started.countDown();
                try {
                    end.await();
                    return "done";
                } catch (InterruptedException e) {
                    interrupted.countDown();
                    throw e;
                }
            }));
            // Close cancels the tasks: one that had not started by then never runs its body.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // many wake-ups on one carrier, loaded
            while ((started.getCount() == CALLERS || interrupted.getCount() != started.getCount())
                    && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            assertThat(started.getCount()).as("tasks never started").isLessThan(CALLERS);
            assertThat(interrupted.getCount() - started.getCount())
                    .as("tasks of abandoned invokeAny callers still running").isZero();
        } finally {
            end.countDown();
            b.close();
        }
    }
}
