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
 * and leaves the interrupt status set, sequential or parallel; an interrupted
 * {@link Verdant#close()} of a deterministic runtime neither fails nor clears it.
 */
@Timeout(60)
class ExplorationInterruptTest {
    @Test
    void anInterruptedCloseOfADeterministicRuntimeKeepsTheInterruptAndDoesNotFail() {
        Config quick = Config.builder().failureHandler((h, t) -> { }).shutdownTimeout(Duration.ofMillis(50)).build();
        Verdant rt = Verdant.deterministic(quick, Determinism.seed(1));
        rt.run(() -> {
            Channel<String> never = Channel.rendezvous();
            // Leaked: close's cancellation wakes it, and it then holds the carrier for 300 ms
            // without a scheduling point, so close's last step waits for the carrier's loop.
            Green.spawner().name("slow-to-end").spawn(() -> {
                try {
                    never.receive();
                } catch (CancelledException e) {
                    long t0 = System.nanoTime();
                    while (System.nanoTime() - t0 < 300_000_000L) {
                        Thread.onSpinWait();
                    }
                }
            });
            Green.yield();
        });
        Thread.currentThread().interrupt();
        try {
            rt.close();
        } finally {
            assertThat(Thread.interrupted()).as("interrupt status after close").isTrue(); // and clears it
        }
        assertThat(rt.isClosed()).isTrue();
    }

    @Test
    void anInterruptStopsASequentialAndAParallelExploration() throws Exception {
        for (int parallelism : new int[] {1, 3}) {
            CountDownLatch started = new CountDownLatch(1);
            AtomicBoolean interruptSent = new AtomicBoolean();
            AtomicBoolean abandon = new AtomicBoolean();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean interruptedAfter = new AtomicBoolean();
            Thread caller = Thread.ofPlatform().name("exploration-caller-" + parallelism).start(() -> {
                try {
                    Exploration.of(() -> {
                        started.countDown();
                        // The schedules running when the interrupt comes hold their caller in Verdant.run
                        // (an interrupt that lands in a schedule's close is close's, not the exploration's).
                        long t0 = System.nanoTime();
                        while (!interruptSent.get() && System.nanoTime() - t0 < 5_000_000_000L) {
                            Thread.onSpinWait();
                        }
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
                interruptSent.set(true);
                assertThat(caller.join(Duration.ofSeconds(20))).as("parallelism %d: still running 20 s after the "
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
