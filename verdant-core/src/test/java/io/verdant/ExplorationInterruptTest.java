package io.verdant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Interrupting the thread in {@link Exploration#run()} (what JUnit's
 * {@code @Timeout} does) stops the exploration with a {@link CancelledException}
 * and leaves the interrupt status set, sequential or parallel.
 */
@Timeout(60)
class ExplorationInterruptTest {
    @Test
    void anInterruptStopsASequentialAndAParallelExploration() throws Exception {
        for (int parallelism : new int[] {1, 3}) {
            CountDownLatch started = new CountDownLatch(1);
            AtomicBoolean abandon = new AtomicBoolean();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean interruptedAfter = new AtomicBoolean();
            Thread caller = Thread.ofPlatform().name("exploration-caller-" + parallelism).start(() -> {
                try {
                    Exploration.of(() -> {
                        started.countDown();
                        if (abandon.get()) {
                            throw new IllegalStateException("abandoned by the test"); // ends the run if the interrupt did not
                        }
                        Green.spawn(Green::yield).join();
                        return null;
                    }).schedules(1_000_000).parallelism(parallelism).config(DetRuns.QUIET).run();
                } catch (Throwable t) {
                    thrown.set(t);
                }
                interruptedAfter.set(Thread.currentThread().isInterrupted());
            });
            try {
                assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
                caller.interrupt();
                assertThat(caller.join(Duration.ofSeconds(5))).as("parallelism %d: still running 5 s after the "
                        + "interrupt", parallelism).isTrue();
                assertThat(thrown.get()).as("parallelism %d", parallelism).isInstanceOf(CancelledException.class);
                assertThat(interruptedAfter).as("parallelism %d: interrupt status", parallelism).isTrue();
            } finally {
                abandon.set(true);
                caller.join();
            }
        }
    }
}
