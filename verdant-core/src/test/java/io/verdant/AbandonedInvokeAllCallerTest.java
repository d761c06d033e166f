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
 * Green threads in a timed or untimed {@code invokeAll} on another runtime's
 * executor, abandoned by their own runtime's close (its only carrier held, so
 * they never run again): their tasks are cancelled, as the call would cancel
 * them had its cancellation (close cancels first) reached it, and the tasks do
 * not keep them. Before, the tasks ran on until they ended, with nobody left to
 * take their results.
 */
@Timeout(60)
class AbandonedInvokeAllCallerTest {
    private static final int CALLERS = 25;

    /** How a caller invokes its two tasks on the executor. */
    private interface Invoke {
        List<Future<String>> on(ExecutorService ex, Callable<String> task) throws Exception;
    }

    private static final Invoke TIMED = (ex, task) -> ex.invokeAll(List.of(task, task), 50, TimeUnit.SECONDS);
    private static final Invoke UNTIMED = (ex, task) -> ex.invokeAll(List.of(task, task));

    @Test
    void theTasksOfATimedInvokeAllCallerItsRuntimeAbandonedAreCancelled() throws Exception {
        tasksAreCancelled(TIMED);
    }

    @Test
    void theTasksOfAnUntimedInvokeAllCallerItsRuntimeAbandonedAreCancelled() throws Exception {
        tasksAreCancelled(UNTIMED);
    }

    @Test
    void runningTasksDoNotKeepTimedInvokeAllCallersTheirRuntimeAbandoned() throws Exception {
        callersAreCollected(TIMED);
    }

    @Test
    void runningTasksDoNotKeepUntimedInvokeAllCallersTheirRuntimeAbandoned() throws Exception {
        callersAreCollected(UNTIMED);
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
                    })), "abandoned invokeAll callers still reachable while their tasks run");
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
        CountDownLatch started = new CountDownLatch(2 * CALLERS);
        CountDownLatch interrupted = new CountDownLatch(2 * CALLERS); // counts down only in a task that started
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
            while ((started.getCount() == 2 * CALLERS || interrupted.getCount() != started.getCount())
                    && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            assertThat(started.getCount()).as("tasks never started").isLessThan(2 * CALLERS);
            assertThat(interrupted.getCount() - started.getCount())
                    .as("tasks of abandoned invokeAll callers still running").isZero();
        } finally {
            end.countDown();
            b.close();
        }
    }
}
