package io.verdant.internal;

import io.verdant.Config;
import io.verdant.Verdant;
import io.verdant.Priority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A green thread with an actor cell sends its exit signals after it has emptied
 * its pid slot (GreenThread.finish) and under the cell's monitor: contended, the
 * monitor unmounts the thread. If close stops the carriers meanwhile, the thread
 * is never resumed, and close's abandon (which walks the pid table) does not see
 * it: its handle said SUCCEEDED but join() never returned, its onComplete never
 * ran and liveThreads() stayed 1 after close. Close now completes such a thread
 * once the carriers have stopped.
 */
@Timeout(60)
class StrandedEndCloseTest {
    @Test
    void aThreadEndingWhileUnmountedOnItsCellsMonitorAtCloseIsCompleted() throws Exception {
        Verdant rt = Verdant.start(Config.builder().workers(1).name("ending-unmounted")
                .shutdownTimeout(Duration.ofMillis(50)).build());
        try {
            RuntimeCore core = rt.run(() -> GreenThread.current().runtime());
            CountDownLatch go = new CountDownLatch(1);
            GreenThread<String> t = core.spawn(() -> {
                while (go.getCount() > 0) {
                    try { go.await(); } catch (InterruptedException ignored) { }
                }
                return "done";
            }, "ender", Priority.NORMAL);
            AtomicInteger completions = new AtomicInteger();
            t.onComplete((v, f) -> completions.incrementAndGet());
            ActorCell cell = ActorCell.of(t);
            // Held by this thread: the thread's exit signals block on it, which unmounts it.
            synchronized (cell) {
                go.countDown();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (t.thread().getState() != Thread.State.BLOCKED && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                assertThat(t.thread().getState()).isEqualTo(Thread.State.BLOCKED);
                // Close runs whole while the thread is off its carrier: it stops the carriers.
                Thread closer = Thread.ofPlatform().start(rt::close);
                closer.join(TimeUnit.SECONDS.toMillis(30));
                assertThat(closer.isAlive()).isFalse();
            }
            assertThat(rt.liveThreads()).as("live count after close").isZero();
            assertThat(t.join(Duration.ofSeconds(5))).as("join returns the result").isEqualTo("done");
            assertThat(completions.get()).as("onComplete ran").isEqualTo(1);
        } finally {
            rt.close();
        }
    }
}
